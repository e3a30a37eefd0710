package io.streammesh.bench;

import io.streammesh.client.ClientConfigs;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.ScramLogins;
import io.streammesh.client.MeshStreams;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.StateDirectory;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.schema.ProductAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * One side of a ratio benchmark in a JVM of its own (issue 17's method: the sides no longer share
 * JIT, heap and garbage collections with each other or with the benchmark): the contract gate or
 * the byte copy of {@link GateBenchmark}, the gate on one of {@link GateEncryptionBenchmark}'s two
 * products, the view or the byte copy of {@link ViewBenchmark}, the plain producer or the
 * {@code ProductProducer} of {@link ProducerBenchmark}. The JVM lives for the whole benchmark, as
 * the sides did before, and runs a fresh instance of its app each round the benchmark asks for
 * over standard input, timing it there from the app's start until its committed input offsets
 * cover every record (a producer side keeps one producer and times sending every record).
 */
final class SideJvm implements AutoCloseable {

    /** The sides. */
    enum Kind {
        /** A Kafka Streams exactly-once byte copy of the input topic to {@link #COPY_SUFFIX}. */
        COPY,
        /** {@link GateApp} as the mesh runs it, on the input (ingest) topic. */
        GATE,
        /** The policy-enforcer's {@link ViewApp}: the views of every catalogued product, the input among them. */
        VIEW,
        /** {@link ProducerBenchmark}'s plain Avro {@code KafkaProducer} to the ingest topic of the product named as the input. */
        PLAIN,
        /** {@link ProducerBenchmark}'s {@code ProductProducer} of the product named as the input. */
        PRODUCER
    }

    /** A copy writes {@code <input's domain>.copy}, a topic of as many partitions that the benchmark creates. */
    static final String COPY_SUFFIX = ".copy";
    private static final String GATE_GROUP = PlatformApp.GATE.applicationId();
    /** Processed ingest records must stay for the next round: the gate's cleanup never runs during the benchmark. */
    private static final Duration NO_CLEANUP = Duration.ofDays(1);
    private static final String RATE = "rate ";
    private static final byte[] VIEW_SECRET = "bench-secret".getBytes(StandardCharsets.UTF_8);

    private final Process process;
    private final PrintWriter rounds;
    private final BufferedReader rates;

    private SideJvm(Process process) {
        this.process = process;
        this.rounds = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.rates = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts the JVM of one side.
     *
     * @param kind which side
     * @param state the mesh's state directory (the client configs; each app's state under it)
     * @param input the topic the side reads (the copy copies it)
     * @param records how many records a round must cover
     * @param label what tells the application ids of one benchmark's copies and views from another's
     * @return the side, waiting for rounds
     */
    static SideJvm start(Kind kind, Path state, String input, int records, String label) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java command"));
        return new SideJvm(new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), SideJvm.class.getName(),
                kind.name(), state.toString(), input, Integer.toString(records), label)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /**
     * @param input a topic a copy side reads
     * @return the topic it copies it to
     */
    static String copyTopic(String input) {
        return input.substring(0, input.indexOf('.')) + COPY_SUFFIX;
    }

    /**
     * Runs one round in the side's JVM.
     *
     * @param round the round's number, unique in the benchmark
     * @return what the round measured
     */
    GateBenchmark.Rate round(int round) throws IOException {
        rounds.println(round);
        String line = rates.readLine();
        if (line == null || !line.startsWith(RATE)) {
            throw new IllegalStateException("the side's JVM ended or failed a round (its errors are above): " + line);
        }
        String[] rate = line.substring(RATE.length()).split(" ");
        return new GateBenchmark.Rate(Double.parseDouble(rate[0]), Double.parseDouble(rate[1]), Long.parseLong(rate[2]), Long.parseLong(rate[3]));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        rounds.close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** @param args kind, state directory, input topic, records, label; then one round number per line on standard input */
    public static void main(String[] args) throws Exception {
        var kind = Kind.valueOf(args[0]);
        // As `mesh up` and `mesh app` run the apps: a process derives a principal's salted password once, not at every login.
        ScramLogins.install();
        Path state = Path.of(args[1]);
        var configs = new ClientConfigs(new StateDirectory(state).clients());
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int records = Integer.parseInt(args[3]);
        if (kind == Kind.PLAIN || kind == Kind.PRODUCER) {
            // a producer lives for the whole benchmark, as an application's does; the label is the producing domain
            try (var producer = new ProducerBenchmark.Side(kind == Kind.PRODUCER, configs.config(args[4]), ProductAddress.parse(args[2]), records)) {
                for (String round = in.readLine(); round != null; round = in.readLine()) {
                    long cpu = Benchmarks.cpuNanos();
                    double rate = producer.round();
                    report(new GateBenchmark.Rate(rate, rate, 0, (Benchmarks.cpuNanos() - cpu) / 1_000_000));
                }
            }
            return;
        }
        var side = new Rounds(configs.config("mesh-admin"), configs.config(GATE_GROUP), state, args[2], records, args[4]);
        for (String round = in.readLine(); round != null; round = in.readLine()) {
            report(switch (kind) {
                case COPY -> side.copy(Integer.parseInt(round));
                case GATE -> side.gate();
                case VIEW -> side.view(Integer.parseInt(round));
                case PLAIN, PRODUCER -> throw new IllegalStateException("a producer side has no app");
            });
        }
    }

    private static void report(GateBenchmark.Rate rate) {
        System.out.println(RATE + rate.fromStart() + " " + rate.steady() + " " + rate.startMillis() + " " + rate.cpuMillis());
        System.out.flush();
    }

    /** What a side's JVM runs, one fresh app per round. */
    private record Rounds(MeshClientConfig admin, MeshClientConfig gateConfig, Path state, String input, int records, String label) {

        GateBenchmark.Rate copy(int round) throws Exception {
            String id = "bench-copy-" + label + round;
            var builder = new StreamsBuilder();
            builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                    .to(copyTopic(input), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
            long cpu = Benchmarks.cpuNanos();
            long start = System.nanoTime();
            var streams = MeshStreams.create(builder.build(), MeshStreams.independentPartitions(MeshStreams.exactlyOnce(admin, id, state.resolve(id))));
            try {
                MeshStreams.start(streams, "byte copy");
                return drained(id, start, System.nanoTime(), cpu);
            } finally {
                MeshStreams.stop(streams);
            }
        }

        /**
         * The gate with no committed offsets on this side's ingest topic, so it reads that topic
         * again; those of other ingest topics stay where they are, so that two gate sides, each
         * on its own product (gate-encryption), read only their own. Its state directory is kept
         * across rounds, as a gate restarting on its machine keeps it.
         */
        GateBenchmark.Rate gate() throws Exception {
            try (var client = Admin.create(admin.kafka())) {
                boolean known = client.listConsumerGroups().all().get().stream().anyMatch(group -> group.groupId().equals(GATE_GROUP));
                if (known) {
                    Set<TopicPartition> partitions = client.describeTopics(List.of(input)).allTopicNames().get().get(input).partitions()
                            .stream().map(p -> new TopicPartition(input, p.partition())).collect(Collectors.toSet());
                    client.deleteConsumerGroupOffsets(GATE_GROUP, partitions).all().get();
                }
            }
            long cpu = Benchmarks.cpuNanos();
            long start = System.nanoTime();
            try (var gate = GateApp.start(gateConfig, state.resolve("gate"), NO_CLEANUP)) {
                return drained(GATE_GROUP, start, System.nanoTime(), cpu);
            }
        }

        /** The enforcer's views as {@code mesh up} runs them, under an application id of the round's own, so they read the input from its start. */
        GateBenchmark.Rate view(int round) throws Exception {
            String id = "bench-views-" + label + round;
            long cpu = Benchmarks.cpuNanos();
            long start = System.nanoTime();
            try (var views = ViewApp.start(admin, state.resolve(id), VIEW_SECRET, new SimpleMeterRegistry(), id)) {
                return drained(id, start, System.nanoTime(), cpu);
            }
        }

        private GateBenchmark.Rate drained(String group, long start, long running, long cpu) throws Exception {
            try (var client = Admin.create(admin.kafka())) {
                return Benchmarks.drained(client, group, input, records, start, running, cpu);
            }
        }
    }
}
