package io.streammesh.client;

import io.streammesh.schema.MeshException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the mesh runs its Kafka Streams apps (catalog-stream, policy-enforcer views, audit-sink):
 * exactly once v2, as the app's own principal, quick commits, undecodable records logged and
 * skipped rather than a crash loop, a crashed instance's partitions moved on after 10 s, a failed
 * thread replaced, and a clean stop that leaves the group at once.
 */
public final class MeshStreams {

    private static final Logger LOG = LoggerFactory.getLogger(MeshStreams.class);
    /** A task's directory in an app's state directory: {@code <sub-topology>_<partition>}. */
    private static final Pattern TASK_DIRECTORY = Pattern.compile("(\\d+)_(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /**
     * The longest a global consumer's fetch waits for records that are not there. It fetches for
     * as long as the app runs: a shorter wait costs the broker a fetch every few milliseconds from
     * every idle app.
     */
    private static final Duration GLOBAL_FETCH_WAIT = Duration.ofMillis(50);
    /**
     * The longest a restore consumer's fetch waits for records that are not there. It fetches while
     * a store is restored (or a standby or warm-up replica kept), the broker answering at once while
     * there are records; a fetch held at the end holds up the next request on its connection, the
     * end offsets of the task's next changelog (with 50 ms, a tenth of the gate's start).
     */
    private static final Duration RESTORE_FETCH_WAIT = Duration.ofMillis(10);

    private MeshStreams() {
    }

    /**
     * @param clientConfig the app principal's client config
     * @param applicationId the app's id (its principal's prefix covers its internal topics)
     * @param stateDir where the app keeps its local state
     * @return the settings every mesh app shares; add the app's own
     */
    public static Properties exactlyOnce(MeshClientConfig clientConfig, String applicationId, Path stateDir) {
        var props = clientConfig.kafka();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        props.put(StreamsConfig.METADATA_MAX_AGE_CONFIG, "5000");
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1");
        // A crashed instance's partitions move to the others after 10 s, not Kafka's default 45 s.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "3000");
        // A store's restoration and a global table's catch-up end on a fetch that finds nothing
        // new: the broker holds it up to fetch.max.wait.ms (500 ms by default) each time.
        props.put(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), String.valueOf(RESTORE_FETCH_WAIT.toMillis()));
        props.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), String.valueOf(GLOBAL_FETCH_WAIT.toMillis()));
        // poll.ms stays Kafka's 100 ms: a shorter poll costs every idle stream thread for good, measured with one idle
        // exactly-once app 2.0 % of a core at 100 ms, 2.9 % at 50, 3.5 % at 25, 5.2 % at 10 (benchmarks README). What a
        // whole poll.ms cost each start of a stateful app, apps made with create() no longer pay (PromptStartClients).
        // Kafka clients push their metrics to the broker (KIP-714) unless told not to; the mesh's apps serve theirs to
        // Prometheus, and the push's reporter renamed every metric a new partition brings on the stream thread (with many
        // products, a third of a second of each gate start). A client config that asks for the push keeps it.
        props.putIfAbsent(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
        return props;
    }

    /**
     * The app, with Kafka Streams' clients but consumers that do not sit out a whole
     * {@code poll.ms} while it starts or rebalances ({@link PromptStartClients}). Its state
     * listener is taken: set none of your own.
     *
     * @param topology the app's topology
     * @param props {@link #exactlyOnce} settings
     * @return the app, not started
     */
    public static KafkaStreams create(Topology topology, Properties props) {
        var clients = new PromptStartClients();
        var streams = new KafkaStreams(topology, props, clients);
        streams.setStateListener(clients);
        return streams;
    }

    /**
     * For an app that reads every product's (or domain's) topic by pattern, so that each of its
     * tasks holds a partition of each, and whose records of different topics do not depend on each
     * other's order (the contract gate, the views, health tracking): a task processes
     * the records it has instead of waiting until every partition's lag is known and its records
     * fetched, Kafka Streams' default for joins. So one product's partition never holds up
     * another's records, and Kafka Streams 4.3 does not format a log line for each empty partition
     * on every pass of its loop: with 300 idle products, that made one busy product's records
     * twenty times slower (benchmarks README).
     *
     * @param props {@link #exactlyOnce} settings
     * @return the same settings, for chaining
     */
    public static Properties independentPartitions(Properties props) {
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, String.valueOf(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        return props;
    }

    /**
     * Starts the app and waits until it runs; on failure it is closed. Its records are decoded
     * under {@link AvroLimits}.
     *
     * @param streams the app, not started
     * @param name how people call it, for messages
     * @throws MeshException if it does not reach RUNNING
     */
    public static void start(KafkaStreams streams, String name) {
        AvroLimits.requireInForce();
        streams.setUncaughtExceptionHandler(e -> {
            // Kafka Streams cannot replace its global thread (asked to, it fails with a ClassCastException)
            if (Thread.currentThread().getName().endsWith("-GlobalStreamThread")) {
                LOG.error("{} global thread failed; the app stops, as Kafka Streams cannot replace that thread", name, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            LOG.error("{} thread failed; replacing it", name, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING
                    || System.nanoTime() > deadline) {
                KafkaStreams.State state = streams.state();
                streams.close(Duration.ofSeconds(10));
                throw new MeshException(name + " did not start (state " + state + "); see the mesh log");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                streams.close(Duration.ofSeconds(10));
                throw new MeshException("interrupted while starting " + name, e);
            }
        }
    }

    /**
     * Removes the local state of tasks whose sub-topology the topology no longer has, as after a
     * version that moved part of an app elsewhere. Kafka Streams opens the stores of every task
     * directory it finds at start as stores of whatever sub-topology now has that number, and
     * fails the start when the number is now a global store's ("Metrics recorder is re-initialised
     * with different task"). What is removed is a local copy: changelogged state is read again
     * from its changelog by a task that needs it.
     *
     * @param topology the app's topology, as it is about to start
     * @param props its configuration (application id and state directory)
     */
    public static void forgetRemovedSubtopologies(Topology topology, Properties props) {
        Path appState = Path.of(props.getProperty(StreamsConfig.STATE_DIR_CONFIG), props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
        if (!Files.isDirectory(appState)) {
            return;
        }
        Set<Integer> current = topology.describe().subtopologies().stream().map(TopologyDescription.Subtopology::id).collect(Collectors.toSet());
        try (Stream<Path> entries = Files.list(appState)) {
            for (Path task : entries.toList()) {
                Matcher id = TASK_DIRECTORY.matcher(task.getFileName().toString());
                if (id.matches() && !current.contains(Integer.parseInt(id.group(1)))) {
                    LOG.info("Removing the local state of task {}: its sub-topology is not in this version of {}", task.getFileName(),
                            props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
                    deleteRecursively(task);
                }
            }
        } catch (IOException e) {
            throw new MeshException("cannot clear old task state in " + appState + ": " + e.getMessage(), e);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> all = Files.walk(directory)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * Stops the app and leaves its group, so that a restart gets its partitions at once, not
     * after the session timeout.
     *
     * @param streams a running app
     */
    public static void stop(KafkaStreams streams) {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
