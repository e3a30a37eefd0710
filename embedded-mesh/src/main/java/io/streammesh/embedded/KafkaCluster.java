package io.streammesh.embedded;

import io.streammesh.schema.MeshException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's KRaft brokers in this JVM: one node, or several forming a cluster whose controller
 * quorum is every node (three nodes survive one stopped). Every node runs the same SASL settings,
 * authorizer and {@link Replication}. A node can be stopped and started again on the same ports
 * and data, as an operator restarts a broker, to test how the mesh rides it out.
 */
public final class KafkaCluster implements AutoCloseable {

    private static final String META = "meta.properties";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    /** How long closing waits for each node to stop. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final Map<Integer, Properties> settings;
    private final Map<Integer, Path> logDirs;
    private final Map<Integer, KafkaBroker> running = new TreeMap<>();
    private final String bootstrapServers;

    private KafkaCluster(Map<Integer, Properties> settings, Map<Integer, Path> logDirs, String bootstrapServers) {
        this.settings = settings;
        this.logDirs = logDirs;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats the nodes' log directories on first use, then starts every node, side by side (a
     * node of a cluster is ready only once a quorum runs).
     *
     * @param state the mesh's state directory, checked to hold a mesh of this many brokers
     * @param nodes the nodes, ids from 1
     * @param host the address every listener binds
     * @param adminPassword the password the brokers authenticate with as mesh-admin
     * @param authorizer each node's authorizer
     * @return the running cluster
     * @throws MeshException if the state directory holds a mesh of another size, or a node does not start
     */
    static KafkaCluster start(StateDirectory state, List<BrokerNode> nodes, String host, String adminPassword,
                              Function<BrokerNode, BrokerAuthorizer> authorizer) {
        checkSize(state, nodes.size());
        format(state, nodes);
        var replication = Replication.forBrokers(nodes.size());
        Map<Integer, Properties> settings = new TreeMap<>();
        Map<Integer, Path> logDirs = new TreeMap<>();
        for (BrokerNode node : nodes) {
            Properties props = KafkaBroker.properties(node, nodes, host, adminPassword, state.credentials(), replication);
            authorizer.apply(node).applyTo(props);
            settings.put(node.id(), props);
            logDirs.put(node.id(), node.logDir());
        }
        var cluster = new KafkaCluster(settings, logDirs,
                String.join(",", nodes.stream().map(n -> n.address(host)).toList()));
        cluster.startAll();
        return cluster;
    }

    /**
     * @param state the mesh's state directory
     * @param brokers how many brokers
     * @param ports each node's client and controller port, by node id
     * @return the nodes: a single one keeps its data where a one-broker mesh always has
     */
    static List<BrokerNode> nodes(StateDirectory state, int brokers, Function<Integer, int[]> ports) {
        var nodes = new ArrayList<BrokerNode>();
        for (int id = 1; id <= brokers; id++) {
            int[] port = ports.apply(id);
            Path logDir = brokers == 1 ? state.kafka() : state.kafkaNodes().resolve("node-" + id);
            Path spool = brokers == 1 ? state.auditSpool() : state.auditSpool().resolve("node-" + id);
            nodes.add(new BrokerNode(id, logDir, spool, port[0], port[1]));
        }
        return List.copyOf(nodes);
    }

    /** @return the client addresses of every node, comma-separated */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** @return every node's id, running or not */
    public List<Integer> nodeIds() {
        return List.copyOf(settings.keySet());
    }

    /** @return the ids of the nodes running now */
    public synchronized List<Integer> runningNodeIds() {
        return List.copyOf(running.keySet());
    }

    /**
     * Stops a node cleanly (its partitions' leadership moves to the others), as an operator stops a broker.
     *
     * @param nodeId the node
     * @throws MeshException if no such node runs
     */
    public synchronized void stop(int nodeId) {
        KafkaBroker broker = running.remove(nodeId);
        if (broker == null) {
            throw new MeshException("broker " + nodeId + " is not running; running: " + running.keySet());
        }
        broker.close();
    }

    /**
     * Starts a stopped node again, on its ports and data.
     *
     * @param nodeId the node
     * @throws MeshException if it is unknown, runs already, or does not start
     */
    public synchronized void start(int nodeId) {
        if (!settings.containsKey(nodeId) || running.containsKey(nodeId)) {
            throw new MeshException("broker " + nodeId + " cannot be started: it " + (settings.containsKey(nodeId)
                    ? "runs already" : "is not one of brokers " + settings.keySet()));
        }
        running.put(nodeId, KafkaBroker.start(settings.get(nodeId), logDirs.get(nodeId)));
    }

    /**
     * Stops every running node: first each node's broker role, one after the other, while the
     * controller quorum still runs to acknowledge each controlled shutdown; then the nodes, side by
     * side. Nodes stopped whole, one after the other, leave the last broker waiting minutes for a
     * quorum that is gone; side by side, the same happens whenever a broker is slow to stop.
     */
    @Override
    public synchronized void close() {
        for (var node : running.entrySet()) {
            stopAll("broker-role", Map.of(node.getKey(), node.getValue()), KafkaBroker::stopBrokerRole);
        }
        stopAll("node", running, KafkaBroker::close);
        running.clear();
    }

    /**
     * Bounded: a node that never stops (seen when a cluster's start failed) must not hang whoever
     * closes the cluster. An interrupt does not cut the wait short (the next stage would then run
     * beside this one, which is what the stages prevent); it is kept for the caller.
     */
    private static void stopAll(String what, Map<Integer, KafkaBroker> nodes, Consumer<KafkaBroker> stop) {
        var stopping = new ArrayList<Thread>();
        nodes.forEach((id, broker) -> {
            var thread = new Thread(() -> stop.accept(broker), what + "-" + id + "-stop");
            thread.start();
            stopping.add(thread);
        });
        boolean interrupted = false;
        for (Thread thread : stopping) {
            long deadline = System.nanoTime() + STOP_WAIT.toNanos();
            while (thread.isAlive() && System.nanoTime() < deadline) {
                try {
                    thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (thread.isAlive()) {
                LOG.warn("{} did not end within {} s; the cluster is closed without it", thread.getName(), STOP_WAIT.toSeconds());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void startAll() {
        var starting = new TreeMap<Integer, CompletableFuture<KafkaBroker>>();
        settings.forEach((id, props) -> starting.put(id, CompletableFuture.supplyAsync(
                () -> KafkaBroker.start(props, logDirs.get(id)), runnable -> new Thread(runnable, "broker-" + id + "-start").start())));
        RuntimeException failure = null;
        for (var started : starting.entrySet()) {
            try {
                running.put(started.getKey(), started.getValue().join());
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException cause ? cause
                            : new MeshException("broker " + started.getKey() + " did not start: " + e.getCause(), e.getCause());
                }
            }
        }
        if (failure != null) {
            close();
            throw failure;
        }
    }

    /** A state directory keeps the size of the cluster that wrote it: SCRAM credentials and data live in its log. */
    private static void checkSize(StateDirectory state, int brokers) {
        int existing = Files.exists(state.kafka().resolve(META)) ? 1
                : Files.isDirectory(state.kafkaNodes()) ? nodeDirectories(state).size() : 0;
        if (existing != 0 && existing != brokers) {
            throw new MeshException("the state directory " + state.root() + " holds a mesh of " + existing + " broker"
                    + (existing == 1 ? "" : "s") + ", not " + brokers + "; start it with --brokers " + existing
                    + ", or afresh with --fresh");
        }
    }

    private static List<Path> nodeDirectories(StateDirectory state) {
        try (var dirs = Files.list(state.kafkaNodes())) {
            return dirs.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new MeshException("cannot list " + state.kafkaNodes() + ": " + e.getMessage(), e);
        }
    }

    /** Formats every node of a new cluster with one cluster id; a started cluster is never formatted again. */
    private static void format(StateDirectory state, List<BrokerNode> nodes) {
        long formatted = nodes.stream().filter(n -> Files.exists(n.logDir().resolve(META))).count();
        if (formatted == nodes.size()) {
            return;
        }
        if (formatted > 0) {
            throw new MeshException("only " + formatted + " of the " + nodes.size() + " brokers' log directories under "
                    + state.root() + " are formatted; start afresh with mesh up --fresh");
        }
        String clusterId = Uuid.randomUuid().toString();
        for (BrokerNode node : nodes) {
            try {
                Files.createDirectories(node.logDir());
                new Formatter()
                        .setNodeId(node.id())
                        .setClusterId(clusterId)
                        .setControllerListenerName(KafkaBroker.CONTROLLER_LISTENER)
                        .setMetadataLogDirectory(node.logDir().toString())
                        .setHasDynamicQuorum(false)
                        .addDirectory(node.logDir().toString())
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .run();
            } catch (Exception e) {
                throw new MeshException("cannot format the Kafka log directory " + node.logDir() + ": " + e.getMessage()
                        + "; start afresh with mesh up --fresh", e);
            }
        }
    }
}
