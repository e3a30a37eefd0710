package io.streammesh.bench;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.KafkaCalls;
import io.streammesh.client.MeshSerdes;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The broker with {@code AuditingAuthorizer} against the same broker with Kafka's plain
 * {@code StandardAuthorizer}: two meshes side by side, producer and consumer rounds alternated
 * between them (200-byte records, acks=all, lz4). Goal: ratio at least 0.97. Then audit latency
 * on the audited mesh with audit-sink running: refused accesses one every 100 ms, each timed
 * until its event is committed in {@code mesh.audit}. Goal: p99 under 3 s.
 */
final class AuditBenchmark {

    private static final String TOPIC = "bench.audited.v1";
    private static final String TEAM = "bench-team";
    private static final double GOAL = 0.97;
    private static final int WARM_UP_ROUNDS = 2;
    private static final Duration LATENCY_GOAL = Duration.ofSeconds(3);

    private final int records;
    private final int rounds;
    private final Path state;

    AuditBenchmark(int records, int rounds, Path state) {
        this.records = records;
        this.rounds = rounds;
        this.state = state;
    }

    void run(PrintStream out) throws Exception {
        // Each broker in a JVM of its own (issue 17): the brokers are the two sides, the clients only drive them, alike for both.
        try (var audited = BrokerJvm.start(state.resolve("audited"), true);
             var plain = BrokerJvm.start(state.resolve("plain"), false)) {
            prepare(audited);
            prepare(plain);
            // Distinct payloads, as real records are: identical ones would compress to nothing.
            var random = new Random(7);
            byte[][] payload = new byte[1024][200];
            for (byte[] bytes : payload) {
                random.nextBytes(bytes);
            }
            out.printf("Broker with AuditingAuthorizer vs StandardAuthorizer: %,d records of 200 B per round, %d rounds after %d uncounted, "
                    + "alternated; each broker in a JVM of its own%n", records, rounds, WARM_UP_ROUNDS);
            double[][] rates = new double[4][rounds];
            // Uncounted rounds first: each broker's JVM compiles its fetch and produce paths during them (its own JIT since issue 17).
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                produce(plain, payload);
                produce(audited, payload);
                consume(plain);
                consume(audited);
            }
            for (int round = 0; round < rounds; round++) {
                rates[0][round] = produce(plain, payload);
                rates[1][round] = produce(audited, payload);
                rates[2][round] = consume(plain);
                rates[3][round] = consume(audited);
                out.printf("  round %d: produce plain %,9.0f audited %,9.0f records/s   consume plain %,9.0f audited %,9.0f records/s%n",
                        round + 1, rates[0][round], rates[1][round], rates[2][round], rates[3][round]);
            }
            double produceRatio = Benchmarks.median(rates[1]) / Benchmarks.median(rates[0]);
            double consumeRatio = Benchmarks.median(rates[3]) / Benchmarks.median(rates[2]);
            out.printf("median produce: plain %,.0f, audited %,.0f records/s, ratio %.3f (%s; goal >= %.2f: %s)%n",
                    Benchmarks.median(rates[0]), Benchmarks.median(rates[1]), produceRatio, Benchmarks.spread(rates[1], rates[0]), GOAL,
                    produceRatio >= GOAL ? "met" : "NOT met");
            out.printf("median consume: plain %,.0f, audited %,.0f records/s, ratio %.3f (%s; goal >= %.2f: %s)%n",
                    Benchmarks.median(rates[2]), Benchmarks.median(rates[3]), consumeRatio, Benchmarks.spread(rates[3], rates[2]), GOAL,
                    consumeRatio >= GOAL ? "met" : "NOT met");
            latency(audited, out);
        }
    }

    private static void prepare(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal(TEAM, PrincipalKind.TEAM);
        KafkaCalls.createMissing(mesh.admin(), List.of(new NewTopic(TOPIC, 3, (short) 1)));
        var pattern = new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL);
        mesh.admin().createAcls(List.of(
                new AclBinding(pattern, new AccessControlEntry(MeshNames.kafkaPrincipal(TEAM), "*", AclOperation.WRITE, AclPermissionType.ALLOW)),
                new AclBinding(pattern, new AccessControlEntry(MeshNames.kafkaPrincipal(TEAM), "*", AclOperation.READ, AclPermissionType.ALLOW)))).all().get();
    }

    private double produce(EmbeddedMesh mesh, byte[][] payload) throws Exception {
        var props = mesh.clientConfig(TEAM).kafka();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(TOPIC);
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, payload[i % payload.length]));
            }
            producer.flush();
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Reads the last {@code records} records of the topic, without a group. */
    private double consume(EmbeddedMesh mesh) {
        var props = mesh.clientConfig(TEAM).kafka();
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream().map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long wanted = 0;
            for (TopicPartition partition : partitions) {
                long from = Math.max(0, end.get(partition) - records / partitions.size());
                consumer.seek(partition, from);
                wanted += end.get(partition) - from;
            }
            long read = 0;
            long start = System.nanoTime();
            while (read < wanted) {
                read += consumer.poll(Duration.ofMillis(500)).count();
            }
            return read / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void latency(EmbeddedMesh mesh, PrintStream out) throws Exception {
        int samples = 100;
        Map<String, Long> refusedAt = new ConcurrentHashMap<>();
        Map<String, Long> seenAt = new ConcurrentHashMap<>();
        var done = new AtomicBoolean();
        try (AuditApp audit = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), mesh.state().root().resolve("apps/mesh-audit")))) {
            Thread tail = new Thread(() -> tail(mesh.clientConfig("mesh-admin"), seenAt, done), "audit-tail");
            tail.start();
            try (Admin team = Admin.create(mesh.clientConfig(TEAM).kafka())) {
                for (int i = 0; i < samples; i++) {
                    String topic = "bench.latency-" + i + ".v1";
                    refusedAt.put(topic, System.nanoTime());
                    try {
                        team.deleteTopics(List.of(topic)).all().get();
                    } catch (java.util.concurrent.ExecutionException expected) {
                        // refused: that is the access being audited
                    }
                    Thread.sleep(100);
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seenAt.size() < samples && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            done.set(true);
            tail.join();
        }
        long[] millis = refusedAt.entrySet().stream().filter(e -> seenAt.containsKey(e.getKey()))
                .mapToLong(e -> (seenAt.get(e.getKey()) - e.getValue()) / 1_000_000).toArray();
        if (millis.length < samples) {
            out.printf("audit latency: only %d of %d refusals reached mesh.audit within 30 s (goal NOT met)%n", millis.length, samples);
            return;
        }
        long p50 = Benchmarks.percentile(millis, 50);
        long p99 = Benchmarks.percentile(millis, 99);
        out.printf("audit latency (refusal -> committed in mesh.audit), %d samples: p50 %d ms, p99 %d ms, max %d ms (goal p99 < %d ms: %s)%n",
                millis.length, p50, p99, Arrays.stream(millis).max().orElse(0), LATENCY_GOAL.toMillis(),
                p99 < LATENCY_GOAL.toMillis() ? "met" : "NOT met");
    }

    private static void tail(MeshClientConfig admin, Map<String, Long> seenAt, AtomicBoolean done) {
        var props = admin.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), MeshSerdes.<AuditEvent>valueDeserializer(admin, true))) {
            List<TopicPartition> partitions = new ArrayList<>(consumer.partitionsFor(MeshTopics.AUDIT).stream()
                    .map(p -> new TopicPartition(MeshTopics.AUDIT, p.partition())).toList());
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            while (!done.get()) {
                consumer.poll(Duration.ofMillis(50)).forEach(record -> {
                    String name = record.value().getResourceName();
                    if (name != null && name.startsWith("bench.latency-") && "DELETE".equals(record.value().getOperation())) {
                        seenAt.putIfAbsent(name, System.nanoTime());
                    }
                });
            }
        }
    }

}
