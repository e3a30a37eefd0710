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
        try (var check = ChainCheck.start(mesh.clientConfig("mesh-audit"), new SimpleMeterRegistry(), Duration.ofSeconds(1))) {
            AuditChainStatus status = await().atMost(Duration.ofSeconds(30)).until(() -> latest(mesh.clientConfig("mesh-admin")),
                    Optional::isPresent).orElseThrow();
            assertThat(status.getIntact()).isTrue();
            assertThat(status.getFirstBreak()).isNull();
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
            AuditChainStatus last = null;
            for (var record : consumer.poll(Duration.ofSeconds(2))) {
                last = record.value();
            }
            return Optional.ofNullable(last);
        }
    }
}
