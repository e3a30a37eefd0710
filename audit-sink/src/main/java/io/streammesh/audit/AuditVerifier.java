package io.streammesh.audit;

import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Checks every hash chain of {@code mesh.audit} from its first event to the last committed one:
 * each event must name the hash of the one before it (the genesis for the first) and carry the
 * hash of its own content. Events are read by the schema they were written with, so the check
 * holds across schema versions.
 */
public final class AuditVerifier {

    /** The first place a chain does not hold. */
    public record Break(int partition, long offset, String reason) {
        @Override
        public String toString() {
            return "partition " + partition + " offset " + offset + ": " + reason;
        }
    }

    /**
     * @param events how many events were checked, per partition
     * @param firstBreak where the first partition with a break breaks, if any
     */
    public record Result(Map<Integer, Long> events, Optional<Break> firstBreak) {
        /** @return whether every chain holds */
        public boolean intact() {
            return firstBreak.isEmpty();
        }

        /** @return events checked in all */
        public long total() {
            return events.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private AuditVerifier() {
    }

    /**
     * @param clientConfig a client config allowed to read {@code mesh.audit}
     * @return what the check found
     */
    public static Result verify(MeshClientConfig clientConfig) {
        var props = clientConfig.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             var registry = SchemaRegistry.connect(clientConfig)) {
            var wire = new WireAvro(registry);
            List<TopicPartition> partitions = consumer.partitionsFor(MeshTopics.AUDIT).stream()
                    .map(p -> new TopicPartition(MeshTopics.AUDIT, p.partition())).sorted((a, b) -> a.partition() - b.partition()).toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            var counts = new TreeMap<Integer, Long>();
            Break first = null;
            for (TopicPartition partition : partitions) {
                counts.put(partition.partition(), 0L);
                Optional<Break> broken = verify(consumer, wire, partition, end.get(partition), counts);
                if (broken.isPresent() && first == null) {
                    first = broken.get();
                }
            }
            return new Result(counts, Optional.ofNullable(first));
        }
    }

    private static Optional<Break> verify(KafkaConsumer<byte[], byte[]> consumer, WireAvro wire, TopicPartition partition,
                                          long end, Map<Integer, Long> counts) {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        String previous = AuditChain.GENESIS;
        while (consumer.position(partition) < end) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                GenericRecord event;
                try {
                    event = wire.decode(record.value());
                } catch (IllegalArgumentException e) {
                    return Optional.of(new Break(partition.partition(), record.offset(), "not an audit event: " + e.getMessage()));
                }
                String prevHash = String.valueOf(event.get("prevHash"));
                String hash = String.valueOf(event.get("hash"));
                if (!prevHash.equals(previous)) {
                    return Optional.of(new Break(partition.partition(), record.offset(),
                            "prevHash " + abbreviate(prevHash) + " does not follow the event before it (hash " + abbreviate(previous) + ")"));
                }
                if (!hash.equals(AuditChain.hashOf(event))) {
                    return Optional.of(new Break(partition.partition(), record.offset(),
                            "its content does not match its hash " + abbreviate(hash) + " (altered or forged)"));
                }
                previous = hash;
                counts.merge(partition.partition(), 1L, Long::sum);
            }
        }
        return Optional.empty();
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}
