package io.streammesh.testing;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.streammesh.authorizer.AuditAuthorizerConfig;
import io.streammesh.authorizer.AuditingAuthorizer;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.embedded.BrokerSettings;
import io.streammesh.embedded.PlainCredentialCallbackHandler;
import io.streammesh.embedded.StateDirectory;
import io.streammesh.schema.MeshPrincipal;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The mesh's broker as an {@value #IMAGE} container: KRaft, SASL_PLAINTEXT with PLAIN (checked
 * against the state directory's credential store by the mesh's callback handler) and
 * SCRAM-SHA-512, deny by default with mesh-admin the only super user, every decision audited by
 * the audit-authorizer. The state directory is mounted at the same path, so the credential
 * store, the audit's client config and spool, and the log directory keep their host paths.
 *
 * <p>Three listeners: {@code CLIENT} (mapped to a fixed host port and advertised there, for the
 * tests), {@code INTERNAL} (inside the container, for the audit shipper and replication) and
 * {@code CONTROLLER}.
 */
final class BrokerContainer {

    /** The broker image: the Kafka version the mesh's plugins are compiled against. */
    static final String IMAGE = "apache/kafka:4.3.1";
    /** Where the mesh's jars go: Kafka's own classpath. */
    static final String LIBS = "/opt/kafka/libs/";
    /** Where class directories go (a build that has not packaged the jars); added to CLASSPATH. */
    static final String CLASSES = "/opt/mesh/classes/";
    static final int CLIENT_PORT = 9092;
    static final int INTERNAL_PORT = 9093;
    static final int CONTROLLER_PORT = 9094;

    /**
     * One class of each jar the broker's plugins need beyond Kafka's own libs: the auditing
     * authorizer and its runtime dependencies (the mesh client's Avro serdes and registry
     * client), and the PLAIN callback handler with the credential store it checks.
     */
    static final List<Class<?>> PLUGIN_CLASSES = List.of(
            AuditingAuthorizer.class, PlainCredentialCallbackHandler.class, CredentialStore.class,
            MeshPrincipal.class, MeshClientConfig.class, org.apache.avro.Schema.class,
            io.apicurio.registry.serde.avro.AvroKafkaSerializer.class, io.apicurio.registry.serde.SerdeConfig.class,
            io.apicurio.registry.resolver.strategy.ArtifactReference.class,
            io.apicurio.registry.rest.client.RegistryClient.class, io.apicurio.registry.types.ArtifactType.class,
            io.apicurio.rest.client.auth.BasicAuth.class, io.apicurio.rest.client.JdkHttpClientProvider.class,
            com.fasterxml.jackson.datatype.jsr310.JavaTimeModule.class);

    private BrokerContainer() {
    }

    /**
     * The broker's {@code server.properties}.
     *
     * @param state the state directory, mounted at the same path in the container
     * @param advertisedHost where the tests reach the Docker engine's ports
     * @param hostPort the host port mapped to the {@code CLIENT} listener
     * @param adminPassword the password the broker authenticates with as mesh-admin
     * @return the settings, in a stable order
     */
    static Map<String, String> serverProperties(StateDirectory state, String advertisedHost, int hostPort, String adminPassword) {
        var props = new LinkedHashMap<String, String>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@localhost:" + CONTROLLER_PORT);
        props.put("listeners", "CLIENT://0.0.0.0:" + CLIENT_PORT + ",INTERNAL://0.0.0.0:" + INTERNAL_PORT
                + ",CONTROLLER://0.0.0.0:" + CONTROLLER_PORT);
        props.put("advertised.listeners", "CLIENT://" + advertisedHost + ":" + hostPort + ",INTERNAL://localhost:" + INTERNAL_PORT);
        props.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        props.put("inter.broker.listener.name", "INTERNAL");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("log.dirs", state.kafka().toString());
        props.put("metadata.log.dir", state.kafka().toString());

        props.putAll(BrokerSettings.security(adminPassword, state.credentials(), List.of("client", "internal", "controller"),
                List.of("client", "internal")));
        props.put("authorizer.class.name", AuditingAuthorizer.class.getName());
        props.put(AuditAuthorizerConfig.CLIENT_CONFIG, auditClientConfigFile(state).toString());
        props.put(AuditAuthorizerConfig.SPOOL_DIR, state.auditSpool().toString());
        props.putAll(BrokerSettings.singleNode());
        return props;
    }

    /** @return where the broker's audit shipper finds its client config (not among the principals' configs) */
    static Path auditClientConfigFile(StateDirectory state) {
        return state.root().resolve("broker").resolve("audit-client.properties");
    }

    /**
     * The audit shipper's client config: mesh-admin on the {@code INTERNAL} listener, the
     * registry by its network alias; the tests' configs name host ports, unreachable in here.
     *
     * @param adminPassword mesh-admin's password
     * @return the config to store at {@link #auditClientConfigFile}
     */
    static MeshClientConfig auditClientConfig(String adminPassword) {
        return MeshClientConfig.of("localhost:" + INTERNAL_PORT, MeshPrincipal.ADMIN.name(),
                URI.create(RegistryContainer.networkUrl() + "/apis/registry/v2"), adminPassword);
    }

    /**
     * The shell command the container runs: format the log directory once, then start.
     *
     * @param serverProperties the path of the {@code server.properties} file in the container
     * @param clusterId the cluster id a fresh log directory gets
     * @return the command
     */
    static List<String> command(Path serverProperties, String clusterId) {
        return List.of("sh", "-c", "/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t " + clusterId
                + " -c " + serverProperties + " && exec /opt/kafka/bin/kafka-server-start.sh " + serverProperties);
    }

    /**
     * @return the jars and class directories of {@link #PLUGIN_CLASSES} on this JVM's classpath
     *         (the reactor's jars, or its {@code target/classes} directories in an IDE)
     */
    static List<Path> pluginClasspath() {
        Set<Path> entries = new LinkedHashSet<>();
        for (Class<?> type : PLUGIN_CLASSES) {
            try {
                entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new IllegalStateException("cannot locate the jar of " + type.getName() + ": " + e.getMessage(), e);
            }
        }
        return new ArrayList<>(entries);
    }

    /**
     * Starts the broker on the network and waits until it serves.
     *
     * @param network the network the registry is on too
     * @param state the state directory, with mesh-admin's password in its credential store
     * @param owner the user (uid:gid) that owns the state directory, whom the broker runs as
     * @param advertisedHost where the tests reach the Docker engine's ports
     * @param hostPort a free host port for the {@code CLIENT} listener
     * @param adminPassword mesh-admin's password
     * @return the running container
     * @throws IOException if its {@code server.properties} cannot be written
     */
    static GenericContainer<?> start(Network network, StateDirectory state, String owner, String advertisedHost, int hostPort,
            String adminPassword) throws IOException {
        Path propertiesFile = state.root().resolve("broker").resolve("server.properties");
        Files.createDirectories(propertiesFile.getParent());
        var text = new StringBuilder();
        serverProperties(state, advertisedHost, hostPort, adminPassword)
                .forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        StateDirectory.writePrivate(propertiesFile, text.toString());

        GenericContainer<?> broker = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withNetwork(network)
                .withNetworkAliases("mesh-broker")
                .withFileSystemBind(state.root().toString(), state.root().toString(), BindMode.READ_WRITE)
                .withEnv("LOG_DIR", state.logs().toString())
                .withExposedPorts(CLIENT_PORT)
                .withCreateContainerCmdModifier(cmd -> cmd.withUser(owner).getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindPort(hostPort), ExposedPort.tcp(CLIENT_PORT))))
                .withCommand(command(propertiesFile, Uuid.randomUuid().toString()).toArray(String[]::new))
                .waitingFor(Wait.forLogMessage(".*Kafka Server started.*", 1).withStartupTimeout(Duration.ofMinutes(2)));
        List<String> classDirs = new ArrayList<>();
        for (Path entry : pluginClasspath()) {
            if (Files.isDirectory(entry)) {
                String target = CLASSES + classDirs.size();
                classDirs.add(target);
                broker.withCopyFileToContainer(MountableFile.forHostPath(entry), target);
            } else {
                broker.withCopyFileToContainer(MountableFile.forHostPath(entry), LIBS + entry.getFileName());
            }
        }
        if (!classDirs.isEmpty()) {
            broker.withEnv("CLASSPATH", String.join(":", classDirs));
        }
        broker.start();
        return broker;
    }
}
