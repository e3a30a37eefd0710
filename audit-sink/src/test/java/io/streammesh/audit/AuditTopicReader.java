package io.streammesh.audit;

import static org.awaitility.Awaitility.await;

import io.streammesh.platform.ClientConfigs;
import io.streammesh.platform.EmbeddedMesh;
import io.streammesh.platform.MeshSerdes;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Everything committed on an audit topic so far, read as mesh-admin from the beginning. */
final class AuditTopicReader<T extends SpecificRecord> {

    private final Properties admin;
    private final String topic;
    private final ToLongFunction<T> count;

    private AuditTopicReader(EmbeddedMesh mesh, String topic, ToLongFunction<T> count) {
        this.admin = mesh.clientConfig("mesh-admin");
        this.topic = topic;
        this.count = count;
    }

    static AuditTopicReader<AuthorizationEvent> raw(EmbeddedMesh mesh) {
        return new AuditTopicReader<>(mesh, MeshTopics.AUDIT_RAW, AuthorizationEvent::getCount);
    }

    static AuditTopicReader<AuditEvent> audit(EmbeddedMesh mesh) {
        return new AuditTopicReader<>(mesh, MeshTopics.AUDIT, AuditEvent::getCount);
    }

    List<T> events(Predicate<T> which) {
        var events = new ArrayList<T>();
        var config = ClientConfigs.kafkaOnly(admin);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), MeshSerdes.<T>valueDeserializer(admin, true))) {
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (which.test(r.value())) {
                        events.add(r.value());
                    }
                });
            }
        }
        return events;
    }

    long sumOfCounts(Predicate<T> which) {
        return events(which).stream().mapToLong(count).sum();
    }

    /** @return the matching events once there are some */
    List<T> awaitEvents(Duration atMost, Predicate<T> which) {
        var found = new ArrayList<T>();
        await().atMost(atMost).until(() -> {
            found.clear();
            found.addAll(events(which));
            return !found.isEmpty();
        });
        return found;
    }
}
