package io.streammesh.query;

import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * A Flink session cluster in a JVM of its own (a JobManager with its REST endpoint and one
 * TaskManager), as {@link FlinkSessionProcess} starts it: jobs arrive over REST with their jars,
 * as on an operator's cluster.
 */
public final class FlinkSessionCluster {

    /** What the cluster prints once its REST endpoint serves. */
    static final String READY = "Flink session cluster REST at ";

    private FlinkSessionCluster() {
    }

    /** @param args the REST port */
    public static void main(String[] args) throws Exception {
        var configuration = new Configuration();
        configuration.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        configuration.set(RestOptions.ADDRESS, "127.0.0.1");
        configuration.set(RestOptions.PORT, Integer.parseInt(args[0]));
        var cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(configuration)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(4).build());
        cluster.start();
        System.out.println(READY + cluster.getRestAddress().get());
        System.out.flush();
        // serves until the test stops this JVM
        new CountDownLatch(1).await();
    }
}
