package io.streammesh.testing;

import static org.awaitility.Awaitility.await;

import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.MeshClientConfig;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Everything committed on an audit topic so far, read as mesh-admin from the beginning. On the
 * raw topic an event shipped again (its acknowledgement was lost, e.g. as the broker stopped)
 * is there twice with the same source and sequence; the audit app passes it once, and so does
 * this reader.
 *
 * @param <T> the event type of the topic
 */
public final class AuditTopicReader<T extends SpecificRecord> {

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

    /** @param mesh the mesh @return a reader of {@code mesh.audit.raw}, the authorizer's reports */
    public static AuditTopicReader<AuthorizationEvent> raw(EmbeddedMesh mesh) {
        return new AuditTopicReader<>(mesh, MeshTopics.AUDIT_RAW, AuthorizationEvent::getCount,
                e -> e.getSource() + "#" + e.getSequence());
    }

    /** @param mesh the mesh @return a reader of {@code mesh.audit}, the audit app's chained events */
    public static AuditTopicReader<AuditEvent> audit(EmbeddedMesh mesh) {
        return new AuditTopicReader<>(mesh, MeshTopics.AUDIT, AuditEvent::getCount, e -> new Object());
    }

    /** @param which the events wanted @return the matching events committed so far, each once */
    public List<T> events(Predicate<T> which) {
        var events = new ArrayList<T>();
        var seen = new HashSet<>();
        var reader = TopicReader.of(admin.kafka(), new StringDeserializer(),
                MeshSerdes.<T>valueDeserializer(admin, true));
        for (ConsumerRecord<String, T> record : reader.committed(topic)) {
            if (which.test(record.value()) && seen.add(identity.apply(record.value()))) {
                events.add(record.value());
            }
        }
        return events;
    }

    /** @param which the events wanted @return the sum of their counts */
    public long sumOfCounts(Predicate<T> which) {
        return events(which).stream().mapToLong(count).sum();
    }

    /** @param atMost how long to wait @param which the events wanted @return the matching events once there are some */
    public List<T> awaitEvents(Duration atMost, Predicate<T> which) {
        var found = new ArrayList<T>();
        await().atMost(atMost).until(() -> {
            found.clear();
            found.addAll(events(which));
            return !found.isEmpty();
        });
        return found;
    }
}
