package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogBusyException;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ViewAccess;
import io.streammesh.testing.ProductRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** catalog-stream on the real mesh: governance, the access workflow, REST, restarts and two instances. */
@MeshTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogIT {

    private static final Duration SOON = Duration.ofSeconds(60);

    private EmbeddedMesh mesh;
    private CatalogApp catalog;
    private Path stateDir;

    @BeforeAll
    void start(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        stateDir = Files.createTempDirectory("catalog-it-");
        catalog = startCatalog(stateDir.resolve("a"));
        mesh.onboarding().addDomain("cat-orders");
        mesh.onboarding().addDomain("cat-customers");
        mesh.onboarding().ensurePrincipal("cat-analytics", PrincipalKind.TEAM);
        // One test runs a second catalog instance; when it leaves, the group rebalances and the
        // catalog answers 503 "try again in a moment" for a while, as it would to any client.
        Awaitility.ignoreExceptionByDefault(CatalogBusyException.class);
    }

    @AfterAll
    void stop() {
        Awaitility.reset();
        catalog.close();
    }

    @Test
    void aPublishedProductIsFoundBySearch() {
        register("cat-customers", CatalogTopologyTest.customers().setAddress("cat-customers.profiles.v1").setDomain("cat-customers")
                .setName("profiles").setTags(List.of("master-data")).setOwner(owner("cat-customers")).build());

        JsonNode found = await().atMost(SOON).until(
                () -> api("cat-analytics").get("/api/products?q=profiles&domain=cat-customers"), r -> r.path("count").asInt() == 1);
        assertThat(found.at("/products/0/address").asText()).isEqualTo("cat-customers.profiles.v1");
        JsonNode product = api("cat-analytics").get("/api/products/cat-customers.profiles.v1");
        assertThat(product.at("/schema/url").asText()).endsWith("/apis/ccompat/v7/schemas/ids/1");
        assertThat(product.path("views")).hasSize(2);
        assertThat(api("cat-analytics").get("/api/products?tag=master-data").path("count").asInt()).isPositive();
    }

    @Test
    void anUngovernedContractIsRejectedWithEveryReasonVisibleInRest() {
        register("cat-orders", CatalogTopologyTest.orders().setAddress("cat-orders.sloppy.v1").setDomain("cat-orders").setName("sloppy")
                .setOwner(owner("cat-orders")).setDescription("Orders").setFreshnessMs(null)
                .setViews(List.of(CatalogTopologyTest.view("open", ViewAccess.AUTO, Map.of()))).build());

        JsonNode rejections = await().atMost(SOON).until(() -> api("cat-orders").get("/api/rejections?subject=cat-orders.sloppy.v1"),
                r -> r.path("count").asInt() == 1);
        assertThat(rejections.at("/rejections/0/reasons").findValuesAsText("rule")).containsExactly("description", "pii-masked", "slo-declared");
        assertThatThrownBy(() -> api("cat-orders").get("/api/products/cat-orders.sloppy.v1"))
                .hasMessage("no product cat-orders.sloppy.v1 in the catalog");
    }

    @Test
    void aRegistrationWrittenStraightToTheRegistrationTopicWithFiftyThousandPartitionsIsRejectedNamingPartitions() {
        register("cat-orders", CatalogTopologyTest.orders().setAddress("cat-orders.huge.v1").setDomain("cat-orders").setName("huge")
                .setOwner(owner("cat-orders")).setPartitions(50_000).build());

        JsonNode rejections = await().atMost(SOON).until(() -> api("cat-orders").get("/api/rejections?subject=cat-orders.huge.v1"),
                r -> r.path("count").asInt() == 1);
        assertThat(rejections.at("/rejections/0/reasons/0/rule").asText()).isEqualTo("partitions");
        assertThat(rejections.at("/rejections/0/reasons/0/message").asText()).isEqualTo("partitions must be between 1 and 1000, got 50000");
        assertThatThrownBy(() -> api("cat-orders").get("/api/products/cat-orders.huge.v1"))
                .hasMessage("no product cat-orders.huge.v1 in the catalog");
    }

    @Test
    void aRequestApprovedByTheOwnerBecomesAnActiveGrantAndAnotherDomainsApprovalIsIgnored() {
        ProductAddress orders = publishOrders("cat-orders.approved.v1");
        String requestId;
        try (var team = new AccessClient(mesh.clientConfig("cat-analytics"))) {
            requestId = team.request(orders, "analytics", null, "cat-analytics", "weekly report", Duration.ofDays(7));
        }
        await().atMost(SOON).until(() -> api("cat-orders").get("/api/access/requests?status=PENDING&domain=cat-orders").findValuesAsText("requestId"),
                ids -> ids.contains(requestId));

        try (var other = new AccessClient(mesh.clientConfig("cat-customers"))) {
            other.decide("cat-customers", requestId, DecisionKind.APPROVED, "not mine to approve", null);
        }
        await().atMost(SOON).until(() -> api("mesh-admin").get("/api/rejections?subject=" + requestId).path("count").asInt() == 1);
        assertThat(api("cat-analytics").get("/api/grants?principal=cat-analytics&product=" + orders).path("count").asInt()).isZero();

        try (var owner = new AccessClient(mesh.clientConfig("cat-orders"))) {
            owner.decide("cat-orders", requestId, DecisionKind.APPROVED, "ok", null);
        }
        JsonNode grants = await().atMost(SOON).until(() -> api("cat-analytics").get("/api/grants?product=" + orders),
                r -> r.path("count").asInt() == 1);
        assertThat(grants.at("/grants/0/status").asText()).isEqualTo("ACTIVE");
        assertThat(grants.at("/grants/0/approvedBy").asText()).isEqualTo("User:cat-orders");
        assertThat(grants.at("/grants/0/topic").asText()).isEqualTo("mesh.view.cat-orders.approved.v1.analytics");
        assertThat(api("cat-analytics").get("/api/access/requests/" + requestId).at("/grant/status").asText()).isEqualTo("ACTIVE");
        assertThatThrownBy(() -> new AccessClient(mesh.clientConfig("cat-analytics")).decide("cat-orders", requestId, DecisionKind.REVOKED, "x", null))
                .hasMessageStartingWith("refused by the broker: User:cat-analytics may not write mesh.decisions.cat-orders");
    }

    @Test
    void aTenSecondGrantExpiresOnTime() {
        ProductAddress orders = publishOrders("cat-orders.expiring.v1");
        String requestId;
        try (var team = new AccessClient(mesh.clientConfig("cat-analytics")); var owner = new AccessClient(mesh.clientConfig("cat-orders"))) {
            requestId = team.request(orders, "full", null, "cat-analytics", "a quick look", Duration.ofSeconds(10));
            await().atMost(SOON).until(() -> api("cat-orders").get("/api/access/requests?status=PENDING").findValuesAsText("requestId").contains(requestId));
            owner.decide("cat-orders", requestId, DecisionKind.APPROVED, null, null);
        }
        // any status: on a busy machine the grant may be ACTIVE for less time than one poll takes
        JsonNode granted = await().atMost(SOON).until(() -> api("cat-analytics").get("/api/grants?product=" + orders),
                r -> r.path("count").asInt() == 1);
        assertThat(granted.at("/grants/0/topic").asText()).isEqualTo(orders.topic());
        assertThat(granted.at("/grants/0/status").asText()).isIn("ACTIVE", "EXPIRED");

        // Judged by the grant's own clock, not by when this test first saw it: a busy machine shows ACTIVE late.
        JsonNode expired = await().atMost(Duration.ofSeconds(30))
                .until(() -> api("cat-analytics").get("/api/grants?product=" + orders + "&status=EXPIRED"), r -> r.path("count").asInt() == 1)
                .at("/grants/0");
        Instant grantedAt = Instant.parse(expired.path("grantedAt").asText());
        Instant expiresAt = Instant.parse(expired.path("expiresAt").asText());
        Instant endedAt = Instant.parse(expired.path("endedAt").asText());
        assertThat(Duration.between(grantedAt, expiresAt)).isEqualTo(Duration.ofSeconds(10));
        assertThat(endedAt).isAfterOrEqualTo(expiresAt).isBefore(expiresAt.plusSeconds(10));
    }

    @Test
    void everyRestCallIsReportedForTheAuditAllowedOrDenied() throws Exception {
        api("cat-analytics").get("/api/products?q=audited-call");
        assertThatThrownBy(() -> new CatalogClient(catalog.restUrl(), withPassword(mesh.clientConfig("cat-analytics"), "wrong"))
                .get("/api/products?q=denied-call")).hasMessageStartingWith("authenticate with your mesh principal");

        MeshClientConfig admin = mesh.clientConfig("mesh-admin");
        List<AuthorizationEvent> events = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(admin.kafka(), new StringDeserializer(),
                MeshSerdes.<AuthorizationEvent>valueDeserializer(admin, true))) {
            var partitions = consumer.partitionsFor(MeshTopics.AUDIT_RAW).stream()
                    .map(p -> new TopicPartition(MeshTopics.AUDIT_RAW, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(SOON).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
                return events.stream().filter(e -> e.getResourceName().contains("-call")).count() >= 2;
            });
        }
        assertThat(events).filteredOn(e -> e.getResourceName().equals("/api/products?q=audited-call")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getPrincipal()).isEqualTo("User:cat-analytics");
                    assertThat(e.getResourceType()).isEqualTo("CATALOG");
                    assertThat(e.getDecision()).isEqualTo(Decision.ALLOWED);
                });
        assertThat(events).filteredOn(e -> e.getResourceName().equals("/api/products?q=denied-call")).singleElement()
                .satisfies(e -> assertThat(e.getDecision()).isEqualTo(Decision.DENIED));
    }

    private static MeshClientConfig withPassword(MeshClientConfig config, String password) {
        return new MeshClientConfig(config.bootstrap(), config.principal(), config.registryUrl(), new MeshClientConfig.Secret(password), config.extra());
    }

    @Test
    void productHealthIsLiveFromTheProductsOwnTopic() throws Exception {
        ProductAddress orders = publishOrders("cat-orders.healthy.v1");
        try (var admin = org.apache.kafka.clients.admin.Admin.create(mesh.clientConfig("mesh-enforcer").kafka())) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(orders.topic(), 2, (short) 1))).all().get();
        }
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            records.put("k" + i, "v".getBytes(StandardCharsets.UTF_8));
        }
        ProductRecords.writeBytes(mesh, orders.topic(), records);
        JsonNode product = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> api("cat-analytics").get("/api/products/" + orders),
                p -> p.at("/health/status").asText().equals("OK"));
        assertThat(product.at("/health/lastRecordAt").asText()).isNotEmpty();
        assertThat(product.at("/health/throughputPerSecond").asDouble()).isPositive();
    }

    @Test
    void badParametersAndWrongCredentialsGetAJsonErrorAndTheAppKeepsRunning() throws Exception {
        assertThatThrownBy(() -> api("cat-analytics").get("/api/products?colour=blue"))
                .hasMessage("unknown parameter 'colour'; known: q, domain, tag, classification, status");
        assertThatThrownBy(() -> api("cat-analytics").get("/api/grants?status=FOREVER"))
                .hasMessage("status must be one of [ACTIVE, REVOKED, EXPIRED], got 'FOREVER'");
        assertThatThrownBy(() -> api("cat-analytics").get("/api/products/Not.An.Address"))
                .hasMessageStartingWith("'Not.An.Address': version part 'Address' must be v<major>");
        var wrong = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(catalog.restUrl() + "/api/products"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("cat-analytics:wrong".getBytes())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("\"error\"");

        try (var producer = new KafkaProducer<>(mesh.clientConfig("cat-orders").kafka(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations("cat-orders"), "cat-orders.junk.v1", "not avro")).get();
        }
        await().atMost(SOON).until(() -> api("cat-orders").get("/api/rejections?subject=cat-orders.junk.v1").path("count").asInt() == 1);
        assertThat(catalog.state().isRunningOrRebalancing()).isTrue();
    }

    @Test
    void aRestartRestoresStateAndTwoInstancesAnswerForAnyKey() throws Exception {
        ProductAddress orders = publishOrders("cat-orders.restart.v1");
        String requestId;
        try (var team = new AccessClient(mesh.clientConfig("cat-analytics"))) {
            requestId = team.request(orders, "full", null, "cat-analytics", "restart test", null);
        }
        await().atMost(SOON).until(() -> api("cat-orders").get("/api/access/requests?status=PENDING").findValuesAsText("requestId").contains(requestId));

        catalog.close();
        catalog = startCatalog(stateDir.resolve("a"));
        assertThat(await().atMost(SOON).ignoreExceptions().until(() -> api("cat-orders").get("/api/access/requests/" + requestId), r -> true)
                .path("status").asText()).isEqualTo("PENDING");
        assertThat(api("cat-orders").get("/api/products/" + orders).path("address").asText()).isEqualTo(orders.toString());

        try (CatalogApp second = startCatalog(stateDir.resolve("b"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> catalog.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING
                    && second.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
            for (String base : List.of(catalog.restUrl(), second.restUrl())) {
                var client = new CatalogClient(base, mesh.clientConfig("cat-orders"));
                JsonNode request = await().atMost(SOON).ignoreExceptions().until(() -> client.get("/api/access/requests/" + requestId), r -> true);
                assertThat(request.path("status").asText()).as(base).isEqualTo("PENDING");
                // A joining instance can trigger a follow-up rebalance after both run; an instance answers 503 meanwhile.
                assertThat(await().atMost(SOON).ignoreExceptions()
                        .until(() -> client.get("/api/access/requests?status=PENDING").findValuesAsText("requestId"), ids -> true))
                        .as(base).contains(requestId);
            }
        }
    }

    private CatalogApp startCatalog(Path dir) {
        return CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir, mesh.state().credentials(), 0));
    }

    private CatalogClient api(String principal) {
        return new CatalogClient(catalog.restUrl(), mesh.clientConfig(principal));
    }

    private ProductAddress publishOrders(String address) {
        ProductAddress parsed = ProductAddress.parse(address);
        register(parsed.domain(), CatalogTopologyTest.orders().setAddress(address).setDomain(parsed.domain()).setName(parsed.product())
                .setOwner(owner(parsed.domain())).build());
        await().atMost(SOON).until(() -> api("cat-analytics").get("/api/products?domain=" + parsed.domain()).findValuesAsText("address").contains(address));
        return parsed;
    }

    private static io.streammesh.schema.Owner owner(String domain) {
        return io.streammesh.schema.Owner.newBuilder().setTeam(domain + "-team").setPrincipal("User:" + domain).setContact(domain + "@example.com").build();
    }

    private void register(String domain, ProductRegistration registration) {
        MeshClientConfig config = mesh.clientConfig(domain);
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(),
                MeshSerdes.<ProductRegistration>valueSerializer(config, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations(domain), registration.getAddress(), registration)).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
