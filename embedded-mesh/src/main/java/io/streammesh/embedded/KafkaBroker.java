package io.streammesh.embedded;

import io.streammesh.schema.MeshException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import kafka.server.BrokerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * One KRaft node (combined broker and controller) in this JVM. SASL on both listeners: PLAIN
 * (checked against the mesh's {@code CredentialStore}) and SCRAM-SHA-512 (kept by KRaft) for
 * clients; deny by default with {@code User:mesh-admin} as the only super user.
 */
final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    /** How long a broker role's stop waits for the quorum to acknowledge its controlled shutdown. */
    static final Duration BROKER_ROLE_STOP = Duration.ofSeconds(45);

    static final String CLIENT_LISTENER = "CLIENT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;

    private KafkaBroker(KafkaRaftServer server) {
        this.server = server;
    }

    /**
     * Starts a node whose log directory is formatted already (see {@link KafkaCluster}). In a
     * cluster, this returns once the node has caught up with the quorum's metadata, so start the
     * nodes of a new cluster side by side.
     *
     * @param props the node's settings, from {@link #properties}
     * @param logDir its log directory, named in errors
     */
    static KafkaBroker start(Properties props, Path logDir) {
        var server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            server.awaitShutdown();
            throw new MeshException("the Kafka broker did not start: " + e.getMessage()
                    + "; see the log in " + logDir.getParent().resolve("logs"), e);
        }
        return new KafkaBroker(server);
    }

    /**
     * @param node the node
     * @param quorum every node of the cluster, this one included (the controller quorum)
     * @param host the address to bind
     * @param adminPassword the password the broker itself authenticates with as mesh-admin
     * @param credentials the credential store PLAIN checks passwords against
     * @param replication the cluster's replication
     * @return the node's settings, its authorizer's excepted
     */
    static Properties properties(BrokerNode node, List<BrokerNode> quorum, String host, String adminPassword, Path credentials,
                                 Replication replication) {
        var props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(node.id()));
        props.put("controller.quorum.voters", String.join(",", quorum.stream().map(n -> n.voter(host)).toList()));
        props.put("listeners", CLIENT_LISTENER + "://" + node.address(host) + "," + CONTROLLER_LISTENER + "://" + host + ":"
                + node.controllerPort());
        props.put("advertised.listeners", CLIENT_LISTENER + "://" + node.address(host));
        props.put("listener.security.protocol.map", CLIENT_LISTENER + ":SASL_PLAINTEXT," + CONTROLLER_LISTENER + ":SASL_PLAINTEXT");
        props.put("inter.broker.listener.name", CLIENT_LISTENER);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("log.dirs", node.logDir().toString());
        props.put("metadata.log.dir", node.logDir().toString());

        props.putAll(BrokerSettings.security(adminPassword, credentials, List.of("client", "controller"), List.of("client")));
        props.putAll(BrokerSettings.replicated(replication));
        props.putAll(BrokerSettings.sharedMachineTimeouts());
        return props;
    }

    /**
     * Stops the node's broker role only; its controller runs on until {@link #close}. Closing a
     * cluster stops every broker this way first: a broker's controlled shutdown waits (five
     * minutes) for the controller quorum to acknowledge it, and a quorum whose nodes stopped whole,
     * one by one, is gone before the last broker is acknowledged. Kafka keeps a node's broker
     * private, hence reflection; where that fails (another Kafka), nothing stops here and the
     * node stops whole in {@link #close}. The controlled shutdown's wait is bounded below what
     * {@link KafkaCluster} waits for a stop.
     */
    void stopBrokerRole() {
        Option<?> broker;
        try {
            var accessor = KafkaRaftServer.class.getDeclaredMethod("broker");
            accessor.setAccessible(true);
            broker = (Option<?>) accessor.invoke(server);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException | RuntimeException e) {
            LOG.warn("Cannot stop the broker role alone ({}); the node stops whole with the others", e.toString());
            return;
        }
        if (broker.isDefined()) {
            ((BrokerServer) broker.get()).shutdown(BROKER_ROLE_STOP);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
