package io.streammesh.embedded;

import io.streammesh.schema.MeshException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * One KRaft node (combined broker and controller) in this JVM. SASL on both listeners: PLAIN
 * (checked against the mesh's {@code CredentialStore}) and SCRAM-SHA-512 (kept by KRaft) for
 * clients; deny by default with {@code User:mesh-admin} as the only super user.
 */
final class KafkaBroker implements AutoCloseable {

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
        return props;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
