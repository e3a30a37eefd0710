package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.AppProcess;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicReader;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.testing.ProductRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Exactly once: the view app killed with no clean close mid-stream, then restarted, holds each record once. */
@MeshTest
class ViewCrashIT {

    private static final int RECORDS = 20_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void aKilledAndRestartedViewAppNeitherLosesNorRepeatsARecord(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("crash-shop");
        String address = "crash-shop.order-placed.v1";
        String view = "mesh.view." + address + ".analytics";
        Schema schema = ViewAppITCatalog.orderSchema();
        long contentId = ViewAppITCatalog.publishWithTopic(mesh, address, "crash-shop", schema);

        Path config = mesh.state().clients().resolve("mesh-enforcer.properties");
        Process first = start(config, dir.resolve("state"));
        // half the records before the kill, half after: the restarted app has work left whatever it did by then
        produce(mesh, address, schema, 0, RECORDS / 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> endOffsets(mesh, view) > 2_000);
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        System.out.printf("ViewCrashIT: killed with %,d offsets in the view (markers included) of the first half's %,d records%n",
                endOffsets(mesh, view), RECORDS / 2);
        produce(mesh, address, schema, RECORDS / 2, RECORDS);

        Process second = start(config, dir.resolve("state"));
        try {
            Map<String, Integer> seen = readCommitted(mesh.clientConfig("mesh-admin"), view, RECORDS);
            assertThat(seen).as("every record in the view").hasSize(RECORDS);
            assertThat(seen.values()).as("each exactly once").containsOnly(1);
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process start(Path config, Path state) throws Exception {
        return AppProcess.start(ViewAppMain.class, Files.createTempFile(dir, "views-", ".log"), "VIEWS RUNNING",
                config.toString(), state.toString(), "crash-secret");
    }

    private static void produce(EmbeddedMesh mesh, String address, Schema schema, int from, int to) {
        Map<String, GenericRecord> orders = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            orders.put("o-" + i, ViewAppITCatalog.order(schema, "o-" + i, "FR"));
        }
        ProductRecords.write(mesh, address, orders);
    }

    private static long endOffsets(EmbeddedMesh mesh, String topic) {
        try (var consumer = new KafkaConsumer<>(mesh.clientConfig("mesh-admin").kafka(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static Map<String, Integer> readCommitted(MeshClientConfig config, String topic, int expected) {
        var props = config.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "crash-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var records = TopicReader.of(props, new StringDeserializer(), new ByteArrayDeserializer())
                .settlingFor(Duration.ofSeconds(3))
                .readUntil(topic, read -> copiesPerKey(read).size() >= expected, Duration.ofSeconds(120));
        return copiesPerKey(records);
    }

    private static Map<String, Integer> copiesPerKey(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, Integer> copies = new HashMap<>();
        records.forEach(r -> copies.merge(r.key(), 1, Integer::sum));
        return copies;
    }
}
