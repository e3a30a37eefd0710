package io.streammesh.bench;

import io.streammesh.client.MeshStreams;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.ProductAddress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The contract gate ({@link GateApp} as the mesh runs it, exactly once, the demo order contract's
 * three CEL rules, without its field encryption, which {@link GateEncryptionBenchmark} measures
 * against this gate) against a Kafka Streams exactly-once byte copy of the same ingest topic to a
 * topic of as many partitions, with the same Streams settings ({@link MeshStreams#exactlyOnce}
 * and {@link MeshStreams#independentPartitions}, commit interval included), on the same broker;
 * each side in a JVM of its own ({@link SideJvm}), the broker in a third, fresh instances, rounds
 * alternated. A round is
 * timed from the app's start until its committed input offsets cover all records, which under
 * exactly once means all are in the product topic (or the dead-letter topic): start-up counts,
 * as it does for a gate that restarts behind a backlog. The rate between 10 % and 100 % of the
 * records is printed beside it. Goal: ratio at least 0.80 with Avro in, 0.50 with JSON in.
 */
final class GateBenchmark {

    private static final String DOMAIN = "bench-gate";
    private static final String IDLE_DOMAIN = "bench-idle";
    private static final int WARM_UP_ROUNDS = 3;

    private final EmbeddedMesh mesh;
    private final GateProduct.Format format;
    private final int records;
    private final int rounds;
    private final int idleProducts;
    private final Path state;

    /**
     * One round.
     *
     * @param fromStart records per second from the app's start
     * @param steady records per second between 10 % and 100 % of the records
     * @param startMillis how long the app took to start (to reach RUNNING)
     * @param cpuMillis the CPU time its side's JVM spent from the app's start until it covered
     *        every record: what another process on the host (whose CPU steal the wall clock
     *        counts) does not change, so a change's cost shows in it beside the noisy rates
     */
    record Rate(double fromStart, double steady, long startMillis, long cpuMillis) {
    }

    /**
     * @param idleProducts how many other products' ingest topics (three partitions each, no
     *        records) the gate reads beside the measured one, as on a mesh of many domains: each
     *        of the gate's tasks holds a partition of every ingest topic
     */
    GateBenchmark(EmbeddedMesh mesh, GateProduct.Format format, int records, int rounds, int idleProducts, Path state) {
        this.mesh = mesh;
        this.format = format;
        this.records = records;
        this.rounds = rounds;
        this.idleProducts = idleProducts;
        this.state = state;
    }

    /** @return the median ratio gate / copy, from start */
    double run(PrintStream out) throws Exception {
        GateProduct product = GateProduct.publish(mesh, DOMAIN, false);
        String ingest = product.address().ingestTopic();
        int partitions = mesh.admin().describeTopics(List.of(ingest)).allTopicNames().get().get(ingest).partitions().size();
        mesh.admin().createTopics(List.of(new NewTopic(SideJvm.copyTopic(ingest), partitions, (short) 1))).all().get();
        product.writeIngest(format, records);
        createIdleIngestTopics(partitions);
        double goal = format == GateProduct.Format.AVRO ? 0.80 : 0.50;
        out.printf("Contract gate (%s in, 3 CEL rules, exactly once) vs Kafka Streams exactly-once byte copy of %s (%d partitions): "
                + "%,d records, %d rounds after %d uncounted, alternated; the gate also reads %,d idle products' ingest topics%n", format, ingest,
                partitions, records, rounds, WARM_UP_ROUNDS, idleProducts);
        String label = format.name().toLowerCase(Locale.ROOT);
        try (var copySide = SideJvm.start(SideJvm.Kind.COPY, state, ingest, records, label);
             var gateSide = SideJvm.start(SideJvm.Kind.GATE, state, ingest, records, label)) {
            return rounds(out, copySide, gateSide, goal);
        }
    }

    /**
     * Empty ingest topics of another domain's products, not in the catalog: the gate reads every
     * domain's ingest topics by pattern, so they join its tasks as idle tenants' would.
     */
    private void createIdleIngestTopics(int partitions) throws Exception {
        if (idleProducts == 0) {
            return;
        }
        mesh.onboarding().addDomain(IDLE_DOMAIN);
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 0; i < idleProducts; i++) {
            topics.add(new NewTopic(new ProductAddress(IDLE_DOMAIN, "p" + i, 1).ingestTopic(), partitions, (short) 1));
        }
        mesh.admin().createTopics(topics).all().get();
    }

    private double rounds(PrintStream out, SideJvm copySide, SideJvm gateSide, double goal) throws Exception {
        for (int round = -WARM_UP_ROUNDS; round < 0; round++) {
            copySide.round(round + WARM_UP_ROUNDS);
            gateSide.round(round + WARM_UP_ROUNDS);
        }
        Rate[] copies = new Rate[rounds];
        Rate[] gates = new Rate[rounds];
        for (int round = 0; round < rounds; round++) {
            copies[round] = copySide.round(round + WARM_UP_ROUNDS);
            gates[round] = gateSide.round(round + WARM_UP_ROUNDS);
            out.printf("  round %d: copy %,7.0f records/s (steady %,7.0f, start %,5d ms, cpu %,5d ms)   gate %,7.0f records/s (steady %,7.0f, "
                    + "start %,5d ms, cpu %,5d ms)   ratio %.2f (steady %.2f, cpu %.2f)%n", round + 1, copies[round].fromStart(), copies[round].steady(),
                    copies[round].startMillis(), copies[round].cpuMillis(), gates[round].fromStart(), gates[round].steady(), gates[round].startMillis(),
                    gates[round].cpuMillis(), gates[round].fromStart() / copies[round].fromStart(), gates[round].steady() / copies[round].steady(),
                    cpuRatio(copies[round], gates[round]));
        }
        double copy = Benchmarks.median(fromStart(copies));
        double gate = Benchmarks.median(fromStart(gates));
        double ratio = gate / copy;
        double steadyRatio = Benchmarks.median(steady(gates)) / Benchmarks.median(steady(copies));
        out.printf("median: copy %,.0f records/s, gate %,.0f records/s, ratio %.2f (%s; steady %.2f; cpu %.2f)%n", copy, gate, ratio,
                Benchmarks.spread(fromStart(gates), fromStart(copies)), steadyRatio, cpuRatio(copies, gates));
        out.printf("gate-%s: goal ratio >= %.2f, measured %.3f: %s%n", format.name().toLowerCase(Locale.ROOT), goal, ratio,
                ratio >= goal ? "PASS" : "MISS");
        return ratio;
    }

    /**
     * @param baseline one round of the baseline
     * @param measured the measured side's round beside it
     * @return the baseline's CPU time over the measured side's
     */
    static double cpuRatio(Rate baseline, Rate measured) {
        return (double) baseline.cpuMillis() / measured.cpuMillis();
    }

    /**
     * @param baseline the baseline's rounds
     * @param measured the measured side's, as many
     * @return the baseline's median CPU time over the measured side's: its throughput per CPU second, relative
     */
    static double cpuRatio(Rate[] baseline, Rate[] measured) {
        return Benchmarks.median(Arrays.stream(baseline).mapToDouble(Rate::cpuMillis).toArray())
                / Benchmarks.median(Arrays.stream(measured).mapToDouble(Rate::cpuMillis).toArray());
    }

    /** @return each round's rate from its app's start */
    static double[] fromStart(Rate[] rates) {
        return Arrays.stream(rates).mapToDouble(Rate::fromStart).toArray();
    }

    /** @return each round's rate between 10 % and 100 % of the records */
    static double[] steady(Rate[] rates) {
        return Arrays.stream(rates).mapToDouble(Rate::steady).toArray();
    }
}
