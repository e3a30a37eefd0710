package io.streammesh.bench;

import io.streammesh.client.MeshStreams;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * End-to-end latency through the contract gate: a plain producer of the domain writes Avro
 * orders to {@code <address>.ingest} at a steady rate, the gate runs as the mesh runs it, and a
 * {@code read_committed} consumer of the product takes each record's latency as its receive time
 * minus the record's create timestamp (set by the producer, kept by the gate). The first
 * seconds are not counted. Goal: p99 under 500 ms at 5,000 records/s.
 */
final class GateLatencyBenchmark {

    private static final String DOMAIN = "bench-latency";
    private static final long GOAL_P99_MS = 500;
    private static final Duration WARM_UP = Duration.ofSeconds(15);
    private static final Duration DRAIN = Duration.ofSeconds(60);
    /** The worst latency is printed per window of this many seconds: one stall and a steady delay look different. */
    private static final int WINDOW_SECONDS = 5;

    private final EmbeddedMesh mesh;
    private final int perSecond;
    private final Duration measured;
    private final Path state;

    GateLatencyBenchmark(EmbeddedMesh mesh, int perSecond, Duration measured, Path state) {
        this.mesh = mesh;
        this.perSecond = perSecond;
        this.measured = measured;
        this.state = state;
    }

    /** @return the p99 latency in milliseconds */
    long run(PrintStream out) throws Exception {
        GateProduct product = GateProduct.publish(mesh, DOMAIN, false);
        var streams = MeshStreams.exactlyOnce(mesh.clientConfig(PlatformApp.GATE.applicationId()), PlatformApp.GATE.applicationId(), state);
        out.printf("Contract gate latency, ingest -> product (read_committed): %,d Avro records/s for %d s after %d s uncounted; "
                + "gate commit.interval.ms %s%n", perSecond, measured.toSeconds(), WARM_UP.toSeconds(),
                streams.getProperty(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        var sent = new AtomicLong();
        var producing = new AtomicBoolean(true);
        List<long[]> latencies;
        try (var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), state.resolve("gate"));
             var consumer = consumer(product)) {
            consumer.subscribe(List.of(product.address().topic()));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            long countFrom = System.currentTimeMillis() + WARM_UP.toMillis();
            var producer = CompletableFuture.runAsync(() -> produce(product, sent, producing));
            try {
                latencies = receive(consumer, countFrom, sent, producing);
            } finally {
                producing.set(false);
                producer.join();
            }
        }
        long[] millis = latencies.stream().mapToLong(sample -> sample[1]).toArray();
        if (millis.length == 0) {
            throw new IllegalStateException("no record reached " + product.address().topic());
        }
        long p99 = Benchmarks.percentile(millis, 99);
        out.printf("latency over %,d records (%,d sent in all): p50 %d ms, p99 %d ms, max %d ms%n", millis.length, sent.get(),
                Benchmarks.percentile(millis, 50), p99, Arrays.stream(millis).max().orElseThrow());
        out.println("worst per " + WINDOW_SECONDS + " s of sends: " + worstPerWindow(latencies));
        out.printf("gate-latency: goal p99 < %d ms, measured %d ms: %s%n", GOAL_P99_MS, p99, p99 < GOAL_P99_MS ? "PASS" : "MISS");
        return p99;
    }

    /** Sends at {@link #perSecond}, catching up at once when behind, for the warm-up and the measured time, or until told to stop. */
    private void produce(GateProduct product, AtomicLong sent, AtomicBoolean producing) {
        long total = (WARM_UP.toSeconds() + measured.toSeconds()) * perSecond;
        double intervalNanos = 1e9 / perSecond;
        try (var producer = product.producer()) {
            long start = System.nanoTime();
            for (int i = 0; i < total && producing.get(); i++) {
                long due = start + (long) (i * intervalNanos);
                for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                    LockSupport.parkNanos(due - now);
                }
                producer.send(new ProducerRecord<>(product.address().ingestTopic(), "l-" + i, product.value(GateProduct.Format.AVRO, i)));
                sent.incrementAndGet();
            }
        } finally {
            producing.set(false);
        }
    }

    private static String worstPerWindow(List<long[]> samples) {
        long first = samples.stream().mapToLong(sample -> sample[0]).min().orElseThrow();
        var worst = new TreeMap<Long, Long>();
        samples.forEach(sample -> worst.merge((sample[0] - first) / (WINDOW_SECONDS * 1000L), sample[1], Math::max));
        return worst.values().stream().map(millis -> millis + " ms").collect(Collectors.joining(", "));
    }

    /** {create timestamp, latency} of the records created from {@code countFrom} on, until every record sent has arrived. */
    private static List<long[]> receive(KafkaConsumer<String, byte[]> consumer, long countFrom, AtomicLong sent, AtomicBoolean producing) {
        List<long[]> latencies = new ArrayList<>();
        long received = 0;
        long deadline = Long.MAX_VALUE;
        while (producing.get() || received < sent.get()) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                long now = System.currentTimeMillis();
                received++;
                if (record.timestamp() >= countFrom) {
                    latencies.add(new long[] {record.timestamp(), now - record.timestamp()});
                }
            }
            if (!producing.get() && deadline == Long.MAX_VALUE) {
                deadline = System.nanoTime() + DRAIN.toNanos();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + received + " of " + sent.get() + " records reached the product within "
                        + DRAIN.toSeconds() + " s of the last send");
            }
        }
        return latencies;
    }

    private static KafkaConsumer<String, byte[]> consumer(GateProduct product) {
        var props = product.domain().kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, DOMAIN + ".latency");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
