package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.testing.MeshTest;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.coordinator.transaction.TransactionState;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's log read back from the real broker's {@code __transaction_state}: how each of a
 * producer's transactions on a partition ended, after the producer has moved on.
 */
@MeshTest
class CoordinatorLogIT {

    @Test
    void theLogSaysHowEachTransactionOnAPartitionEndedAfterItsProducerMovedOn(EmbeddedMesh mesh) throws Exception {
        String topic = "coordinator-log-it";
        mesh.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        TopicPartition partition = new TopicPartition(topic, 0);
        String transactionalId = topic + "-" + UUID.randomUUID();
        Properties props = mesh.clientConfig("mesh-admin").kafka();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        TransactionDescription committing;
        TransactionDescription aborting;
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "a", "committed"));
            committing = ongoing(mesh, producer, transactionalId);
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "b", "aborted"));
            aborting = ongoing(mesh, producer, transactionalId);
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "c", "left open"));
            producer.flush();
        }

        List<CoordinatorLog.Entry> history = new CoordinatorLog(mesh.clientConfig("mesh-admin").kafka())
                .histories(mesh.admin(), Set.of(transactionalId)).get(transactionalId);

        assertThat(history).as("every state the coordinator wrote").extracting(CoordinatorLog.Entry::state)
                .contains(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.COMPLETE_COMMIT,
                        TransactionState.PREPARE_ABORT, TransactionState.COMPLETE_ABORT);
        assertThat(CoordinatorLog.ending(history, partition, committing.producerId(), committing.producerEpoch()))
                .hasValueSatisfying(ending -> assertThat(CoordinatorLog.commits(ending)).as(ending.toString()).isTrue());
        assertThat(CoordinatorLog.ending(history, partition, aborting.producerId(), aborting.producerEpoch()))
                .hasValueSatisfying(ending -> assertThat(CoordinatorLog.commits(ending)).as(ending.toString()).isFalse());
    }

    /** The coordinator's view of the producer's transaction in progress, once it has the partition. */
    private static TransactionDescription ongoing(EmbeddedMesh mesh, KafkaProducer<String, String> producer, String transactionalId)
            throws Exception {
        producer.flush();
        return mesh.admin().describeTransactions(List.of(transactionalId)).description(transactionalId).get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
}
