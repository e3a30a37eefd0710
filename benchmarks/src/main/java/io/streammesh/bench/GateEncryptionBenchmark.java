package io.streammesh.bench;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * The contract gate with two encrypted fields (the demo order contract: customerEmail and
 * shippingAddress per customerId, 1,000 customers) against the same gate on the same contract
 * without {@code encryption}, in one run on one broker: both products' ingest topics hold the same
 * Avro records; each round rewinds the gate's offsets on one ingest topic and times the gate from
 * its start until its committed offsets there cover every record, the two alternated. The first
 * round of each is not counted (it creates the 1,000 data keys). The gate's state directory, and
 * so its KEKs, are kept across rounds. Goal: ratio encrypted / plain at least 0.85 (printed, not
 * asserted).
 */
final class GateEncryptionBenchmark {

    private static final String GATE_GROUP = PlatformApp.GATE.applicationId();
    private static final Duration NO_CLEANUP = Duration.ofDays(1);
    private static final double GOAL = 0.85;

    private final EmbeddedMesh mesh;
    private final int records;
    private final int rounds;
    private final Path state;
    private final MeshClientConfig admin;

    GateEncryptionBenchmark(EmbeddedMesh mesh, int records, int rounds, Path state) {
        this.mesh = mesh;
        this.records = records;
        this.rounds = rounds;
        this.state = state;
        this.admin = mesh.clientConfig("mesh-admin");
    }

    /** @return the median ratio encrypted / plain */
    double run(PrintStream out) throws Exception {
        GateProduct encrypted = GateProduct.publish(mesh, "bench-enc", true);
        GateProduct plain = GateProduct.publish(mesh, "bench-plain", false);
        encrypted.writeIngest(GateProduct.Format.AVRO, records);
        plain.writeIngest(GateProduct.Format.AVRO, records);
        out.printf("Contract gate, two encrypted fields (%s) vs the same contract unencrypted (%s): %,d Avro records each, %d rounds after "
                + "1 uncounted, alternated%n", encrypted.address(), plain.address(), records, rounds);
        String encryptedIngest = encrypted.address().ingestTopic();
        String plainIngest = plain.address().ingestTopic();
        rate(encryptedIngest);
        rate(plainIngest);
        var plainRates = new GateBenchmark.Rate[rounds];
        var encryptedRates = new GateBenchmark.Rate[rounds];
        for (int round = 0; round < rounds; round++) {
            plainRates[round] = rate(plainIngest);
            encryptedRates[round] = rate(encryptedIngest);
            out.printf("  round %d: plain %,7.0f records/s (steady %,7.0f, start %,5d ms)   encrypted %,7.0f records/s (steady %,7.0f, "
                    + "start %,5d ms)   ratio %.2f (steady %.2f)%n", round + 1, plainRates[round].fromStart(), plainRates[round].steady(),
                    plainRates[round].startMillis(), encryptedRates[round].fromStart(), encryptedRates[round].steady(),
                    encryptedRates[round].startMillis(), encryptedRates[round].fromStart() / plainRates[round].fromStart(),
                    encryptedRates[round].steady() / plainRates[round].steady());
        }
        double[] plainFromStart = GateBenchmark.fromStart(plainRates);
        double[] encryptedFromStart = GateBenchmark.fromStart(encryptedRates);
        double ratio = Benchmarks.median(encryptedFromStart) / Benchmarks.median(plainFromStart);
        double steadyRatio = Benchmarks.median(GateBenchmark.steady(encryptedRates)) / Benchmarks.median(GateBenchmark.steady(plainRates));
        out.printf("median: plain %,.0f records/s, encrypted %,.0f records/s, ratio %.2f (%s; steady %.2f)%n",
                Benchmarks.median(plainFromStart), Benchmarks.median(encryptedFromStart), ratio,
                Benchmarks.spread(encryptedFromStart, plainFromStart), steadyRatio);
        out.printf("gate-encryption: goal ratio >= %.2f, measured %.3f: %s%n", GOAL, ratio, ratio >= GOAL ? "PASS" : "MISS");
        return ratio;
    }

    /**
     * Rewinds the gate's offsets on the ingest topic (the other products' stay where they are, so
     * the gate has only this topic to read) and times one gate from its start until it is drained.
     *
     * @return records per second from the gate's start, and between 10 % and 100 % of the records
     *         (what the start costs is the difference)
     */
    private GateBenchmark.Rate rate(String ingest) throws Exception {
        try (var client = Admin.create(admin.kafka())) {
            Set<TopicPartition> partitions = client.describeTopics(List.of(ingest)).allTopicNames().get().get(ingest).partitions().stream()
                    .map(p -> new TopicPartition(ingest, p.partition())).collect(Collectors.toSet());
            boolean known = client.listConsumerGroups().all().get().stream().anyMatch(group -> group.groupId().equals(GATE_GROUP));
            if (known) {
                client.deleteConsumerGroupOffsets(GATE_GROUP, partitions).all().get();
            }
            long start = System.nanoTime();
            try (var gate = GateApp.start(mesh.clientConfig(GATE_GROUP), state.resolve("gate"), NO_CLEANUP)) {
                return Benchmarks.drained(client, GATE_GROUP, ingest, records, start, System.nanoTime());
            }
        }
    }
}
