package io.streammesh.query;

import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;

/**
 * A Flink session cluster a query runs on instead of the embedded engine: its JobManager's REST
 * address ({@code mesh audit query --flink host:port}, 8081 by Flink's default). The statement is
 * planned here as for the embedded run, the job submitted over REST with the jars its tasks need
 * ({@link JobJars}: the tables' format, the Kafka connector and client, Avro, the registry's serde),
 * and its rows collected back over the same REST API. The job carries the principal's client
 * config, password included, to the cluster: run queries on a cluster you trust as you trust the
 * mesh's apps.
 *
 * @param host the JobManager's REST host
 * @param port its REST port
 */
public record FlinkSession(String host, int port) {

    /** @throws IllegalArgumentException if the host is blank or the port is not 1 to 65535 */
    public FlinkSession {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the Flink cluster's host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("the Flink cluster's REST port must be 1 to 65535, not " + port);
        }
    }

    /**
     * @param address {@code host:port} of the JobManager's REST API
     * @return the session cluster
     * @throws IllegalArgumentException naming the address if it is not {@code host:port}
     */
    public static FlinkSession parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("--flink wants the JobManager's REST address as host:port, not " + address);
        }
        try {
            return new FlinkSession(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--flink wants the JobManager's REST address as host:port, not " + address, e);
        }
    }

    /** Points the table environment's executor at this cluster, shipping the job's jars with it. */
    void configure(Configuration configuration) {
        configuration.set(DeploymentOptions.TARGET, "remote");
        configuration.set(RestOptions.ADDRESS, host);
        configuration.set(RestOptions.PORT, port);
        configuration.set(PipelineOptions.JARS, List.copyOf(JobJars.shipped()));
        // A person waits for the answer: say at once that the cluster does not answer, not after Flink's 20 retries.
        configuration.set(RestOptions.RETRY_MAX_ATTEMPTS, 1);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
