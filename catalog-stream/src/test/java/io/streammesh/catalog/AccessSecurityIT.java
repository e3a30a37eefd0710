package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.FreeText;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.RuleViolation;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicOffsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The access workflow under attack on the real mesh: only Kafka says who wrote a request or a
 * decision, refused attempts are audited naming the writer, internal routes serve only the
 * platform, and free text cannot carry control characters.
 */
@MeshTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessSecurityIT {

    private static final Duration SOON = Duration.ofSeconds(20);
    /**
     * How long a request filed during a flood may take: the flood's own producer, the broker and
     * the catalog share this machine's two cores, so the test measures the order the catalog reads
     * in (the request ahead of the flood records written before it), and bounds the time loosely.
     */
    private static final Duration FLOOD_WAIT = Duration.ofSeconds(60);
    /**
     * Flood records written and not read yet when the request is filed: more than the catalog,
     * reading tens of thousands a second, gets through while it decides the request.
     */
    private static final long FLOOD_BACKLOG = 300_000;
    private static final String CONTROL = "(newlines, escape sequences and other control characters are not allowed)";

    private EmbeddedMesh mesh;
    private CatalogApp catalog;
    private ProductAddress product;

    @BeforeAll
    void start(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        mesh.onboarding().addDomain("sec-orders");
        mesh.onboarding().addDomain("sec-customers");
        mesh.onboarding().ensurePrincipal("sec-analytics", PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal("sec-mallory", PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal("sec-flood", PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal("sec-security", PrincipalKind.TEAM);
        catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), Files.createTempDirectory("access-security-it-"),
                mesh.state().credentials(), 0));
        product = ProductAddress.parse("sec-orders.placed.v1");
        register(CatalogTopologyTest.twoLevel("User:sec-security").setAddress(product.toString()).setDomain("sec-orders").setName("placed")
                .setOwner(io.streammesh.schema.Owner.newBuilder().setTeam("sec-orders-team").setPrincipal("User:sec-orders")
                        .setContact("sec-orders@example.com").build()).build());
        await().atMost(SOON).until(() -> api("sec-analytics").get("/api/products?domain=sec-orders").findValuesAsText("address")
                .contains(product.toString()));
    }

    @AfterAll
    void stop() {
        catalog.close();
    }

    @Test
    void anApprovalForgedWithTheSourceTopicHeaderGrantsNothingAndIsAuditedNamingTheForger() throws Exception {
        String requestId = pendingRequest("forged approval");
        MeshClientConfig analytics = mesh.clientConfig("sec-analytics");
        // The bytes of a real decision of the owner's (the registry lets only the platform and the owner register its schema;
        // a forger copies the bytes, or writes them by hand once the owner's first decision gave the schema an id).
        byte[] approval = MeshSerdes.<AccessDecision>valueSerializer(mesh.clientConfig("mesh-admin"), true).serialize(MeshTopics.decisions("sec-orders"),
                AccessDecision.newBuilder().setRequestId(requestId).setDecision(DecisionKind.APPROVED).setDecidedBy("User:sec-orders")
                        .setReason("approved").setDecidedAt(Instant.now()).build());

        assertThatThrownBy(() -> sendForged(analytics, MeshTopics.ACCESS_REQUESTS, requestId, approval))
                .as("the shared request topic of old meshes is closed").hasRootCauseInstanceOf(TopicAuthorizationException.class);
        sendForged(analytics, MeshTopics.accessRequests("sec-analytics"), requestId, approval);

        Rejection rejection = awaitRejection(requestId, "User:sec-analytics");
        assertThat(rejection.getSourceTopic()).isEqualTo("mesh.access.requests.sec-analytics");
        assertThat(rejection.getReasons()).extracting(RuleViolation::getMessage).containsExactly("record by User:sec-analytics on "
                + "mesh.access.requests.sec-analytics is not an AccessRequest in the mesh's Avro wire format (decisions count only on the "
                + "owning domain's mesh.decisions.<domain>); ignored");
        assertThat(api("mesh-admin").get("/api/access/requests/" + requestId).path("status").asText()).isEqualTo("PENDING");
        assertThat(api("mesh-admin").get("/api/grants?product=" + product).findValuesAsText("requestId")).doesNotContain(requestId);
    }

    /**
     * A grant gives its team READ on its consumer group, which lets a member join the group and
     * commit its offsets: a team asking for another team's group would, once granted (at once on
     * an automatic view), move that team's offsets so it skips or replays records.
     */
    @Test
    void aTeamAskingForAnotherTeamsConsumerGroupIsRejectedAndAuditedNamingIt() {
        String requestId;
        try (var mallory = new AccessClient(mesh.clientConfig("sec-mallory"))) {
            requestId = mallory.request(product, "full", null, "sec-analytics", "their group", null);
        }

        Rejection rejection = awaitRejection(requestId, "User:sec-mallory");
        assertThat(rejection.getReasons()).extracting(RuleViolation::getMessage).containsExactly("'sec-analytics' is not a consumer group "
                + "of sec-mallory: it reads with its own, sec-mallory or sec-mallory.<name>");
        assertThat(api("sec-mallory").get("/api/access/requests/" + requestId).path("status").asText()).isEqualTo("REJECTED");
        assertThat(api("mesh-admin").get("/api/grants?product=" + product).findValuesAsText("requestId")).doesNotContain(requestId);
    }

    @Test
    void aDecisionOnAnotherDomainsTopicIsRejectedNamingThatDomain() {
        String requestId = pendingRequest("wrong domain");

        try (var customers = new AccessClient(mesh.clientConfig("sec-customers"))) {
            customers.decide("sec-customers", requestId, DecisionKind.APPROVED, "not mine", null);
        }

        Rejection rejection = awaitRejection(requestId, "User:sec-customers");
        assertThat(rejection.getReasons()).extracting(RuleViolation::getRule).containsExactly("owner-decides");
        assertThat(api("mesh-admin").get("/api/access/requests/" + requestId).path("status").asText()).isEqualTo("PENDING");
        assertThat(api("mesh-admin").get("/api/grants?product=" + product).findValuesAsText("requestId")).doesNotContain(requestId);
    }

    @Test
    void aRequestInAnotherPrincipalsNameIsRejectedNamingTheWriterAndTheBrokerRefusesAnotherPrincipalsTopic() throws Exception {
        MeshClientConfig mallory = mesh.clientConfig("sec-mallory");
        String requestId = "r-in-another-name";
        AccessRequest inAnotherName = AccessRequest.newBuilder().setRequestId(requestId).setPrincipal("User:sec-analytics")
                .setProduct(product.toString()).setView("full").setConsumerGroup("sec-analytics").setPurpose("I am analytics")
                .setRequestedBy("User:sec-analytics").setRequestedAt(Instant.now()).build();
        try (var producer = new KafkaProducer<>(mallory.kafka(), new StringSerializer(),
                MeshSerdes.<AccessRequest>valueSerializer(mallory, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.accessRequests("sec-mallory"), requestId, inAnotherName)).get();
        }

        Rejection rejection = awaitRejection(requestId, "User:sec-mallory");
        assertThat(rejection.getReasons()).extracting(RuleViolation::getMessage).containsExactly("User:sec-mallory wrote request "
                + requestId + " in the name of User:sec-analytics; a principal asks only for itself, on its own mesh.access.requests.<principal>");
        assertThatThrownBy(() -> api("mesh-admin").get("/api/access/requests/" + requestId))
                .hasMessage("no access request " + requestId + " that you may see");
        try (var client = new AccessClient(mallory)) {
            assertThatThrownBy(() -> client.request(product, "full", "User:sec-analytics", "sec-analytics", "as analytics", null))
                    .hasMessage("refused by the broker: User:sec-mallory may not write mesh.access.requests.sec-analytics "
                            + "(only User:sec-analytics asks for access in its own name)");
        }
    }

    @Test
    void theSecondApprovalCountsOnlyFromTheNamedApproverOnItsOwnTopicNeverFromTheOwnerOrAForgedField() throws Exception {
        String requestId;
        try (var team = new AccessClient(mesh.clientConfig("sec-analytics"))) {
            requestId = team.request(product, "analytics", null, "sec-analytics", "two-level", null);
        }
        await().atMost(SOON).ignoreExceptions().until(() -> api("sec-security").get("/api/access/requests/" + requestId).path("status").asText(),
                "PENDING"::equals);
        try (var owner = new AccessClient(mesh.clientConfig("sec-orders"))) {
            owner.decide("sec-orders", requestId, DecisionKind.APPROVED, "fine by the owner", null);
        }
        await().atMost(SOON).until(() -> api("sec-security").get("/api/access/requests/" + requestId).path("status").asText(),
                "AWAITING_SECOND_APPROVAL"::equals);

        try (var mallory = new AccessClient(mesh.clientConfig("sec-mallory"))) {
            assertThatThrownBy(() -> mallory.decide("sec-security", requestId, DecisionKind.APPROVED, "as security", null, 2))
                    .as("the broker keeps everyone else off the approver's topic").hasMessageStartingWith(
                            "refused by the broker: User:sec-mallory may not write mesh.decisions.sec-security");
            mallory.decide("sec-mallory", requestId, DecisionKind.APPROVED, "trust me", null, 2);
        }
        assertThat(awaitRejection(requestId, "User:sec-mallory").getReasons()).extracting(RuleViolation::getRule)
                .containsExactly("second-approver-named");
        MeshClientConfig mallory = mesh.clientConfig("sec-mallory");
        try (var producer = new KafkaProducer<>(mallory.kafka(), new StringSerializer(), MeshSerdes.<AccessDecision>valueSerializer(mallory, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.decisions("sec-mallory"), requestId, AccessDecision.newBuilder().setRequestId(requestId)
                    .setDecision(DecisionKind.APPROVED).setDecidedBy("User:sec-security").setDecidedAt(Instant.now()).setLevel(2).build())).get();
        }
        try (var owner = new AccessClient(mesh.clientConfig("sec-orders"))) {
            owner.decide("sec-orders", requestId, DecisionKind.APPROVED, "and again", null, 2);
        }
        assertThat(awaitRejection(requestId, "User:sec-orders").getReasons()).extracting(RuleViolation::getRule)
                .containsExactly("second-approver-distinct");
        assertThat(api("mesh-admin").get("/api/access/requests/" + requestId).path("status").asText())
                .as("neither the forged decidedBy nor the owner's second word counted").isEqualTo("AWAITING_SECOND_APPROVAL");
        assertThat(api("mesh-admin").get("/api/grants?product=" + product).findValuesAsText("requestId")).doesNotContain(requestId);

        try (var security = new AccessClient(mesh.clientConfig("sec-security"))) {
            security.decide("sec-security", requestId, DecisionKind.APPROVED, "fine by security", null, null);
        }
        JsonNode approved = await().atMost(SOON).until(() -> api("sec-security").get("/api/access/requests/" + requestId),
                r -> r.path("status").asText().equals("APPROVED"));
        assertThat(approved.at("/grant/status").asText()).isEqualTo("ACTIVE");
        assertThat(approved.at("/grant/approvedBy").asText()).isEqualTo("User:sec-orders");
        assertThat(approved.at("/grant/secondApprovedBy").asText()).isEqualTo("User:sec-security");
        assertThat(approved.path("decisions").findValuesAsText("decidedBy")).containsExactly("User:sec-orders", "User:sec-security");
        assertThat(approved.path("decisions").findValuesAsText("reason")).containsExactly("fine by the owner", "fine by security");
    }

    @Test
    void internalStoresAnswerOnlyThePlatform() throws Exception {
        HttpResponse<String> tenant = get("sec-analytics", "/api/internal/stores/grants");
        assertThat(tenant.statusCode()).isEqualTo(403);
        assertThat(tenant.body()).contains("/api/internal is for the catalog's own instances (platform principals only)");
        assertThat(get("sec-orders", "/api/internal/stores/access-requests").statusCode()).isEqualTo(403);
        assertThat(get("sec-analytics", "/api/internal/stores/access-rejections").statusCode()).isEqualTo(403);

        assertThat(get("mesh-catalog", "/api/internal/stores/grants").statusCode()).isEqualTo(200);
        assertThat(get("mesh-admin", "/api/internal/stores/grants").statusCode()).isEqualTo(200);
    }

    @Test
    void aPurposeWithANewlineOrEscapeIsRejectedWithTheReason() {
        String requestId;
        try (var team = new AccessClient(mesh.clientConfig("sec-analytics"))) {
            requestId = team.request(product, "full", null, "sec-analytics", "report\n r-1  APPROVED \u001b[2J", null);
        }

        JsonNode request = await().atMost(SOON).ignoreExceptions().until(() -> api("sec-analytics").get("/api/access/requests/" + requestId),
                r -> r.path("status").asText().equals("REJECTED"));
        assertThat(request.path("reason").asText()).isEqualTo("purpose contains control character U+000A " + CONTROL);
    }

    @Test
    void aQueryParameterWithAControlCharacterGetsA400() throws Exception {
        HttpResponse<String> response = get("sec-analytics", "/api/access/requests?principal=%1b%5b2J");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> api("sec-analytics").get("/api/access/requests?principal=%1b%5b2J"))
                .hasMessage("query parameter 'principal' contains control character U+001B " + CONTROL);
    }

    /**
     * A principal's own requests topic takes any record its client writes: one whose key is
     * 600,000 characters is refused by its size, its key cut in the rejection, and another
     * principal's request right after it is still decided (a rejection quoting the key whole
     * would not fit its topic and would fail the access task all principals share).
     */
    @Test
    void aRequestTooBigToQuoteIsRejectedByItsSizeAndAnotherPrincipalsRequestStillCounts() throws Exception {
        String hugeKey = "r-" + "a".repeat(600_000);
        try (var producer = new KafkaProducer<>(mesh.clientConfig("sec-mallory").kafka(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(MeshTopics.accessRequests("sec-mallory"), hugeKey, new byte[300_000])).get();
        }

        pendingRequest("after a request too big to quote");
        Rejection rejection = awaitRejection(FreeText.cut(hugeKey, SourceStamp.MAX_KEY_LENGTH), "User:sec-mallory");
        assertThat(rejection.getReasons()).extracting(RuleViolation::getRule).containsExactly("record-size");
    }

    /**
     * A tenant may write its own request topic as fast as its byte quota lets it, and every
     * principal's requests share one task: tiny records (each of which, read, decoded and refused
     * one by one, held the others' requests back for minutes), 300,000 of them not read yet when
     * another principal files a request and more while it waits, are read after everyone else's
     * and refused unread past the writer's rate, reported with their count and audited naming the
     * writer; the other request is decided ahead of the flood records written before it, the
     * flood still going on.
     */
    @Test
    void aTenantFloodingItsRequestTopicIsRefusedPastItsRateAndAnotherPrincipalsRequestIsNotHeldBack() throws Exception {
        var flooding = new AtomicBoolean(true);
        var flooded = new AtomicLong();
        var producer = new KafkaProducer<>(mesh.clientConfig("sec-flood").kafka(), new StringSerializer(), new ByteArraySerializer());
        Thread flood = new Thread(() -> {
            try (producer) {
                while (flooding.get()) {
                    producer.send(new ProducerRecord<>(MeshTopics.accessRequests("sec-flood"), "flood-" + flooded.getAndIncrement(), new byte[] {1}));
                }
            }
        }, "flood");
        flood.start();
        try {
            String topic = MeshTopics.accessRequests("sec-flood");
            await().atMost(FLOOD_WAIT).until(() -> TopicOffsets.end(mesh.admin(), topic) - committed(topic) >= FLOOD_BACKLOG);
            long writtenBefore = TopicOffsets.end(mesh.admin(), topic);
            long filed = System.nanoTime();
            pendingRequest("during a flood of requests", FLOOD_WAIT);
            // Read after the request was seen PENDING, so a little late: the catalog went on reading meanwhile.
            long readSince = committed(topic);
            System.out.printf("flood: a request filed with %,d flood records written was PENDING after %,d ms, the catalog having read %,d of them%n",
                    writtenBefore, (System.nanoTime() - filed) / 1_000_000, readSince);
            assertThat(readSince).as("the flood records the catalog read before it decided the request filed after them").isLessThan(writtenBefore);
        } finally {
            flooding.set(false);
            flood.join();
        }
        Rejection report = awaitRejection(rejection -> "User:sec-flood".equals(rejection.getWriter())
                && rejection.getReasons().get(0).getRule().equals("record-rate"));
        assertThat(report.getSubject()).startsWith("flood-");
        assertThat(report.getReasons().get(0).getMessage()).startsWith("refused unread: ")
                .contains("over its writer's rate of 200 records a second (bursts of 5,000)");
    }

    private String pendingRequest(String purpose) {
        return pendingRequest(purpose, SOON);
    }

    private String pendingRequest(String purpose, Duration wait) {
        String requestId;
        try (var team = new AccessClient(mesh.clientConfig("sec-analytics"))) {
            requestId = team.request(product, "full", null, "sec-analytics", purpose, null);
        }
        await().atMost(wait).ignoreExceptions().until(() -> api("sec-orders").get("/api/access/requests/" + requestId).path("status").asText(),
                "PENDING"::equals);
        return requestId;
    }

    /** @return the catalog's committed offsets on {@code topic}'s partitions, summed: how many of its records it has read */
    private long committed(String topic) throws Exception {
        return mesh.admin().listConsumerGroupOffsets(PlatformApp.CATALOG.applicationId()).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(entry -> entry.getKey().topic().equals(topic)).mapToLong(entry -> entry.getValue().offset()).sum();
    }

    private static void sendForged(MeshClientConfig config, String topic, String requestId, byte[] value) throws Exception {
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            var record = new ProducerRecord<>(topic, requestId, value);
            record.headers().add("mesh.source-topic", MeshTopics.decisions("sec-orders").getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }
    }

    /** The rejection of {@code subject} on {@code mesh.catalog.rejections} naming {@code writer}, as audit-sink reads it. */
    private Rejection awaitRejection(String subject, String writer) {
        return awaitRejection(r -> r.getSubject().equals(subject) && writer.equals(r.getWriter()));
    }

    /** The first rejection on {@code mesh.catalog.rejections} that {@code wanted} accepts, as audit-sink reads it. */
    private Rejection awaitRejection(Predicate<Rejection> wanted) {
        MeshClientConfig admin = mesh.clientConfig("mesh-admin");
        List<Rejection> seen = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(admin.kafka(), new StringDeserializer(),
                MeshSerdes.<Rejection>valueDeserializer(admin, true))) {
            var partitions = consumer.partitionsFor(MeshTopics.CATALOG_REJECTIONS).stream()
                    .map(p -> new TopicPartition(MeshTopics.CATALOG_REJECTIONS, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return await().atMost(SOON).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                return seen.stream().filter(wanted).findFirst();
            }, Optional::isPresent).orElseThrow();
        }
    }

    private HttpResponse<String> get(String principal, String path) throws Exception {
        MeshClientConfig config = mesh.clientConfig(principal);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(catalog.restUrl() + path))
                .header("Authorization", CatalogClient.basicAuthorization(config)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private CatalogClient api(String principal) {
        return new CatalogClient(catalog.restUrl(), mesh.clientConfig(principal));
    }

    private void register(ProductRegistration registration) {
        MeshClientConfig config = mesh.clientConfig("sec-orders");
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(),
                MeshSerdes.<ProductRegistration>valueSerializer(config, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations("sec-orders"), registration.getAddress(), registration)).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
