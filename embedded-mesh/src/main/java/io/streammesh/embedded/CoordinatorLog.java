package io.streammesh.embedded;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.coordinator.transaction.TransactionLog;
import org.apache.kafka.coordinator.transaction.TransactionState;

/**
 * What the transaction coordinators wrote to {@code __transaction_state} about some transactional
 * ids: every state each transaction went through, in order, with its producer epoch and
 * partitions, read back with Kafka's own decoder. The admin API says only where a transactional id
 * is now; this says how the transaction left open on a partition ended, even after its producer
 * has moved on (an app restarted, a transaction begun since). Until a segment of the log is
 * compacted, which keeps only each id's latest state; what is gone then says nothing.
 */
final class CoordinatorLog {

    private static final String TOPIC = "__transaction_state";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    /** The states that end a transaction with commit markers. */
    private static final Set<TransactionState> COMMITTING = Set.of(TransactionState.PREPARE_COMMIT, TransactionState.COMPLETE_COMMIT);
    /** The states that end a transaction with abort markers. */
    private static final Set<TransactionState> ABORTING =
            Set.of(TransactionState.PREPARE_ABORT, TransactionState.COMPLETE_ABORT, TransactionState.PREPARE_EPOCH_FENCE);

    /**
     * One state a coordinator recorded for a transactional id.
     *
     * @param producerId the producer id it recorded
     * @param producerEpoch the producer epoch it recorded (a transactions-v2 end bumps it)
     * @param state the transaction's state
     * @param partitions the partitions of the transaction, in the states that have them
     */
    record Entry(long producerId, int producerEpoch, TransactionState state, Set<TopicPartition> partitions) {
        @Override
        public String toString() {
            return state + " at epoch " + producerEpoch;
        }
    }

    private final Properties clientProps;

    /** @param clientProps a Kafka client config allowed to read {@code __transaction_state} */
    CoordinatorLog(Properties clientProps) {
        this.clientProps = clientProps;
    }

    /**
     * Reads the partitions of {@code __transaction_state} that hold the ids, to their end.
     *
     * @param admin a client allowed to describe {@code __transaction_state}
     * @param transactionalIds the ids wanted
     * @return each id's entries in the order its coordinator wrote them; an id with none is absent
     */
    Map<String, List<Entry>> histories(Admin admin, Set<String> transactionalIds) {
        if (transactionalIds.isEmpty()) {
            return Map.of();
        }
        int partitionCount = KafkaCalls.await(admin.describeTopics(List.of(TOPIC)).allTopicNames(), "describe " + TOPIC)
                .get(TOPIC).partitions().size();
        // Where Kafka's TransactionStateManager keeps an id.
        List<TopicPartition> partitions = transactionalIds.stream().map(id -> Utils.abs(id.hashCode()) % partitionCount)
                .distinct().map(p -> new TopicPartition(TOPIC, p)).toList();
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mesh-coordinator-log");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // The coordinator writes its log without transactions; read everything it wrote.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        Map<String, List<Entry>> histories = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, READ_TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new MeshException("could not read " + TOPIC + " to its end within " + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read(record, transactionalIds, histories);
                }
            }
        }
        return histories;
    }

    /**
     * One record of the log, if it is about a wanted id. A key or value of a version this Kafka
     * does not know (written by a newer coordinator) is no entry: such an id's history then says
     * nothing, and the decision falls back on what the coordinator says now.
     */
    private static void read(ConsumerRecord<byte[], byte[]> record, Set<String> wanted, Map<String, List<Entry>> histories) {
        if (record.key() == null) {
            return;
        }
        String id;
        try {
            id = TransactionLog.readTxnRecordKey(ByteBuffer.wrap(record.key()));
        } catch (IllegalStateException unknownKeyVersion) {
            return;
        }
        if (!wanted.contains(id)) {
            return;
        }
        var result = TransactionLog.read(ByteBuffer.wrap(record.key()), record.value() == null ? null : ByteBuffer.wrap(record.value()));
        if (result instanceof TransactionLog.TxnRecord txn) {
            var metadata = txn.metadata();
            histories.computeIfAbsent(id, k -> new ArrayList<>()).add(new Entry(metadata.producerId(), metadata.producerEpoch(),
                    metadata.state(), Set.copyOf(metadata.topicPartitions())));
        } else {
            // a tombstone (the id expired: what came before is another producer's), or a value of an unknown version
            histories.remove(id);
        }
    }

    /**
     * How the coordinator ended the transaction of a producer left open on a partition: by the state
     * it recorded next after the last {@code ONGOING} of that producer and epoch holding the
     * partition. A transactions-v1 producer keeps its epoch from one transaction to the next, but
     * only the last of its transactions on a partition can be open there: any later end's markers
     * would have closed it.
     *
     * @param history a transactional id's entries, in the order its coordinator wrote them
     * @param partition where the transaction is open
     * @param producerId the open transaction's producer id
     * @param producerEpoch the open transaction's producer epoch
     * @return the entry that ended it, committing or aborting; empty if the history does not say
     *         (compacted away, or still in progress)
     */
    static Optional<Entry> ending(List<Entry> history, TopicPartition partition, long producerId, int producerEpoch) {
        int began = -1;
        for (int i = 0; i < history.size(); i++) {
            Entry entry = history.get(i);
            if (entry.state() == TransactionState.ONGOING && entry.producerId() == producerId
                    && entry.producerEpoch() == producerEpoch && entry.partitions().contains(partition)) {
                began = i;
            }
        }
        if (began < 0) {
            return Optional.empty();
        }
        return history.subList(began + 1, history.size()).stream()
                .filter(entry -> entry.state() != TransactionState.ONGOING)
                .findFirst()
                .filter(entry -> COMMITTING.contains(entry.state()) || ABORTING.contains(entry.state()));
    }

    /** @return whether the entry ends its transaction with commit markers */
    static boolean commits(Entry ending) {
        return COMMITTING.contains(ending.state());
    }
}
