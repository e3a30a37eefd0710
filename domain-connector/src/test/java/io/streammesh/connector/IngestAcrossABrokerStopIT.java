package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.embedded.MeshConfig;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.IngestGrants;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file ingest whose broker stops half-way, on a mesh of its own: the report says exactly which
 * lines are on the product (as {@code read_committed} readers see it), and feeding the rejects
 * file back completes the product with no duplicates.
 */
@Tag("integration")
@Timeout(300)
class IngestAcrossABrokerStopIT {

    private static final ProductAddress ADDRESS = ProductAddress.parse("crash.order-placed.v1");
    private static final int LINES = 100_000;
    private static final Duration OUTAGE_WAIT = Duration.ofSeconds(5);
    private static final Duration INGEST_END = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void theReportIsExactAcrossABrokerStopAndTheRejectsCompleteTheProductWithoutDuplicates() throws Exception {
        Path state = dir.resolve("state");
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= LINES; i++) {
            lines.add(FileIngestIT.jsonOrder("b-" + i, i % 1000 == 0 ? -1 : 10.5));
        }
        Path file = Files.write(dir.resolve("orders.jsonl"), lines);
        Path rejects = dir.resolve("orders.rejects.jsonl");

        IngestSummary summary;
        try (EmbeddedMesh mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(state))) {
            mesh.onboarding().addDomain("crash");
            try (var publisher = ProductPublisher.connect(mesh.clientConfig("crash"))) {
                publisher.publish(TestContracts.orders("crash", "1.0.0"));
            }
            IngestGrants.allow(mesh, ADDRESS);
            var read = new AtomicLong();
            var producer = ProductProducer.<GenericRecord>open(ADDRESS, mesh.clientConfig("crash"), new SimpleMeterRegistry(),
                    new ProductProducer.Options(OUTAGE_WAIT, true));
            CompletableFuture<IngestSummary> ingest = CompletableFuture.supplyAsync(() -> {
                try (producer) {
                    return FileIngest.ingest(file, FileIngest.Format.JSONL, producer, rejects, read::set);
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> read.get() >= 6_000);
            mesh.close();
            // Not record by record: each send of the open batch would wait out the outage wait
            // for metadata of a broker that is gone (2,000 lines × 5 s).
            summary = ingest.get(INGEST_END.toSeconds(), TimeUnit.SECONDS);
        }

        assertThat(summary.lines()).isEqualTo(LINES);
        assertThat(summary.allSent()).as("the broker stopped half-way").isFalse();
        assertThat(summary.stoppedBy()).as("why it stopped sending").isNotBlank();
        assertThat(summary.errors()).isNotEmpty().allSatisfy(e -> assertThat(e.reason()).startsWith("not sent: "));
        Set<String> rejected = keys(Files.readAllLines(rejects));
        Set<String> inDoubt = Files.exists(FileIngest.inDoubtFile(rejects))
                ? keys(Files.readAllLines(FileIngest.inDoubtFile(rejects))) : Set.of();
        assertThat(rejected).hasSize(summary.errors().size());
        assertThat(inDoubt).hasSize(summary.inDoubt().size());

        try (EmbeddedMesh mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(state))) {
            MeshClientConfig config = mesh.clientConfig("crash");
            Set<String> good = keys(lines.stream().filter(l -> !l.contains("\"amount\": -1.0")).toList());
            Set<String> reportedSent = new HashSet<>(good);
            reportedSent.removeAll(rejected);
            reportedSent.removeAll(inDoubt);
            // The producer's records are on the ingest topic (no gate runs here; GateCrashIT shows it
            // moves each exactly once), the rule breakers among them: the good ones make the product.
            List<String> visible = goodCommittedKeys(config, good);
            Set<String> goodInDoubt = new HashSet<>(inDoubt);
            goodInDoubt.retainAll(good);
            assertThat(visible).as("records on the product").doesNotHaveDuplicates();
            assertThat(new HashSet<>(visible)).as("the lines reported sent, plus the batch in doubt if it did land; %s",
                            mismatch(new HashSet<>(visible), reportedSent, goodInDoubt))
                    .isIn(reportedSent, union(reportedSent, goodInDoubt));
            assertThat(reportedSent).hasSize((int) summary.sent());

            Set<String> landedInDoubt = new HashSet<>(visible);
            landedInDoubt.retainAll(inDoubt);
            List<String> feedBack = new ArrayList<>(Files.readAllLines(rejects));
            if (landedInDoubt.isEmpty()) {
                feedBack.addAll(Files.exists(FileIngest.inDoubtFile(rejects)) ? Files.readAllLines(FileIngest.inDoubtFile(rejects)) : List.of());
            }
            Path again = Files.write(dir.resolve("again.jsonl"), feedBack);
            IngestSummary resent;
            try (ProductProducer<GenericRecord> producer = FileIngestIT.batches(config, ADDRESS.toString())) {
                resent = FileIngest.ingest(again, FileIngest.Format.JSONL, producer, dir.resolve("again.rejects.jsonl"), done -> { });
            }
            assertThat(resent.errors()).isEmpty();
            List<String> complete = goodCommittedKeys(config, good);
            assertThat(complete).doesNotHaveDuplicates();
            assertThat(new HashSet<>(complete)).isEqualTo(good);
        }
    }

    /** Which way the product differs from the report (a printed set of thousands of keys is cut at 1,000). */
    private static String mismatch(Set<String> visible, Set<String> reportedSent, Set<String> goodInDoubt) {
        Set<String> landedUnreported = new HashSet<>(visible);
        landedUnreported.removeAll(reportedSent);
        landedUnreported.removeAll(goodInDoubt);
        Set<String> reportedMissing = new HashSet<>(reportedSent);
        reportedMissing.removeAll(visible);
        Set<String> inDoubtLanded = new HashSet<>(visible);
        inDoubtLanded.retainAll(goodInDoubt);
        return String.format("on the product but reported not sent: %d %s; reported sent but not on the product: %d %s; "
                        + "of the %d good lines in doubt, %d on the product", landedUnreported.size(), firstKeys(landedUnreported),
                reportedMissing.size(), firstKeys(reportedMissing), goodInDoubt.size(), inDoubtLanded.size());
    }

    private static List<String> firstKeys(Set<String> keys) {
        return keys.stream().sorted(Comparator.comparingInt(key -> Integer.parseInt(key.substring(2)))).limit(10).toList();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> both = new HashSet<>(a);
        both.addAll(b);
        return both;
    }

    private static Set<String> keys(List<String> jsonLines) {
        var json = new ObjectMapper();
        return jsonLines.stream().map(line -> {
            try {
                return json.readTree(line).path("orderId").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.toSet());
    }

    private static List<String> goodCommittedKeys(MeshClientConfig config, Set<String> good) {
        return committedKeys(config, ADDRESS.ingestTopic()).stream().filter(good::contains).toList();
    }

    /**
     * Every key a {@code read_committed} reader sees, once no batch is open any more (the broker
     * aborts the one left by the stopped ingest when its transaction times out).
     */
    private static List<String> committedKeys(MeshClientConfig config, String topic) {
        var props = config.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
             var uncommitted = new KafkaConsumer<>(config.kafka(), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.endOffsets(partitions).equals(uncommitted.endOffsets(partitions)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<String> keys = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return keys;
        }
    }
}
