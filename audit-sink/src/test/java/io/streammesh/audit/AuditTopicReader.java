package io.streammesh.audit;

import static org.awaitility.Awaitility.await;

import io.streammesh.platform.EmbeddedMesh;
import io.streammesh.platform.MeshClientConfig;
import io.streammesh.platform.MeshSerdes;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Everything committed on an audit topic so far, read as mesh-admin from the beginning. On the
 * raw topic an event shipped again (its acknowledgement was lost, e.g. as the broker stopped)
 * is there twice with the same source and sequence; the audit app passes it once, and so does
 * this reader.
 */
final class AuditTopicReader<T extends SpecificRecord> {

    private final MeshClientConfig admin;
    private final String topic;
    private final ToLongFunction<T> count;
    private final Function<T, Object> identity;

    private AuditTopicReader(EmbeddedMesh mesh, String topic, ToLongFunction<T> count, Function<T, Object> identity) {
        this.admin = mesh.clientConfig("mesh-admin");
        this.topic = topic;
        this.count = count;
        this.identity = identity;
    }

    static AuditTopicReader<AuthorizationEvent> raw(EmbeddedMesh mesh) {
        return new AuditTopicReader<>(mesh, MeshTopics.AUDIT_RAW, AuthorizationEvent::getCount,
                e -> e.getSource() + "#" + e.getSequence());
    }

    static AuditTopicReader<AuditEvent> audit(EmbeddedMesh mesh) {
        return new AuditTopicReader<>(mesh, MeshTopics.AUDIT, AuditEvent::getCount, e -> new Object());
    }

    List<T> events(Predicate<T> which) {
        var events = new ArrayList<T>();
        var seen = new HashSet<>();
        var config = admin.kafka();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), MeshSerdes.<T>valueDeserializer(admin, true))) {
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (which.test(r.value()) && seen.add(identity.apply(r.value()))) {
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
