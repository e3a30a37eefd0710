package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshSerdes;
import io.streammesh.connector.ProductProducer;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.demo.orders.OrderPlaced;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop, every app on the real mesh: a domain publishes a product with an analytics
 * view and produces 10,000 records through the contract gate; the analytics team is refused, asks, the owner approves; the
 * team's plain consumer (its own group, read_committed) reads exactly the expected rows, masked;
 * the owner revokes and the broker refuses the team again within 5 s.
 */
@MeshTest
class GovernedViewLoopIT {

    private static final int RECORDS = 10_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aTeamReadsExactlyItsGovernedViewWhileApprovedAndIsRefusedOtherwise(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("loop-shop");
        mesh.onboarding().ensurePrincipal("loop-team", PrincipalKind.TEAM);
        Path examples = Path.of("..", "examples", "orders");
        Files.copy(examples.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        Path contract = Files.writeString(dir.resolve("loop.yaml"), Files.readString(examples.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: loop-shop").replace("User:orders", "User:loop-shop")
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
        ProductAddress product = ProductAddress.parse("loop-shop.order-placed.v1");
        String view = product.viewTopic("analytics");

        try (var catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                     mesh.state().credentials(), 0));
             var grants = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"));
             var views = ViewApp.start(mesh.clientConfig("mesh-enforcer"), dir.resolve("views"), "loop-secret".getBytes(), new SimpleMeterRegistry(),
                     mesh.state().keks());
             var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0,
                     mesh.state().keks())) {
            try (var publisher = ProductPublisher.connect(mesh.clientConfig("loop-shop"))) {
                publisher.publish(DataContracts.load(contract));
            }
            var api = new CatalogClient(catalog.restUrl(), mesh.clientConfig("loop-team"));
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/api/products?domain=loop-shop").path("count").asInt() == 1);

            int expected = 0;
            try (var producer = ProductProducer.<OrderPlaced>open(product, mesh.clientConfig("loop-shop"), new SimpleMeterRegistry())) {
                for (int i = 0; i < RECORDS; i++) {
                    String country = i % 5 == 0 ? "DE" : "FR";
                    expected += country.equals("DE") ? 0 : 1;
                    producer.send(OrderPlaced.newBuilder().setOrderId("o-" + i).setCustomerId("c-" + i % 100)
                            .setCustomerEmail("customer" + i % 100 + "@example.com").setShippingAddress(i + " Loop Road").setCountry(country)
                            .setAmount(20.5).setCurrency("EUR").setItems(1).setPlacedAt(Instant.now()).build());
                }
                producer.flush();
            }
            MeshClientConfig team = mesh.clientConfig("loop-team");
            assertThat(readView(team, view, 1, Duration.ofSeconds(3))).as("refused before approval").isNull();

            String request;
            try (var client = new AccessClient(team)) {
                request = client.request(product, "analytics", null, "loop-team", "loop test", Duration.ofDays(1));
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> api.get("/api/access/requests/" + request).path("status").asText().equals("PENDING"));
            try (var owner = new AccessClient(mesh.clientConfig("loop-shop"))) {
                owner.decide("loop-shop", request, DecisionKind.APPROVED, "ok", null);
            }

            int rows = expected;
            List<GenericRecord> read = await().atMost(Duration.ofSeconds(60)).until(() -> readView(team, view, rows, Duration.ofSeconds(20)),
                    records -> records != null && records.size() >= rows);
            assertThat(read).hasSize(expected);
            assertThat(read).allSatisfy(r -> {
                assertThat(r.get("country")).hasToString("FR");
                assertThat(r.get("customerEmail").toString()).matches("[0-9a-f]{64}");
                // an encrypted field is nullable in the view (an erased subject's reads as null), so redact writes null
                assertThat(r.get("shippingAddress")).isNull();
            });

            try (var owner = new AccessClient(mesh.clientConfig("loop-shop"))) {
                owner.decide("loop-shop", request, DecisionKind.REVOKED, "done", null);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> readView(team, view, 1, Duration.ofSeconds(1)) == null);
        }
    }

    /** @return the first {@code wanted} records the team reads with its own group, or null when the broker refuses it */
    private static List<GenericRecord> readView(MeshClientConfig team, String topic, int wanted, Duration within) {
        var props = team.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "loop-team");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var reader = TopicReader.of(props, new StringDeserializer(), MeshSerdes.<GenericRecord>valueDeserializer(team, false))
                .settlingFor(Duration.ofSeconds(1));
        try {
            return reader.readUntil(topic, wanted, within).stream().map(ConsumerRecord::value).toList();
        } catch (AuthorizationException e) {
            return null;
        }
    }
}
