package io.streammesh.audit;

import io.streammesh.schema.MeshException;
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
    private final Duration timeout;

    CommittedRecords(MeshClientConfig clientConfig, Duration timeout) {
        var props = clientConfig.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mesh-audit-consumption-counter");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
    }

    /**
     * @param partition a product or view partition
     * @param from the first offset of the range
     * @param to the offset after its last
     * @return how many committed records lie in {@code [from, to)}
     * @throws MeshException if the range cannot be read within the timeout (e.g. it ends inside
     *         a transaction still open)
     */
    long between(TopicPartition partition, long from, long to) {
        consumer.assign(List.of(partition));
        consumer.seek(partition, from);
        Instant deadline = Instant.now().plus(timeout);
        long count = 0;
        while (consumer.position(partition) < to) {
            if (Instant.now().isAfter(deadline)) {
                throw new MeshException("could not count the records of " + partition + " from offset " + from + " to " + to
                        + " within " + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < to) {
                    count++;
                }
            }
        }
        return count;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
