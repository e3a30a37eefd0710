package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.schema.Decision;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.MeshTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mesh consume} on the real mesh, every app running: a domain's clients write JSON and
 * raw bytes to the ingest topic, the contract gate makes the good ones the product and the rest
 * dead letters, the policy-enforcer makes the analytics view. The owner reads its product (Avro
 * decoded) and its dead letters (reasons shown), a granted team its view with the grant's group;
 * a team without a grant is refused by the broker, in one line, and the refusal is audited.
 */
@MeshTest
class ConsumeCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProductAddress PRODUCT = ProductAddress.parse("cons-shop.order-placed.v1");
    private static final byte[] NOT_UTF8 = {(byte) 0xff, (byte) 0xfe, 0x01};

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void peopleReadWhatTheBrokerLetsThemDecodedAndARefusalIsOneAuditedLine(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cons-shop");
        mesh.onboarding().ensurePrincipal("cons-team", PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal("cons-stranger", PrincipalKind.TEAM);
        String state = mesh.state().root().toString();
        String view = PRODUCT.viewTopic("analytics");

        try (var catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                     mesh.state().credentials(), 0));
             var grants = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"));
             var views = ViewApp.start(mesh.clientConfig("mesh-enforcer"), dir.resolve("views"), "cons-secret".getBytes(), new SimpleMeterRegistry(),
                     mesh.state().keks());
             var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0,
                     mesh.state().keks())) {
            try (var publisher = ProductPublisher.connect(mesh.clientConfig("cons-shop"))) {
                publisher.publish(DataContracts.load(contract()));
            }
            var api = new CatalogClient(catalog.restUrl(), mesh.clientConfig("cons-team"));
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/products?domain=cons-shop").path("count").asInt() == 1);
            writeIngest(mesh.clientConfig("cons-shop"));

            var product = CommandRun.of("consume", PRODUCT.topic(), "--from-beginning", "--max", "3", "--timeout", "60s", "-o", "json",
                    "--state-dir", state);
            assertThat(product.exitCode()).as(product.err()).isZero();
            List<JsonNode> orders = lines(product.out());
            assertThat(orders).extracting(o -> o.path("key").asText()).containsExactlyInAnyOrder("o-1", "o-2", "o-3");
            assertThat(orders).allSatisfy(o -> {
                assertThat(o.path("valueFormat").asText()).isEqualTo("avro");
                assertThat(o.path("value").path("orderId").asText()).isEqualTo(o.path("key").asText());
                assertThat(o.path("value").path("placedAt").asText()).isEqualTo("2026-12-01T09:00:00Z");
                // the demo contract encrypts its PII at the gate
                assertThat(o.path("value").path("customerEmail").asText()).startsWith("mesh:enc:v1:");
            });
            assertThat(product.err()).isEqualTo("3 records from cons-shop.order-placed.v1 (3 partitions)\n");

            var deadLetters = CommandRun.of("consume", PRODUCT.deadLetterTopic(), "--from-beginning", "--max", "2", "--timeout", "60s",
                    "--json", "--state-dir", state);
            assertThat(deadLetters.exitCode()).as(deadLetters.err()).isZero();
            List<JsonNode> refused = lines(deadLetters.out());
            assertThat(refused).extracting(r -> r.path("key").asText()).containsExactlyInAnyOrder("o-bad", "o-raw");
            JsonNode broken = refused.stream().filter(r -> r.path("key").asText().equals("o-bad")).findFirst().orElseThrow();
            assertThat(broken.at("/deadLetter/rule").asText()).isEqualTo("positive-amount");
            assertThat(broken.at("/deadLetter/reason").asText()).isEqualTo("quality rule 'positive-amount' (record.amount > 0) is false");
            assertThat(broken.at("/deadLetter/contractVersion").asText()).isNotEmpty();
            assertThat(broken.at("/deadLetter/sourceOffset").asText()).matches("[0-9]+");
            JsonNode raw = refused.stream().filter(r -> r.path("key").asText().equals("o-raw")).findFirst().orElseThrow();
            assertThat(raw.path("valueFormat").asText()).isEqualTo("base64");
            assertThat(raw.path("value").asText()).as("a dead letter of an encrypted product is encrypted whole").isNotEqualTo("//4B");
            assertThat(raw.at("/deadLetter/rule").asText()).isEqualTo("schema");

            approveAnalytics(mesh, api);
            // the grant's ACLs come from the policy-enforcer a moment after the approval
            await().atMost(Duration.ofSeconds(60)).until(() -> lines(CommandRun.of("consume", view, "--as", "cons-team", "--from-beginning",
                    "--max", "2", "--timeout", "5s", "-o", "json", "--state-dir", state).out()).size() == 2);
            var granted = CommandRun.of("consume", view, "--as", "cons-team", "--group", "cons-team", "--from-beginning", "--max", "2",
                    "--timeout", "60s", "-o", "json", "--state-dir", state);
            assertThat(granted.exitCode()).as(granted.err()).isZero();
            assertThat(lines(granted.out())).allSatisfy(o -> {
                assertThat(o.path("value").path("country").asText()).isEqualTo("FR");
                assertThat(o.path("value").path("customerEmail").asText()).matches("[0-9a-f]{64}");
            }).extracting(o -> o.path("key").asText()).containsExactlyInAnyOrder("o-1", "o-3");
            var again = CommandRun.of("consume", view, "--as", "cons-team", "--group", "cons-team", "--from-beginning", "--timeout", "3s",
                    "--state-dir", state);
            assertThat(again.out()).as("the group committed what it was shown").isEmpty();
            assertThat(again.err()).startsWith("0 records from " + view);

            var otherGroup = CommandRun.of("consume", view, "--as", "cons-team", "--group", "cons-team-2", "--timeout", "5s", "--state-dir", state);
            assertThat(otherGroup.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(otherGroup.out()).isEmpty();
            assertThat(otherGroup.err()).isEqualTo("mesh: User:cons-team may not read " + view + " with consumer group cons-team-2: use the "
                    + "group of your grant (mesh access grants --as cons-team; a grant gives only your own groups, cons-team or cons-team.<name>), "
                    + "or read without --group\n");
        }

        var stranger = CommandRun.of("consume", PRODUCT.topic(), "--as", "cons-stranger", "--from-beginning", "--timeout", "5s",
                "--state-dir", state);
        assertThat(stranger.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(stranger.out()).isEmpty();
        assertThat(stranger.err()).isEqualTo("mesh: User:cons-stranger may not read cons-shop.order-placed.v1: ask its owner, User:cons-shop, "
                + "for a grant with mesh access request cons-shop.order-placed.v1 --view <view> --group <group> --purpose <why>, "
                + "then read it with --group <group>\n");
        AuditTopicReader.raw(mesh).awaitEvents(Duration.ofSeconds(30), e -> e.getPrincipal().equals("User:cons-stranger")
                && e.getResourceName().equals(PRODUCT.topic()) && e.getDecision() == Decision.DENIED && !e.getProbe());
    }

    /** Good JSON, a record breaking a rule and bytes that are not even text, from a plain client, through the gate. */
    private static void writeIngest(MeshClientConfig domain) {
        try (var producer = new KafkaProducer<>(domain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            // the domain may write its ingest topic once the catalog has admitted the product
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-1", order("o-1", "FR", 12.5))).get() != null);
            producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-2", order("o-2", "DE", 7)));
            producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-3", order("o-3", "FR", 3)));
            producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-bad", order("o-bad", "FR", -1)));
            producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-raw", NOT_UTF8));
            producer.flush();
        }
    }

    private static void approveAnalytics(EmbeddedMesh mesh, CatalogClient api) {
        String request;
        try (var team = new AccessClient(mesh.clientConfig("cons-team"))) {
            request = team.request(PRODUCT, "analytics", null, "cons-team", "consume test", Duration.ofDays(1));
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> api.get("/api/access/requests/" + request).path("status").asText().equals("PENDING"));
        try (var owner = new AccessClient(mesh.clientConfig("cons-shop"))) {
            owner.decide("cons-shop", request, DecisionKind.APPROVED, "ok", null);
        }
    }

    private static byte[] order(String id, String country, double amount) {
        return """
                {"orderId": "%s", "customerId": "c-1", "customerEmail": "ann@example.com", "shippingAddress": "1 Main Street",
                 "country": "%s", "amount": %s, "currency": "EUR", "items": 1, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(id, country, amount).getBytes(StandardCharsets.UTF_8);
    }

    private static List<JsonNode> lines(String out) {
        return out.lines().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).toList();
    }

    private Path contract() throws Exception {
        Path examples = Path.of("..", "examples", "orders");
        Files.copy(examples.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        return Files.writeString(dir.resolve("cons-shop.yaml"), Files.readString(examples.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: cons-shop").replace("User:orders", "User:cons-shop")
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
    }
}
