package io.streammesh.bench;

import io.streammesh.client.ClientConfigs;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.ScramLogins;
import io.streammesh.client.MeshStreams;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.StateDirectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * One side of {@link GateBenchmark}, the contract gate or the byte copy, in a JVM of its own
 * (issue 17's method: the sides no longer share JIT, heap and garbage collections with each
 * other or with the benchmark). The JVM lives for the whole benchmark, as the sides did before,
 * and runs a fresh instance of its app each round the benchmark asks for over standard input,
 * timing it there from the app's start until its committed input offsets cover every record.
 */
final class GateSide implements AutoCloseable {

    /** The two sides. */
    enum Kind {
        /** A Kafka Streams exactly-once byte copy of the ingest topic. */
        COPY,
        /** {@link GateApp} as the mesh runs it. */
        GATE
    }

    static final String COPY_TOPIC = "bench-gate.copy";
    private static final String GATE_GROUP = PlatformApp.GATE.applicationId();
    /** Processed ingest records must stay for the next round: the gate's cleanup never runs during the benchmark. */
    private static final Duration NO_CLEANUP = Duration.ofDays(1);
    private static final String RATE = "rate ";

    private final Process process;
    private final PrintWriter rounds;
    private final BufferedReader rates;

    private GateSide(Process process) {
        this.process = process;
        this.rounds = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.rates = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts the JVM of one side.
     *
     * @param kind which side
     * @param state the mesh's state directory (the client configs; each app's state under it)
     * @param ingest the ingest topic both sides read
     * @param records how many records a round must cover
     * @param label what tells the copy's application ids of one benchmark from another's
     * @return the side, waiting for rounds
     */
    static GateSide start(Kind kind, Path state, String ingest, int records, String label) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java command"));
        return new GateSide(new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), GateSide.class.getName(),
                kind.name(), state.toString(), ingest, Integer.toString(records), label)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
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
        return new GateBenchmark.Rate(Double.parseDouble(rate[0]), Double.parseDouble(rate[1]), Long.parseLong(rate[2]));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        rounds.close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** @param args kind, state directory, ingest topic, records, label; then one round number per line on standard input */
    public static void main(String[] args) throws Exception {
        var kind = Kind.valueOf(args[0]);
        // As `mesh up` and `mesh app` run the apps: a process derives a principal's salted password once, not at every login.
        ScramLogins.install();
        Path state = Path.of(args[1]);
        var configs = new ClientConfigs(new StateDirectory(state).clients());
        var side = new Rounds(configs.config("mesh-admin"), configs.config(GATE_GROUP), state, args[2], Integer.parseInt(args[3]), args[4]);
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String round = in.readLine(); round != null; round = in.readLine()) {
            GateBenchmark.Rate rate = kind == Kind.COPY ? side.copy(Integer.parseInt(round)) : side.gate();
            System.out.println(RATE + rate.fromStart() + " " + rate.steady() + " " + rate.startMillis());
            System.out.flush();
        }
    }

    /** What a side's JVM runs, one fresh app per round. */
    private record Rounds(MeshClientConfig admin, MeshClientConfig gateConfig, Path state, String ingest, int records, String label) {

        GateBenchmark.Rate copy(int round) throws Exception {
            String id = "bench-copy-" + label + round;
            var builder = new StreamsBuilder();
            builder.stream(ingest, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                    .to(COPY_TOPIC, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
            long start = System.nanoTime();
            var streams = new KafkaStreams(builder.build(), MeshStreams.exactlyOnce(admin, id, state.resolve(id)));
            try {
                MeshStreams.start(streams, "byte copy");
                return drained(id, start, System.nanoTime());
            } finally {
                MeshStreams.stop(streams);
            }
        }

        /**
         * The gate with no committed offsets, so it reads the whole ingest topic again; its state
         * directory is kept across rounds, as a gate restarting on its machine keeps it.
         */
        GateBenchmark.Rate gate() throws Exception {
            long start = System.nanoTime();
            try (var gate = GateApp.start(gateConfig, state.resolve("gate"), NO_CLEANUP)) {
                return drained(GATE_GROUP, start, System.nanoTime());
            } finally {
                try (var client = Admin.create(admin.kafka())) {
                    client.deleteConsumerGroups(List.of(GATE_GROUP)).all().get();
                }
            }
        }

        private GateBenchmark.Rate drained(String group, long start, long running) throws Exception {
            try (var client = Admin.create(admin.kafka())) {
                return Benchmarks.drained(client, group, ingest, records, start, running);
            }
        }
    }
}
