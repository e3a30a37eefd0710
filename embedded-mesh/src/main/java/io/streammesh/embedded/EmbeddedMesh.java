package io.streammesh.embedded;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.ClientConfigs;
import io.streammesh.client.KafkaCalls;
import io.streammesh.client.MeshEndpoints;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole mesh infrastructure on one machine: a KRaft broker in this JVM (SASL on every
 * listener, deny by default; or a cluster of them, {@link MeshConfig#brokers()}), the Apicurio Registry as a child process, the platform topics and
 * principals, and a client config for every principal. This is what {@code mesh up} runs and
 * what every integration test runs against: real parts, not stand-ins.
 *
 * <pre>{@code
 * try (EmbeddedMesh mesh = EmbeddedMesh.start(MeshConfig.defaults())) {
 *     mesh.onboarding().addDomain("orders");
 *     MeshClientConfig orders = mesh.clientConfig("orders");
 * }
 * }</pre>
 *
 * State lives in the config's state directory: a restart keeps topics, data, schemas and
 * principals; {@link MeshConfig#fresh()} wipes them. One mesh per state directory at a time.
 */
public final class EmbeddedMesh implements AutoCloseable {

    /** Chosen ports start here: above the well-known and most registered service ports. */
    private static final int FIRST_CHOSEN_PORT = 10_000;
    private static final int DEFAULT_EPHEMERAL_FROM = 32_768;
    /** Ports this process chose at random (a mesh that restarts takes its own again through its status). */
    private static final Set<Integer> CHOSEN = ConcurrentHashMap.newKeySet();
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMesh.class);
    private static final Duration BROKER_READY_TIMEOUT = Duration.ofSeconds(60);

    private final StateDirectory state;
    private final MeshEndpoints endpoints;
    private final Admin admin;
    private final Onboarding onboarding;
    private final StartedParts running;
    private final RegistrySupervisor registry;
    private final KafkaCluster brokers;

    private EmbeddedMesh(StateDirectory state, MeshEndpoints endpoints, Admin admin, StartedParts running, RegistrySupervisor registry,
                         KafkaCluster brokers) {
        this.state = state;
        this.brokers = brokers;
        this.registry = registry;
        this.endpoints = endpoints;
        this.admin = admin;
        this.onboarding = new Onboarding(admin, state, endpoints);
        this.running = running;
    }

    /**
     * Starts the mesh and waits until the broker and the registry are ready.
     *
     * @param config how to run it
     * @return the running mesh; close it to stop everything it started
     * @throws MeshException with a one-line reason if anything cannot start; nothing is left running
     */
    public static EmbeddedMesh start(MeshConfig config) {
        var state = new StateDirectory(config.stateDir());
        state.prepare();
        var running = new StartedParts();
        try {
            FileLock lock = state.lock();
            running.add(() -> lock.channel().close());
            if (config.fresh()) {
                state.wipe();
                state.prepare();
            }
            Optional<MeshStatus> previous = state.readStatus();
            String host = config.host();
            int kafkaPort = choosePort(host, config.kafkaPort(), previous.map(MeshStatus::kafkaPort), "Kafka", "--port");
            int registryPort = choosePort(host, config.registryPort(), previous.map(MeshStatus::registryPort),
                    "registry", "--registry-port");
            int controllerPort = choosePort(host, 0, previous.map(MeshStatus::controllerPort), "controller", "");
            List<BrokerNode> nodes = KafkaCluster.nodes(state, config.brokers(), id -> id == 1 ? new int[] {kafkaPort, controllerPort}
                    : new int[] {choosePort(host, config.kafkaPort() == 0 ? 0 : kafkaPort + id - 1, Optional.empty(), "Kafka", "--port"),
                            choosePort(host, 0, Optional.empty(), "controller", "")});

            Path registryJar = RegistryProcess.locateJar(config.registryJar());
            Path registryLog = state.logs().resolve("registry.log");
            startLog(registryLog);
            IntFunction<RegistryProcess> launchRegistry = port -> RegistryProcess.launch(registryJar,
                    host, port, state.registry(), registryLog, state.credentials());
            RegistryProcess registry = launchRegistry.apply(registryPort);
            running.add(registry);

            var clientConfigs = new ClientConfigs(state.clients());
            var credentials = CredentialStore.at(state.credentials());
            String adminPassword = knownAdminPassword(credentials, clientConfigs)
                    .orElseGet(CredentialStore::newPassword);
            // The broker authenticates itself as mesh-admin over PLAIN, so the store must know it first.
            credentials.put(MeshPrincipal.ADMIN, adminPassword);

            KafkaCluster brokers = running.add(KafkaCluster.start(state, nodes, host, adminPassword,
                    node -> config.audit() ? BrokerAuthorizer.auditing(state, node.auditSpool()) : BrokerAuthorizer.standard()));
            Properties platformClient = adminConfig(brokers.bootstrapServers(), adminPassword);
            Admin admin = Admin.create(platformClient);
            running.add(admin);
            awaitBroker(admin, nodes.size());
            // Checked on every start, not only after a run that left its status behind: a start that
            // failed on such a transaction stopped cleanly, and the transaction is still there.
            var coordinatorLog = new CoordinatorLog(platformClient);
            HangingTransactions.report(HangingTransactions.endAll(admin, coordinatorLog, Instant.now(), new HashMap<>()));
            running.add(HangingTransactions.watch(admin, coordinatorLog));
            try {
                registry.awaitReady(adminPassword);
            } catch (RegistryProcess.PortTaken e) {
                if (config.registryPort() != 0) {
                    throw e;
                }
                // A free port we picked was taken (often by an outgoing connection) while the
                // registry's JVM booted: pick another once rather than fail the whole start.
                LOG.info("Registry port {} was taken while it started; trying another", registryPort);
                running.remove(registry);
                registry.close();
                registryPort = choosePort(host, 0, Optional.empty(), "registry", "--registry-port");
                registry = launchRegistry.apply(registryPort);
                running.add(registry);
                registry.awaitReady(adminPassword);
            }
            // From here on a registry that dies is started again, on the same port so client configs stay valid.
            running.remove(registry);
            int readyPort = registryPort;
            var supervisor = running.add(new RegistrySupervisor(registry, () -> launchRegistry.apply(readyPort), adminPassword,
                    restarts -> state.updateStatus(status -> status.withRegistryRestarts(restarts))));
            var endpoints = new MeshEndpoints(brokers.bootstrapServers(), registry.baseUrl());

            var mesh = new EmbeddedMesh(state, endpoints, admin, running, supervisor, brokers);
            mesh.onboarding.setPassword(MeshPrincipal.ADMIN, adminPassword);
            mesh.onboarding.ensurePlatform();
            clientConfigs.refresh(credentials.principals(), endpoints);
            state.writeStatus(new MeshStatus(ProcessHandle.current().pid(), endpoints.bootstrapServers(),
                    endpoints.registryUrl(), kafkaPort, controllerPort, registryPort, Instant.now(), null, 0, null));
            running.atEnd(state::clearStatus);
            LOG.info("Mesh ready: Kafka {} registry {} state {}", endpoints.bootstrapServers(), endpoints.registryUrl(), state.root());
            return mesh;
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
    }

    /**
     * Attaches to a broker and a registry this mesh did not start (containers, say), configured
     * as the embedded ones are: SASL PLAIN checked against this state directory's credential
     * store, SCRAM-SHA-512, deny by default, mesh-admin the super user, the registry checking
     * the same store. Onboarding, client configs and the state directory then work as on a
     * started mesh; {@link #killRegistry()} and {@link #restartRegistry()} do not, as there is
     * no registry process here to kill.
     *
     * @param stateDir the state directory whose credential store the broker and the registry
     *        check, and which already knows mesh-admin's password
     * @param endpoints where clients reach the broker and the registry
     * @param adminPassword mesh-admin's password
     * @param backend what runs the broker and the registry; closed with the mesh
     * @return the attached mesh, with the platform topics, ACLs and registry rules in place
     * @throws MeshException with a one-line reason if the broker or the registry cannot be used;
     *         the backend is closed then
     */
    public static EmbeddedMesh attach(Path stateDir, MeshEndpoints endpoints, String adminPassword, AutoCloseable backend) {
        var state = new StateDirectory(stateDir);
        var running = new StartedParts();
        running.add(backend);
        try {
            state.prepare();
            Admin admin = running.add(Admin.create(adminConfig(endpoints.bootstrapServers(), adminPassword)));
            awaitBroker(admin, 1);
            RegistryProcess.applyGlobalRules(RegistryProcess.adminClient(), endpoints.registryUrl(), adminPassword);
            var mesh = new EmbeddedMesh(state, endpoints, admin, running, null, null);
            mesh.onboarding.setPassword(MeshPrincipal.ADMIN, adminPassword);
            mesh.onboarding.ensurePlatform();
            new ClientConfigs(state.clients()).refresh(CredentialStore.at(state.credentials()).principals(), endpoints);
            LOG.info("Mesh attached: Kafka {} registry {} state {}", endpoints.bootstrapServers(), endpoints.registryUrl(), state.root());
            return mesh;
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
    }

    /**
     * @return whether this mesh runs the registry process itself, so that {@link #killRegistry()}
     *         and {@link #restartRegistry()} work (false when {@linkplain #attach attached})
     */
    public boolean runsRegistryProcess() {
        return registry != null;
    }

    /**
     * @return the brokers this mesh runs, to stop and start one (a cluster's chaos tests)
     * @throws UnsupportedOperationException on an {@linkplain #attach attached} mesh, whose brokers run elsewhere
     */
    public KafkaCluster brokers() {
        if (brokers == null) {
            throw new UnsupportedOperationException("this mesh is attached to the brokers at " + endpoints.bootstrapServers()
                    + "; only a started mesh stops and starts its brokers");
        }
        return brokers;
    }

    /** @return where clients reach the mesh */
    public MeshEndpoints endpoints() {
        return endpoints;
    }

    /** @return the mesh's state directory */
    public StateDirectory state() {
        return state;
    }

    /** @return an Admin client authenticated as mesh-admin, closed with the mesh */
    public Admin admin() {
        return admin;
    }

    /** @return onboarding of principals and domains, as mesh-admin */
    public Onboarding onboarding() {
        return onboarding;
    }

    /**
     * @param principal a principal's name, with or without {@code User:}
     * @return its Java client config (SCRAM-SHA-512), as written to the state directory
     */
    public MeshClientConfig clientConfig(String principal) {
        return new ClientConfigs(state.clients()).config(MeshPrincipal.bareName(principal));
    }

    /**
     * Kills the registry process as a crash would ({@code kill -9}), to test how clients ride out
     * a registry outage; it stays down (the mesh's supervision holds off) until
     * {@link #restartRegistry()} brings it back.
     *
     * @throws NoRegistryProcess on an {@linkplain #attach attached} mesh
     */
    public void killRegistry() {
        requireRegistryProcess("killRegistry");
        registry.killAndHold();
    }

    /**
     * Starts the registry again, on the same port and data, after {@link #killRegistry()}.
     *
     * @throws MeshException if it does not get ready
     * @throws NoRegistryProcess on an {@linkplain #attach attached} mesh
     */
    public void restartRegistry() {
        requireRegistryProcess("restartRegistry");
        registry.release();
    }

    private void requireRegistryProcess(String operation) {
        if (registry == null) {
            throw new NoRegistryProcess(operation + " needs the registry process an embedded mesh starts; "
                    + "this mesh is attached to the registry at " + endpoints.registryUrl());
        }
    }

    /**
     * Finds the registry server's {@code quarkus-run.jar} as {@link #start} does (system property
     * {@value RegistryProcess#JAR_PROPERTY}, environment variable {@value RegistryProcess#JAR_ENV},
     * then {@code registry-server/target/quarkus-app} here or above), for a registry run elsewhere.
     *
     * @return the jar
     * @throws MeshException saying how to build it
     */
    public static Path registryServerJar() {
        return RegistryProcess.locateJar(null);
    }

    /**
     * An operation that needs a process only a {@linkplain #start started} mesh runs, asked of
     * an {@linkplain #attach attached} one.
     */
    public static final class NoRegistryProcess extends UnsupportedOperationException {
        private static final long serialVersionUID = 1L;

        /** @param message what was asked and of which mesh */
        public NoRegistryProcess(String message) {
            super(message);
        }
    }

    /** Stops the registry and the broker and releases the state directory. */
    @Override
    public void close() {
        running.close();
        LOG.info("Mesh stopped");
    }

    static Properties adminConfig(String bootstrapServers, String adminPassword) {
        var props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, PlainLoginModule.class.getName() + " required username=\""
                + MeshPrincipal.ADMIN.name() + "\" password=\"" + adminPassword + "\";");
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "mesh-platform");
        return props;
    }

    /** Each mesh starts its registry's log afresh; restarts append to it, so it keeps why the registry died. */
    private static void startLog(Path log) {
        try {
            StateDirectory.writePrivate(log, "");
        } catch (IOException e) {
            throw new MeshException("cannot write " + log + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> knownAdminPassword(CredentialStore credentials, ClientConfigs clientConfigs) {
        if (credentials.find(MeshPrincipal.ADMIN.name()).isEmpty()) {
            return Optional.empty();
        }
        return clientConfigs.kcatPassword(MeshPrincipal.ADMIN.name())
                .filter(password -> credentials.authenticate(MeshPrincipal.ADMIN.name(), password));
    }

    /** Every broker, not just one: platform topics are created with a copy on each, right after. */
    private static void awaitBroker(Admin admin, int brokers) {
        long deadline = System.nanoTime() + BROKER_READY_TIMEOUT.toNanos();
        MeshException last = null;
        int seen = 0;
        while (System.nanoTime() < deadline) {
            try {
                seen = KafkaCalls.await(admin.describeCluster().nodes(), "reach the broker").size();
                if (seen >= brokers) {
                    return;
                }
                Thread.sleep(100);
            } catch (MeshException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted while waiting for the Kafka broker", e);
            }
        }
        throw new MeshException("the Kafka broker was not ready within " + BROKER_READY_TIMEOUT.toSeconds() + " s"
                + (brokers > 1 ? " (" + seen + " of " + brokers + " brokers seen)" : "")
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /**
     * Picks the port to listen on: the one asked for, else the one used last time (so client
     * configs stay valid across restarts) if still free, else any free one.
     */
    private static int choosePort(String host, int asked, Optional<Integer> previous, String what, String option) {
        if (asked != 0) {
            if (!isFree(host, asked)) {
                throw new MeshException("the " + what + " port " + asked + " on " + host + " is in use "
                        + "(another Kafka, registry or mesh?); stop that process or pick another port"
                        + (option.isEmpty() ? "" : " with " + option));
            }
            return asked;
        }
        if (previous.isPresent() && previous.get() > 0 && isFree(host, previous.get())) {
            return previous.get();
        }
        int below = ephemeralPortsFrom();
        if (below - FIRST_CHOSEN_PORT >= 1_000) {
            for (int attempt = 0; attempt < 100; attempt++) {
                int port = ThreadLocalRandom.current().nextInt(FIRST_CHOSEN_PORT, below);
                // the ports of one start are chosen before any is bound: one chosen already is not free for another
                if (isFree(host, port) && CHOSEN.add(port)) {
                    return port;
                }
            }
        }
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new MeshException("cannot find a free " + what + " port on " + host + ": " + e.getMessage(), e);
        }
    }

    /**
     * The first port the system hands to outgoing connections (Linux's {@code ip_local_port_range};
     * 32768 where it cannot be read). A port is chosen below it: the broker binds its ports seconds
     * after they are chosen (the registry's JVM boots in between), and a port from the range the
     * system takes any free port from for an outgoing connection could be gone by then.
     */
    private static int ephemeralPortsFrom() {
        try {
            // read by line: Files.readString trusts the size procfs reports, and read "3" of "32768\t60999"
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_FROM;
        }
    }

    /**
     * Whether a server could listen on the port now. Like Kafka's and the registry's own listeners,
     * it ignores connections a stopped mesh left in TIME_WAIT, which would otherwise refuse a
     * restart for a minute; a port someone listens on is still refused.
     */
    private static boolean isFree(String host, int port) {
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
