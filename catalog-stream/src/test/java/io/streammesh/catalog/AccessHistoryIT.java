package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** catalog-stream forgets what the access workflow concluded once it is older than the access history, on the real broker. */
@MeshTest
class AccessHistoryIT {

    private static final Duration HISTORY = Duration.ofSeconds(5);
    private static final Duration SOON = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aDeniedRequestAnEndedGrantAndRejectionsLeaveTheCatalogAndTheGrantsTopicAfterTheHistoryAndAWaitingRequestStays(EmbeddedMesh mesh)
            throws Exception {
        mesh.onboarding().addDomain("hist-orders");
        mesh.onboarding().ensurePrincipal("hist-team", PrincipalKind.TEAM);
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir, mesh.state().credentials(), 0)
                .withAccessHistory(HISTORY))) {
            var team = new CatalogClient(catalog.restUrl(), mesh.clientConfig("hist-team"));
            ProductAddress orders = ProductAddress.parse("hist-orders.order-placed.v1");
            register(mesh, CatalogTopologyTest.orders().setAddress(orders.toString()).setDomain("hist-orders")
                    .setOwner(Owner.newBuilder().setTeam("hist").setPrincipal("User:hist-orders").setContact("hist@example.com").build()).build());
            await().atMost(SOON).until(() -> team.get("/api/products?domain=hist-orders").findValuesAsText("address").contains(orders.toString()));
            String refused = "hist-orders.refused.v1";
            register(mesh, CatalogTopologyTest.orders().setAddress(refused).setDomain("hist-orders").setDescription("short")
                    .setOwner(Owner.newBuilder().setTeam("hist").setPrincipal("User:hist-orders").setContact("hist@example.com").build()).build());

            String waiting;
            String denied;
            String ended;
            String rejected;
            try (var asker = new AccessClient(mesh.clientConfig("hist-team"))) {
                waiting = asker.request(orders, "full", null, "hist-team", "kept while it waits", null);
                denied = asker.request(orders, "full", null, "hist-team", "to be denied", null);
                ended = asker.request(orders, "analytics", null, "hist-team", "to be approved, then revoked", null);
                rejected = asker.request(orders, "no-such-view", null, "hist-team", "to be rejected", null);
            }
            await().atMost(SOON).until(() -> team.get("/api/access/requests?status=PENDING").findValuesAsText("requestId").containsAll(
                    List.of(waiting, denied, ended)));
            try (var owner = new AccessClient(mesh.clientConfig("hist-orders"))) {
                owner.decide("hist-orders", denied, DecisionKind.DENIED, "not now", null);
                owner.decide("hist-orders", ended, DecisionKind.APPROVED, "ok", null);
                await().atMost(SOON).until(() -> team.get("/api/access/requests/" + ended).at("/grant/status").asText().equals("ACTIVE"));
                owner.decide("hist-orders", ended, DecisionKind.REVOKED, "done", null);
            }
            // Nothing below waits to see a concluded state: on a busy machine it may be forgotten before a poll sees it. What
            // concluded is read from the topics the catalog wrote, which keep it.
            await().atMost(SOON).until(() -> List.of(denied, ended, rejected).stream()
                    .allMatch(id -> team.find("/api/access/requests/" + id).isEmpty()));
            assertThat(team.get("/api/rejections?subject=" + rejected).path("count").asInt()).isZero();
            var domain = new CatalogClient(catalog.restUrl(), mesh.clientConfig("hist-orders"));
            await().atMost(SOON).until(() -> domain.get("/api/rejections?subject=" + refused).path("count").asInt() == 0);
            assertThat(team.get("/api/grants?principal=hist-team").path("count").asInt()).isZero();
            assertThat(team.get("/api/access/requests/" + waiting).path("status").asText()).as("older than the history, but waiting")
                    .isEqualTo("PENDING");

            MeshClientConfig admin = mesh.clientConfig("mesh-admin");
            assertThat(TopicReader.of(admin.kafka(), new StringDeserializer(), new ByteArrayDeserializer()).committed(MeshTopics.CATALOG_REJECTIONS))
                    .as("the rejections were written, and mesh.catalog.rejections keeps them").anyMatch(record -> rejected.equals(record.key()))
                    .anyMatch(record -> refused.equals(record.key()));
            // the stores change at once, the topic with the next commit
            List<ConsumerRecord<String, byte[]>> changes = await().atMost(SOON).until(() -> TopicReader.of(admin.kafka(), new StringDeserializer(),
                    new ByteArrayDeserializer()).committed(MeshTopics.ACCESS_GRANTS).stream().filter(record -> ended.equals(record.key())).toList(),
                    grantChanges -> grantChanges.size() == 3);
            assertThat(changes.get(2).value()).as("ACTIVE, REVOKED, then the tombstone").isNull();
        }
    }

    private static void register(EmbeddedMesh mesh, ProductRegistration registration) throws Exception {
        MeshClientConfig config = mesh.clientConfig(registration.getDomain());
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(),
                MeshSerdes.<ProductRegistration>valueSerializer(config, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations(registration.getDomain()), registration.getAddress(), registration)).get();
        }
    }
}
