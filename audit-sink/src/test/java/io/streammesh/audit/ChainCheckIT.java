package io.streammesh.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.AuditChainStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The chains' status as the catalog's audit page reads it: written by audit-sink's check alone. */
@MeshTest
class ChainCheckIT {

    @Test
    void eachCheckOfTheChainsIsWrittenToTheAuditChainTopicWhichNoTenantCanWrite(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("chain-forger", PrincipalKind.TEAM);
        Instant started = Instant.now();
        try (var check = ChainCheck.start(mesh.clientConfig("mesh-audit"), new SimpleMeterRegistry(), Duration.ofSeconds(1))) {
            // this check's status, not one an earlier test's check left on the shared mesh
            AuditChainStatus status = await().atMost(Duration.ofSeconds(30)).until(() -> latest(mesh.clientConfig("mesh-admin")),
                    last -> last.isPresent() && !last.get().getCheckedAt().isBefore(started)).orElseThrow();
            // The shared mesh's trail may hold AuditAppIT's forgery (then broken for good): the status must say what a
            // verification of the same trail finds.
            AuditVerifier.Result verified = AuditVerifier.verify(mesh.clientConfig("mesh-admin"));
            assertThat(status.getIntact()).as("intact, as mesh audit verify finds (%s)", verified.firstBreak()).isEqualTo(verified.intact());
            assertThat(status.getFirstBreak() == null).as("a first break exactly when broken: %s", status.getFirstBreak())
                    .isEqualTo(verified.intact());
        }
        try (var forger = new KafkaProducer<>(mesh.clientConfig("chain-forger").kafka(), new StringSerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> forger.send(new ProducerRecord<>(MeshTopics.AUDIT_CHAIN, MeshTopics.AUDIT, new byte[] {0})).get())
                    .as("a tenant cannot claim the chain intact").hasRootCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    private static Optional<AuditChainStatus> latest(MeshClientConfig reader) {
        var props = reader.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), MeshSerdes.<AuditChainStatus>valueDeserializer(reader, true))) {
            var partition = new TopicPartition(MeshTopics.AUDIT_CHAIN, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            AuditChainStatus last = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    last = record.value();
                }
            }
            return Optional.ofNullable(last);
        }
    }
}
