package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.Decision;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.IngestGrants;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicOffsets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Only the contract gate writes a product and its dead-letter topic: attacks by the domain that owns them. */
@MeshTest
class GateSecurityIT {

    @Test
    void aDomainsPlainProducerIsRefusedOnItsProductAndDeadLetterTopicsAuditedAndWritesOnlyItsIngestTopic(EmbeddedMesh mesh)
            throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "sec-shop");
        ProductAddress address = ProductAddress.parse("sec-shop.order-placed.v1");
        IngestGrants.allow(mesh, address);

        try (var producer = new KafkaProducer<>(domain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            assertThat(producer.send(new ProducerRecord<>(address.ingestTopic(), "o-1", order("o-1"))).get().topic())
                    .isEqualTo(address.ingestTopic());
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(address.topic(), "o-forged", order("o-forged"))).get())
                    .as("straight into the product, past the contract").hasCauseInstanceOf(TopicAuthorizationException.class);
            var forgedReason = new ProducerRecord<>(address.deadLetterTopic(), "o-forged", order("o-forged"));
            forgedReason.headers().add(DeadLetterHeaders.REASON, "the mesh said so".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> producer.send(forgedReason).get())
                    .as("a dead-letter reason only the mesh gives").hasCauseInstanceOf(TopicAuthorizationException.class);
        }

        assertThat(TopicOffsets.end(mesh.admin(), address.topic())).isZero();
        assertThat(TopicOffsets.end(mesh.admin(), address.deadLetterTopic())).isZero();
        var raw = AuditTopicReader.raw(mesh);
        for (String topic : List.of(address.topic(), address.deadLetterTopic())) {
            raw.awaitEvents(Duration.ofSeconds(30), e -> e.getPrincipal().equals("User:sec-shop") && e.getOperation().equals("WRITE")
                    && e.getResourceName().equals(topic) && e.getDecision() == Decision.DENIED && !e.getProbe());
        }
    }

    @Test
    void aDomainsTransactionalProducerCannotWriteItsProductEither(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "sec-txn");
        ProductAddress address = ProductAddress.parse("sec-txn.order-placed.v1");
        var props = domain.kafka();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sec-txn.forger");

        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(address.topic(), "o-forged", order("o-forged"))).get())
                    .hasRootCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(producer::commitTransaction).isInstanceOf(KafkaException.class);
        }

        assertThat(TopicOffsets.end(mesh.admin(), address.topic())).as("not even an aborted record").isZero();
    }

    @Test
    void anotherDomainCannotWriteThisDomainsIngestTopic(EmbeddedMesh mesh) throws Exception {
        TestContracts.publishOrders(mesh, "sec-owner");
        ProductAddress address = ProductAddress.parse("sec-owner.order-placed.v1");
        IngestGrants.allow(mesh, address);
        mesh.onboarding().addDomain("sec-intruder");

        try (var producer = new KafkaProducer<>(mesh.clientConfig("sec-intruder").kafka(), new StringSerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(address.ingestTopic(), "o-1", order("o-1"))).get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }

        assertThat(TopicOffsets.end(mesh.admin(), address.ingestTopic())).isZero();
    }

    private static byte[] order(String id) {
        return GateIT.json(id, 5).getBytes(StandardCharsets.UTF_8);
    }

}
