package io.streammesh.embedded;

import io.streammesh.schema.MeshException;
import java.nio.file.Path;

/**
 * How to run the embedded mesh. Read once at start; the defaults run the mesh a new user expects
 * ({@code .mesh/} in the working directory, Kafka on 127.0.0.1:9092, the registry on :8081).
 *
 * @param stateDir where topics, schemas, credentials and client configs live
 * @param host the loopback address every listener binds to
 * @param kafkaPort the client listener's port; 0 picks a free one
 * @param registryPort the registry's HTTP port; 0 picks a free one
 * @param registryJar the registry server's {@code quarkus-run.jar}; null to look for it
 *        (system property {@value RegistryProcess#JAR_PROPERTY}, environment variable
 *        {@value RegistryProcess#JAR_ENV}, then {@code registry-server/target/quarkus-app} in the
 *        working directory or above it)
 * @param fresh wipe the state directory's mesh data before starting
 * @param audit report every authorisation with the audit-authorizer's {@code AuditingAuthorizer}
 *        (true unless a benchmark wants the plain authorizer to compare with)
 * @param brokers how many KRaft brokers to run (each also a controller): 1, or a cluster of up
 *        to {@value #MAX_BROKERS} whose topics are replicated as {@link Replication#forBrokers} says;
 *        brokers after the first listen on the ports after {@code kafkaPort} (free ones if it is 0)
 */
public record MeshConfig(Path stateDir, String host, int kafkaPort, int registryPort, Path registryJar, boolean fresh, boolean audit,
                         int brokers) {

    /** The state directory a new user gets: {@code .mesh} in the working directory. */
    public static final Path DEFAULT_STATE_DIR = Path.of(".mesh");
    /** Kafka's usual port. */
    public static final int DEFAULT_KAFKA_PORT = 9092;
    /** Apicurio's usual port is 8080; the catalog REST API takes that one. */
    public static final int DEFAULT_REGISTRY_PORT = 8081;
    /** The largest cluster the mesh runs in one JVM. */
    public static final int MAX_BROKERS = 5;

    /** Fills in defaults and checks the ports and the broker count. */
    public MeshConfig {
        stateDir = (stateDir == null ? DEFAULT_STATE_DIR : stateDir).toAbsolutePath().normalize();
        host = host == null ? "127.0.0.1" : host;
        checkPort("Kafka port", kafkaPort);
        checkPort("registry port", registryPort);
        if (brokers < 1 || brokers > MAX_BROKERS) {
            throw new MeshException("--brokers " + brokers + " is not a broker count (1 to " + MAX_BROKERS + ")");
        }
        if (kafkaPort != 0) {
            checkPort("Kafka port of broker " + brokers, kafkaPort + brokers - 1);
        }
    }

    /** A single broker, as every mesh had before clusters: see the canonical constructor. */
    public MeshConfig(Path stateDir, String host, int kafkaPort, int registryPort, Path registryJar, boolean fresh, boolean audit) {
        this(stateDir, host, kafkaPort, registryPort, registryJar, fresh, audit, 1);
    }

    /** @return the defaults */
    public static MeshConfig defaults() {
        return new MeshConfig(DEFAULT_STATE_DIR, null, DEFAULT_KAFKA_PORT, DEFAULT_REGISTRY_PORT, null, false, true);
    }

    /**
     * For tests: free ports, so that several meshes can run on one machine.
     *
     * @param stateDir the state directory
     * @return a config with free ports
     */
    public static MeshConfig withFreePorts(Path stateDir) {
        return new MeshConfig(stateDir, null, 0, 0, null, false, true);
    }

    /** @param dir the state directory @return a copy using it */
    public MeshConfig withStateDir(Path dir) {
        return new MeshConfig(dir, host, kafkaPort, registryPort, registryJar, fresh, audit, brokers);
    }

    /** @param kafka the Kafka port @param registry the registry port @return a copy using them */
    public MeshConfig withPorts(int kafka, int registry) {
        return new MeshConfig(stateDir, host, kafka, registry, registryJar, fresh, audit, brokers);
    }

    /** @param audited whether the broker reports every authorisation @return a copy */
    public MeshConfig withAudit(boolean audited) {
        return new MeshConfig(stateDir, host, kafkaPort, registryPort, registryJar, fresh, audited, brokers);
    }

    /** @param wipe whether to wipe the state first @return a copy */
    public MeshConfig withFresh(boolean wipe) {
        return new MeshConfig(stateDir, host, kafkaPort, registryPort, registryJar, wipe, audit, brokers);
    }

    /** @param count how many brokers @return a copy running that many */
    public MeshConfig withBrokers(int count) {
        return new MeshConfig(stateDir, host, kafkaPort, registryPort, registryJar, fresh, audit, count);
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65_535) {
            throw new MeshException(what + " " + port + " is not a port number (0-65535, 0 picks a free one)");
        }
    }
}
