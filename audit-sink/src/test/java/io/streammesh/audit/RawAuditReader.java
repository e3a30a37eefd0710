package io.streammesh.audit;

import static org.awaitility.Awaitility.await;

import io.streammesh.platform.ClientConfigs;
import io.streammesh.platform.EmbeddedMesh;
import io.streammesh.platform.MeshSerdes;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Everything on {@code mesh.audit.raw} so far, read as mesh-admin from the beginning. */
final class RawAuditReader {

    private final Properties admin;

    RawAuditReader(EmbeddedMesh mesh) {
        this.admin = mesh.clientConfig("mesh-admin");
    }

    List<AuthorizationEvent> events(Predicate<AuthorizationEvent> which) {
        var events = new ArrayList<AuthorizationEvent>();
        try (var consumer = new KafkaConsumer<>(ClientConfigs.kafkaOnly(admin), new StringDeserializer(),
                MeshSerdes.<AuthorizationEvent>valueDeserializer(admin, true))) {
            var partitions = consumer.partitionsFor(MeshTopics.AUDIT_RAW).stream()
                    .map(p -> new TopicPartition(MeshTopics.AUDIT_RAW, p.partition())).toList();
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

    long sumOfCounts(Predicate<AuthorizationEvent> which) {
        return events(which).stream().mapToLong(AuthorizationEvent::getCount).sum();
    }

    /** @return the matching events once there are some */
    List<AuthorizationEvent> awaitEvents(Duration atMost, Predicate<AuthorizationEvent> which) {
        var found = new ArrayList<AuthorizationEvent>();
        await().atMost(atMost).until(() -> {
            found.clear();
            found.addAll(events(which));
            return !found.isEmpty();
        });
        return found;
    }
}
