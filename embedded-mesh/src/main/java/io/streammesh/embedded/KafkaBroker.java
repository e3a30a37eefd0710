package io.streammesh.embedded;

import io.streammesh.schema.MeshException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node KRaft broker (combined broker and controller) in this JVM. SASL on both
 * listeners: PLAIN (checked against the mesh's {@code CredentialStore}) and SCRAM-SHA-512 (kept
 * by KRaft) for clients; deny by default with {@code User:mesh-admin} as the only super user.
 */
final class KafkaBroker implements AutoCloseable {

    static final String CLIENT_LISTENER = "CLIENT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;

    private KafkaBroker(KafkaRaftServer server) {
        this.server = server;
    }

    /**
     * Formats the log directory on first use, then starts the broker.
     *
     * @param state the mesh's state: the broker's log and metadata directory, the credential store
     *        PLAIN checks passwords against, and the audit's client config and spool
     * @param host the address to bind
     * @param port the client listener's port
     * @param controllerPort the controller listener's port
     * @param adminPassword the password the broker itself authenticates with as mesh-admin
     * @param authorizer the authorizer the broker runs, with its settings
     */
    static KafkaBroker start(StateDirectory state, String host, int port, int controllerPort, String adminPassword,
            BrokerAuthorizer authorizer) {
        Path logDir = state.kafka();
        Properties props = properties(logDir, host, port, controllerPort, adminPassword, state.credentials());
        authorizer.applyTo(props);
        try {
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                new Formatter()
                        .setNodeId(1)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setControllerListenerName(CONTROLLER_LISTENER)
                        .setMetadataLogDirectory(logDir.toString())
                        .setHasDynamicQuorum(false)
                        .addDirectory(logDir.toString())
                        .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                        .run();
            }
        } catch (Exception e) {
            throw new MeshException("cannot format the Kafka log directory " + logDir + ": " + e.getMessage()
                    + "; start afresh with mesh up --fresh", e);
        }
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

    static Properties properties(Path logDir, String host, int port, int controllerPort, String adminPassword, Path credentials) {
        var props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        props.put("listeners", CLIENT_LISTENER + "://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        props.put("advertised.listeners", CLIENT_LISTENER + "://" + host + ":" + port);
        props.put("listener.security.protocol.map", CLIENT_LISTENER + ":SASL_PLAINTEXT," + CONTROLLER_LISTENER + ":SASL_PLAINTEXT");
        props.put("inter.broker.listener.name", CLIENT_LISTENER);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());

        props.putAll(BrokerSettings.security(adminPassword, credentials, List.of("client", "controller"), List.of("client")));
        props.putAll(BrokerSettings.singleNode());
        return props;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
