package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.testing.MeshTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The markers the hanging-transaction watch writes, on the real broker: a transaction left open on
 * a partition becomes readable once committed, and is skipped once aborted; either way
 * {@code read_committed} readers get past it.
 */
@MeshTest
class TransactionMarkersIT {

    @Test
    void aCommitMarkerMakesTheOpenTransactionsRecordsReadable(EmbeddedMesh mesh) throws Exception {
        TopicPartition partition = openTransaction(mesh, "markers-it.committed", List.of("a", "b", "c"));

        TransactionMarkers.end(mesh.admin(), spec(mesh, partition), true);

        assertThat(committedValues(mesh, partition)).containsExactly("a", "b", "c");
    }

    @Test
    void anAbortMarkerLetsReadersPastTheOpenTransactionWithoutItsRecords(EmbeddedMesh mesh) throws Exception {
        TopicPartition partition = openTransaction(mesh, "markers-it.aborted", List.of("x", "y"));

        TransactionMarkers.end(mesh.admin(), spec(mesh, partition), false);

        assertThat(committedValues(mesh, partition)).isEmpty();
    }

    /** Sends the values in a transaction its producer never ends (closed at once, as a crash would leave it). */
    private static TopicPartition openTransaction(EmbeddedMesh mesh, String topic, List<String> values) throws Exception {
        mesh.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        Properties props = mesh.clientConfig("mesh-admin").kafka();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-" + UUID.randomUUID());
        // long enough that the coordinator does not abort it first
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        try {
            producer.initTransactions();
            producer.beginTransaction();
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value, value));
            }
            producer.flush();
        } finally {
            producer.close(Duration.ZERO);
        }
        return new TopicPartition(topic, 0);
    }

    private static AbortTransactionSpec spec(EmbeddedMesh mesh, TopicPartition partition) throws Exception {
        ProducerState open = mesh.admin().describeProducers(List.of(partition)).partitionResult(partition).get().activeProducers().stream()
                .filter(producer -> producer.currentTransactionStartOffset().isPresent())
                .findFirst().orElseThrow();
        return new AbortTransactionSpec(partition, open.producerId(), (short) open.producerEpoch(), open.coordinatorEpoch().orElse(0));
    }

    private static List<String> committedValues(EmbeddedMesh mesh, TopicPartition partition) throws Exception {
        Properties props = mesh.clientConfig("mesh-admin").kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            long end = mesh.admin().listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset();
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> values = new ArrayList<>();
            // the stable offset reaches the end only once the marker is written: the transaction is over for readers
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(record -> values.add(record.value()));
                return consumer.position(partition) >= end;
            });
            return values;
        }
    }
}
