package io.streammesh.audit;

import io.streammesh.client.MeshClientConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts the records a consumer read between two offsets of a partition. Offsets are not records:
 * on a topic written in transactions every commit or abort leaves a marker that takes an offset,
 * and aborted records take offsets too, so the ledger reads the range {@code read_committed} and
 * counts what a read_committed consumer gets. Values are never decoded: the audit counts, it does
 * not look at the data.
 */
final class CommittedRecords implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;

    /**
     * The records counted in a range read from its start, and where the read reached.
     *
     * @param records the committed records in {@code [from, reached)}
     * @param reached the range's end, or an offset short of it when the time given ran out
     */
    record Counted(long records, long reached) {
    }

    CommittedRecords(MeshClientConfig clientConfig) {
        var props = clientConfig.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mesh-audit-consumption-counter");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * @param partition a product or view partition
     * @param from the first offset of the range
     * @param to the offset after its last
     * @param within how long the read may take: a long range is counted over several calls, each from where the last reached
     * @return how many committed records lie in {@code [from, reached)}, and {@code reached}
     */
    Counted upTo(TopicPartition partition, long from, long to, Duration within) {
        consumer.assign(List.of(partition));
        consumer.seek(partition, from);
        Instant deadline = Instant.now().plus(within);
        long count = 0;
        while (consumer.position(partition) < to && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < to) {
                    count++;
                }
            }
        }
        return new Counted(count, Math.min(consumer.position(partition), to));
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
