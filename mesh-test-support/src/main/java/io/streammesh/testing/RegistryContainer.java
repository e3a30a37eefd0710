package io.streammesh.testing;

import io.streammesh.embedded.StateDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The mesh's registry as a container: the {@code registry-server} module's Quarkus app (Apicurio
 * Registry 2.4.2 with the mesh's gate: HTTP Basic against the credential store, platform-only
 * rules) on {@value #IMAGE}, not the plain Apicurio image, which would let anyone register or
 * delete schemas. Its H2 database and the credential store stay in the state directory, mounted
 * at the same path.
 */
final class RegistryContainer {

    /** A JRE to run the registry server's Quarkus app. */
    static final String IMAGE = "eclipse-temurin:17-jre";
    /** The registry's name on the containers' network. */
    static final String ALIAS = "mesh-registry";
    static final int PORT = 8080;
    /** Where the Quarkus app directory (with {@code quarkus-run.jar}) is mounted. */
    static final String APP_DIR = "/opt/registry";

    private RegistryContainer() {
    }

    /** @return the registry's base URL from inside the containers' network */
    static String networkUrl() {
        return "http://" + ALIAS + ":" + PORT;
    }

    /**
     * @param state the state directory, mounted at the same path
     * @return the command that runs the registry, as the embedded mesh's child process does
     */
    static List<String> command(StateDirectory state) {
        return List.of("java", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dmesh.credentials=" + state.credentials(),
                "-Dquarkus.http.host=0.0.0.0",
                "-Dquarkus.http.port=" + PORT,
                "-jar", APP_DIR + "/quarkus-run.jar");
    }

    /**
     * @param state the state directory, mounted at the same path
     * @return the environment: H2 storage in the state directory, waiting on locks as the embedded registry does
     */
    static Map<String, String> environment(StateDirectory state) {
        return Map.of("REGISTRY_DATASOURCE_URL", "jdbc:h2:file:" + state.registry().resolve("registry")
                + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0");
    }

    /**
     * Starts the registry and waits until it is ready.
     *
     * @param network the network the broker is on too
     * @param state the state directory, with mesh-admin's password in its credential store
     * @param owner the user (uid:gid) that owns the state directory, whom the registry runs as
     * @param quarkusRunJar the registry server's {@code quarkus-run.jar}
     * @return the running container
     */
    static GenericContainer<?> start(Network network, StateDirectory state, String owner, Path quarkusRunJar) {
        GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withNetwork(network)
                .withNetworkAliases(ALIAS)
                .withFileSystemBind(quarkusRunJar.getParent().toString(), APP_DIR, BindMode.READ_ONLY)
                .withFileSystemBind(state.root().toString(), state.root().toString(), BindMode.READ_WRITE)
                .withEnv(environment(state))
                .withExposedPorts(PORT)
                .withCreateContainerCmdModifier(cmd -> cmd.withUser(owner))
                .withCommand(command(state).toArray(String[]::new))
                .waitingFor(Wait.forHttp("/health/ready").forPort(PORT).withStartupTimeout(Duration.ofMinutes(2)));
        registry.start();
        return registry;
    }
}
