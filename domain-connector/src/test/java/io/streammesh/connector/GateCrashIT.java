package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.PlatformApp;
import io.streammesh.testing.AppProcess;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.ProductAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.streammesh.client.MeshClientConfig;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once: the gate killed with no clean close mid-stream, then restarted, holds each
 * accepted record once in the product and each rejected one once in the dead-letter topic.
 */
@MeshTest
class GateCrashIT {

    private static final int RECORDS = 20_000;
    /** Every tenth record breaks the positive-amount rule. */
    private static final int REJECTED = RECORDS / 10;

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aKilledAndRestartedGateNeitherLosesNorRepeatsAProductOrDeadLetterRecord(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "gate-crash");
        ProductAddress address = ProductAddress.parse("gate-crash.order-placed.v1");
        GateIT.admit(mesh, domain, address);

        Path config = mesh.state().clients().resolve(PlatformApp.GATE.applicationId() + ".properties");
        Process first = start(config);
        // half the records before the kill, half after: the restarted gate has work left whatever the gate did by then
        produce(domain, address, 0, RECORDS / 2);
        await().atMost(Duration.ofSeconds(90)).until(() -> endOffsets(mesh, address.topic()) > 2_000);
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        System.out.printf("GateCrashIT: killed with %,d offsets in the product (markers included) of the first half's %,d accepted%n",
                endOffsets(mesh, address.topic()), (RECORDS - REJECTED) / 2);
        produce(domain, address, RECORDS / 2, RECORDS);

        Process second = start(config);
        try {
            Map<String, Integer> products = readCommitted(mesh, address.topic(), RECORDS - REJECTED);
            assertThat(products).as("every accepted record in the product").hasSize(RECORDS - REJECTED);
            assertThat(products.values()).as("each exactly once").containsOnly(1);
            Map<String, Integer> dead = readCommitted(mesh, address.deadLetterTopic(), REJECTED);
            assertThat(dead).as("every rejected record in the dead-letter topic").hasSize(REJECTED);
            assertThat(dead.values()).as("each exactly once").containsOnly(1);
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process start(Path config) throws Exception {
        return AppProcess.start(GateAppMain.class, Files.createTempFile(dir, "gate-", ".log"), "GATE RUNNING",
                config.toString(), dir.resolve("state").toString());
    }

    private static void produce(MeshClientConfig domain, ProductAddress address, int from, int to) {
        try (var producer = new KafkaProducer<>(domain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                String id = "o-" + i;
                producer.send(new ProducerRecord<>(address.ingestTopic(), id,
                        GateIT.json(id, i % 10 == 0 ? -1 : 10).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static long endOffsets(EmbeddedMesh mesh, String topic) {
        try (var consumer = new KafkaConsumer<>(mesh.clientConfig("mesh-admin").kafka(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Every committed record of the topic, counted by key: read until there are as many keys as
     * expected, then on to the end of every partition, so that a duplicate after them is counted too.
     */
    private static Map<String, Integer> readCommitted(EmbeddedMesh mesh, String topic, int expected) {
        var props = mesh.clientConfig("mesh-admin").kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "gate-crash-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> seen = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.merge(r.key(), 1, Integer::sum));
                return seen.size() >= expected;
            });
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.merge(r.key(), 1, Integer::sum));
                return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
            });
        }
        return seen;
    }
}
