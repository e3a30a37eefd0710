package io.streammesh.bench;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshStreams;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The contract gate ({@link GateApp} as the mesh runs it, exactly once, the demo order contract's
 * three CEL rules, without its field encryption, which {@link GateEncryptionBenchmark} measures
 * against this gate) against a Kafka Streams exactly-once byte copy of the same ingest topic to a
 * topic of as many partitions, with the same Streams settings ({@link MeshStreams#exactlyOnce},
 * commit interval included), on the same broker; fresh instances, rounds alternated. A round is
 * timed from the app's start until its committed input offsets cover all records, which under
 * exactly once means all are in the product topic (or the dead-letter topic): start-up counts,
 * as it does for a gate that restarts behind a backlog. The rate between 10 % and 100 % of the
 * records is printed beside it. Goal: ratio at least 0.80 with Avro in, 0.50 with JSON in.
 */
final class GateBenchmark {

    private static final String DOMAIN = "bench-gate";
    private static final String COPY = DOMAIN + ".copy";
    private static final String GATE_GROUP = PlatformApp.GATE.applicationId();
    /** Processed ingest records must stay for the next round: the gate's cleanup never runs during the benchmark. */
    private static final Duration NO_CLEANUP = Duration.ofDays(1);
    private static final int WARM_UP_ROUNDS = 1;

    private final EmbeddedMesh mesh;
    private final GateProduct.Format format;
    private final int records;
    private final int rounds;
    private final Path state;
    private final MeshClientConfig admin;

    /**
     * One round.
     *
     * @param fromStart records per second from the app's start
     * @param steady records per second between 10 % and 100 % of the records
     * @param startMillis how long the app took to start (to reach RUNNING)
     */
    record Rate(double fromStart, double steady, long startMillis) {
    }

    GateBenchmark(EmbeddedMesh mesh, GateProduct.Format format, int records, int rounds, Path state) {
        this.mesh = mesh;
        this.format = format;
        this.records = records;
        this.rounds = rounds;
        this.state = state;
        this.admin = mesh.clientConfig("mesh-admin");
    }

    /** @return the median ratio gate / copy, from start */
    double run(PrintStream out) throws Exception {
        GateProduct product = GateProduct.publish(mesh, DOMAIN, false);
        String ingest = product.address().ingestTopic();
        int partitions = mesh.admin().describeTopics(List.of(ingest)).allTopicNames().get().get(ingest).partitions().size();
        mesh.admin().createTopics(List.of(new NewTopic(COPY, partitions, (short) 1))).all().get();
        product.writeIngest(format, records);
        double goal = format == GateProduct.Format.AVRO ? 0.80 : 0.50;
        out.printf("Contract gate (%s in, 3 CEL rules, exactly once) vs Kafka Streams exactly-once byte copy of %s (%d partitions): "
                + "%,d records, %d rounds after %d uncounted, alternated%n", format, ingest, partitions, records, rounds, WARM_UP_ROUNDS);
        for (int round = -WARM_UP_ROUNDS; round < 0; round++) {
            copyRate(ingest, round);
            gateRate(ingest);
        }
        Rate[] copies = new Rate[rounds];
        Rate[] gates = new Rate[rounds];
        double[] ratios = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            copies[round] = copyRate(ingest, round);
            gates[round] = gateRate(ingest);
            ratios[round] = gates[round].fromStart() / copies[round].fromStart();
            out.printf("  round %d: copy %,7.0f records/s (steady %,7.0f, start %,5d ms)   gate %,7.0f records/s (steady %,7.0f, start %,5d ms)"
                    + "   ratio %.2f (steady %.2f)%n", round + 1, copies[round].fromStart(), copies[round].steady(), copies[round].startMillis(),
                    gates[round].fromStart(), gates[round].steady(), gates[round].startMillis(), ratios[round],
                    gates[round].steady() / copies[round].steady());
        }
        double copy = Benchmarks.median(fromStart(copies));
        double gate = Benchmarks.median(fromStart(gates));
        double ratio = gate / copy;
        double steadyRatio = Benchmarks.median(steady(gates)) / Benchmarks.median(steady(copies));
        out.printf("median: copy %,.0f records/s, gate %,.0f records/s, ratio %.2f (single rounds %.2f-%.2f; steady %.2f)%n", copy, gate, ratio,
                min(ratios), max(ratios), steadyRatio);
        out.printf("gate-%s: goal ratio >= %.2f, measured %.3f: %s%n", format.name().toLowerCase(Locale.ROOT), goal, ratio,
                ratio >= goal ? "PASS" : "MISS");
        return ratio;
    }

    private Rate copyRate(String ingest, int round) throws Exception {
        String id = "bench-copy-" + format.name().toLowerCase(Locale.ROOT) + (round + WARM_UP_ROUNDS);
        var builder = new StreamsBuilder();
        builder.stream(ingest, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())).to(COPY, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        long start = System.nanoTime();
        var streams = new KafkaStreams(builder.build(), MeshStreams.exactlyOnce(admin, id, state.resolve(id)));
        try {
            MeshStreams.start(streams, "byte copy");
            return drained(id, ingest, start, System.nanoTime());
        } finally {
            MeshStreams.stop(streams);
        }
    }

    /**
     * The gate with no committed offsets, so it reads the whole ingest topic again; its state
     * directory is kept across rounds, as a gate restarting on its machine keeps it.
     */
    private Rate gateRate(String ingest) throws Exception {
        Path gateState = state.resolve("gate");
        long start = System.nanoTime();
        try (var gate = GateApp.start(mesh.clientConfig(GATE_GROUP), gateState, NO_CLEANUP)) {
            return drained(GATE_GROUP, ingest, start, System.nanoTime());
        } finally {
            mesh.admin().deleteConsumerGroups(List.of(GATE_GROUP)).all().get();
        }
    }

    /** Polls the group's committed offsets on the ingest topic until they cover every record. */
    private Rate drained(String group, String ingest, long start, long running) throws Exception {
        try (var client = Admin.create(admin.kafka())) {
            long tenth = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (System.nanoTime() < deadline) {
                long committed = client.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(ingest) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                long now = System.nanoTime();
                if (tenth == 0 && committed >= records / 10) {
                    tenth = now;
                }
                if (committed >= records) {
                    double fromStart = records / ((now - start) / 1e9);
                    // too few records to see 10 % and 100 % in different polls: the steady rate is not measurable
                    double steady = now > tenth ? (records - records / 10) / ((now - tenth) / 1e9) : fromStart;
                    return new Rate(fromStart, steady, (running - start) / 1_000_000);
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException(group + " did not process " + records + " records within 5 minutes");
        }
    }

    private static double[] fromStart(Rate[] rates) {
        return Arrays.stream(rates).mapToDouble(Rate::fromStart).toArray();
    }

    private static double[] steady(Rate[] rates) {
        return Arrays.stream(rates).mapToDouble(Rate::steady).toArray();
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }
}
