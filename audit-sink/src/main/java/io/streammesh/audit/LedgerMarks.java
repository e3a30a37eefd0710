package io.streammesh.audit;

import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.ConsumerOffsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Where the consumption ledger left off: the last committed offset it wrote to
 * {@link AuditTopology#CONSUMPTION_TOPIC} for each group, topic and partition. A restarted ledger
 * counts from there, as the audit topology does, so their ranges agree.
 */
final class LedgerMarks {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private LedgerMarks() {
    }

    /**
     * @param clientConfig the audit app's client config
     * @return the last committed offset written per {@code group|topic|partition}
     * @throws MeshException if the topic cannot be read to its end within 30 s
     */
    static Map<String, Long> read(MeshClientConfig clientConfig) {
        var props = clientConfig.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mesh-audit-consumption-marks");
        var marks = new HashMap<String, Long>();
        try (var consumer = new KafkaConsumer<String, ConsumerOffsets>(props, new StringDeserializer(),
                MeshSerdes.<ConsumerOffsets>valueDeserializer(clientConfig, true))) {
            List<TopicPartition> partitions = consumer.partitionsFor(AuditTopology.CONSUMPTION_TOPIC).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new MeshException("could not read " + AuditTopology.CONSUMPTION_TOPIC + " to its end within "
                            + TIMEOUT.toSeconds() + " s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> marks.put(r.key(), r.value().getCommittedOffset()));
            }
        }
        return marks;
    }
}
