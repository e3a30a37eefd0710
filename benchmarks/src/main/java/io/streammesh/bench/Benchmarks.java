package io.streammesh.bench;

import com.sun.management.OperatingSystemMXBean;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.embedded.MeshConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * Runs a benchmark on a mesh of its own (fresh state directory, free ports):
 * {@code java -jar benchmarks/target/benchmarks.jar producer|views|audit|gate-avro|gate-json|gate-encryption [records-per-round] [rounds]}
 * or {@code gate-latency [records-per-second] [seconds]} or {@code keys [fetches] [erasures]} or {@code portal [products] [requests]}
 * or {@code scale [domains] [products] [grants] [audit-events]}.
 * Each benchmark alternates the measured code with its baseline, in the same run, and prints
 * both rates and their ratio; machines are noisy, so only the ratio means anything.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /** @param args benchmark name, then its parameters */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !List.of("producer", "views", "audit", "gate-avro", "gate-json", "gate-encryption", "gate-latency", "keys", "portal", "scale").contains(args[0])) {
            System.err.println("usage: java -jar benchmarks/target/benchmarks.jar producer|views|audit|gate-avro|gate-json|gate-encryption [records-per-round] [rounds]"
                    + " | gate-latency [records-per-second] [seconds] | keys [fetches] [erasures] | portal [products] [requests]"
                    + " | scale [domains=100] [products=2000] [grants=20000] [audit-events=1000000]");
            System.exit(2);
        }
        Path state = Files.createTempDirectory("streammesh-bench-");
        if (args[0].equals("scale")) {
            // A mesh of its own for the audit trail, then one for the catalog and grants.
            try {
                new ScaleBenchmark(args.length > 1 ? Integer.parseInt(args[1]) : 100, args.length > 2 ? Integer.parseInt(args[2]) : 2_000,
                        args.length > 3 ? Integer.parseInt(args[3]) : 20_000, args.length > 4 ? Integer.parseInt(args[4]) : 1_000_000, state)
                        .run(System.out);
            } finally {
                delete(state);
            }
            return;
        }
        if (args[0].equals("audit")) {
            // Two meshes of its own: one audited, one not.
            try {
                new AuditBenchmark(args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000, args.length > 2 ? Integer.parseInt(args[2]) : 7, state)
                        .run(System.out);
            } finally {
                delete(state);
            }
            return;
        }
        try (var mesh = BrokerJvm.start(state)) {
            if (args[0].equals("portal")) {
                new PortalBenchmark(mesh, 10, args.length > 1 ? Integer.parseInt(args[1]) : 1_000, args.length > 2 ? Integer.parseInt(args[2]) : 500,
                        state).run(System.out);
            } else if (args[0].equals("keys")) {
                new KeyBenchmark(mesh, args.length > 1 ? Integer.parseInt(args[1]) : 200, args.length > 2 ? Integer.parseInt(args[2]) : 20, state)
                        .run(System.out);
            } else if (args[0].startsWith("gate-")) {
                runGate(mesh, args, state);
            } else if (args[0].equals("producer")) {
                new ProducerBenchmark(mesh, args.length > 1 ? Integer.parseInt(args[1]) : 100_000, args.length > 2 ? Integer.parseInt(args[2]) : 5,
                        state).run(System.out);
            } else {
                new ViewBenchmark(mesh, args.length > 1 ? Integer.parseInt(args[1]) : 200_000, args.length > 2 ? Integer.parseInt(args[2]) : 7,
                        state).run(System.out);
            }
        } finally {
            delete(state);
        }
    }

    private static void runGate(EmbeddedMesh mesh, String[] args, Path state) throws Exception {
        if (args[0].equals("gate-latency")) {
            new GateLatencyBenchmark(mesh, args.length > 1 ? Integer.parseInt(args[1]) : 5_000,
                    Duration.ofSeconds(args.length > 2 ? Integer.parseInt(args[2]) : 30), state).run(System.out);
            return;
        }
        if (args[0].equals("gate-encryption")) {
            new GateEncryptionBenchmark(mesh, args.length > 1 ? Integer.parseInt(args[1]) : 100_000, args.length > 2 ? Integer.parseInt(args[2]) : 5,
                    state).run(System.out);
            return;
        }
        var format = args[0].equals("gate-avro") ? GateProduct.Format.AVRO : GateProduct.Format.JSON;
        new GateBenchmark(mesh, format, args.length > 1 ? Integer.parseInt(args[1]) : 200_000, args.length > 2 ? Integer.parseInt(args[2]) : 5,
                args.length > 3 ? Integer.parseInt(args[3]) : 0, state).run(System.out);
    }

    /** @return the median of a run's per-round rates: a single noisy round moves it least */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /**
     * @param measured the measured side's per-round rates
     * @param baseline the baseline's, round for round
     * @return the lowest and highest single round's ratio, as {@code "single rounds 0.59-0.66"}:
     *         how far one round alone could be trusted
     */
    static String spread(double[] measured, double[] baseline) {
        double low = Double.MAX_VALUE;
        double high = 0;
        for (int round = 0; round < measured.length; round++) {
            low = Math.min(low, measured[round] / baseline[round]);
            high = Math.max(high, measured[round] / baseline[round]);
        }
        return String.format("single rounds %.2f-%.2f", low, high);
    }

    /**
     * @param client an Admin client allowed to describe the group
     * @param group a consumer group (an app's application id)
     * @param topic a topic the benchmark wrote from offset 0
     * @return how many of the topic's records the group has committed, summed over its partitions
     */
    static long committed(Admin client, String group, String topic) throws InterruptedException, ExecutionException {
        return client.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    /**
     * Polls a group's committed offsets on a topic until they cover every record (under exactly
     * once: every record is in the app's output).
     *
     * @param client an Admin client allowed to describe the group
     * @param group the app's application id
     * @param topic the topic it reads, written by the benchmark from offset 0
     * @param records how many records the topic holds
     * @param start when the app was started ({@link System#nanoTime})
     * @param running when its start returned
     * @param cpuAtStart this JVM's CPU time when the app was started ({@link #cpuNanos})
     * @return records per second from the start, and between 10 % and 100 % of the records
     * @throws IllegalStateException if they are not covered within 5 minutes
     */
    static GateBenchmark.Rate drained(Admin client, String group, String topic, int records, long start, long running, long cpuAtStart)
            throws Exception {
        long tenth = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            long committed = committed(client, group, topic);
            long now = System.nanoTime();
            if (tenth == 0 && committed >= records / 10) {
                tenth = now;
            }
            if (committed >= records) {
                double fromStart = records / ((now - start) / 1e9);
                // too few records to see 10 % and 100 % in different polls: the steady rate is not measurable
                double steady = now > tenth ? (records - records / 10) / ((now - tenth) / 1e9) : fromStart;
                return new GateBenchmark.Rate(fromStart, steady, (running - start) / 1_000_000, (cpuNanos() - cpuAtStart) / 1_000_000);
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(group + " did not process the " + records + " records of " + topic + " within 5 minutes");
    }

    /** @return the CPU time this JVM has spent, all its threads */
    static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * @param values samples, in any order
     * @param percentile 1 to 100
     * @return the nearest-rank percentile: the smallest sample at or above that share of them
     */
    static long percentile(long[] values, int percentile) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.max(0, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
    }

    private static void delete(Path state) {
        try (Stream<Path> files = Files.walk(state)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + state + ": " + e.getMessage());
        }
    }
}
