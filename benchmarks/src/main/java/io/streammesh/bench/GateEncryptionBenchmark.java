package io.streammesh.bench;

import io.streammesh.embedded.EmbeddedMesh;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The contract gate with two encrypted fields (the demo order contract: customerEmail and
 * shippingAddress per customerId, 1,000 customers) against the same gate on the same contract
 * without {@code encryption}, in one run on one broker: both products' ingest topics hold the same
 * Avro records. Each product's gate runs in a JVM of its own ({@link SideJvm}, issue 17's method);
 * each round rewinds the gate's offsets on its product's ingest topic only and times the gate from
 * its start until its committed offsets there cover every record, the two alternated. The first
 * round of each is not counted (it creates the 1,000 data keys). The gate's state directory, and
 * so its KEKs, are kept across rounds. Goal: ratio encrypted / plain at least 0.85 (printed, not
 * asserted).
 */
final class GateEncryptionBenchmark {

    private static final double GOAL = 0.85;

    private final EmbeddedMesh mesh;
    private final int records;
    private final int rounds;
    private final Path state;

    GateEncryptionBenchmark(EmbeddedMesh mesh, int records, int rounds, Path state) {
        this.mesh = mesh;
        this.records = records;
        this.rounds = rounds;
        this.state = state;
    }

    /** @return the median ratio encrypted / plain */
    double run(PrintStream out) throws Exception {
        GateProduct encrypted = GateProduct.publish(mesh, "bench-enc", true);
        GateProduct plain = GateProduct.publish(mesh, "bench-plain", false);
        encrypted.writeIngest(GateProduct.Format.AVRO, records);
        plain.writeIngest(GateProduct.Format.AVRO, records);
        out.printf("Contract gate, two encrypted fields (%s) vs the same contract unencrypted (%s): %,d Avro records each, %d rounds after "
                + "1 uncounted, alternated; each gate in a JVM of its own%n", encrypted.address(), plain.address(), records, rounds);
        try (var encryptedSide = SideJvm.start(SideJvm.Kind.GATE, state, encrypted.address().ingestTopic(), records, "enc");
             var plainSide = SideJvm.start(SideJvm.Kind.GATE, state, plain.address().ingestTopic(), records, "plain")) {
            GateBenchmark.Rate creating = encryptedSide.round(0);
            GateBenchmark.Rate plainFirst = plainSide.round(0);
            out.printf("  uncounted first round, the encrypted gate creating the 1,000 data keys: plain %,7.0f records/s   encrypted %,7.0f "
                    + "records/s%n", plainFirst.fromStart(), creating.fromStart());
            var plainRates = new GateBenchmark.Rate[rounds];
            var encryptedRates = new GateBenchmark.Rate[rounds];
            for (int round = 0; round < rounds; round++) {
                plainRates[round] = plainSide.round(round + 1);
                encryptedRates[round] = encryptedSide.round(round + 1);
                out.printf("  round %d: plain %,7.0f records/s (steady %,7.0f, start %,5d ms, cpu %,5d ms)   encrypted %,7.0f records/s (steady "
                        + "%,7.0f, start %,5d ms, cpu %,5d ms)   ratio %.2f (steady %.2f, cpu %.2f)%n", round + 1, plainRates[round].fromStart(),
                        plainRates[round].steady(), plainRates[round].startMillis(), plainRates[round].cpuMillis(), encryptedRates[round].fromStart(),
                        encryptedRates[round].steady(), encryptedRates[round].startMillis(), encryptedRates[round].cpuMillis(),
                        encryptedRates[round].fromStart() / plainRates[round].fromStart(), encryptedRates[round].steady() / plainRates[round].steady(),
                        GateBenchmark.cpuRatio(plainRates[round], encryptedRates[round]));
            }
            double[] plainFromStart = GateBenchmark.fromStart(plainRates);
            double[] encryptedFromStart = GateBenchmark.fromStart(encryptedRates);
            double ratio = Benchmarks.median(encryptedFromStart) / Benchmarks.median(plainFromStart);
            double steadyRatio = Benchmarks.median(GateBenchmark.steady(encryptedRates)) / Benchmarks.median(GateBenchmark.steady(plainRates));
            out.printf("median: plain %,.0f records/s, encrypted %,.0f records/s, ratio %.2f (%s; steady %.2f; cpu %.2f)%n",
                    Benchmarks.median(plainFromStart), Benchmarks.median(encryptedFromStart), ratio,
                    Benchmarks.spread(encryptedFromStart, plainFromStart), steadyRatio, GateBenchmark.cpuRatio(plainRates, encryptedRates));
            out.printf("gate-encryption: goal ratio >= %.2f, measured %.3f: %s%n", GOAL, ratio, ratio >= GOAL ? "PASS" : "MISS");
            return ratio;
        }
    }
}
