package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.streammesh.testing.PlainAvroSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AccessRequestState;
import io.streammesh.schema.ClassificationLevel;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.QualityRule;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.RequestDecision;
import io.streammesh.schema.RequestStatus;
import io.streammesh.schema.RuleViolation;
import io.streammesh.schema.ViewAccess;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTopologyTest {

    /** Each test's own: Kafka Streams' default (/tmp/kafka-streams) is shared by every build on the machine. */
    @TempDir
    Path streamsState;

    private static final PlainAvroSerdes SERDES = new PlainAvroSerdes();
    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    private TopologyTestDriver driver;
    private TestOutputTopic<String, DataProduct> catalog;
    private TestOutputTopic<String, Rejection> rejections;
    private TestOutputTopic<String, Grant> grants;

    @BeforeEach
    void start() {
        start(CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0));
    }

    private void start(CatalogConfig config) {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "catalog-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, streamsState.toString());
        driver = new TopologyTestDriver(CatalogTopology.build(config, 3, SERDES), props, START);
        catalog = driver.createOutputTopic(MeshTopics.CATALOG, Serdes.String().deserializer(), SERDES.of(DataProduct.class).deserializer());
        rejections = driver.createOutputTopic(MeshTopics.CATALOG_REJECTIONS, Serdes.String().deserializer(), SERDES.of(Rejection.class).deserializer());
        grants = driver.createOutputTopic(MeshTopics.ACCESS_GRANTS, Serdes.String().deserializer(), SERDES.of(Grant.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void governanceAndAccessWriteEachKindOfRecordThroughASinkOfItsOwn() {
        var config = CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0);
        Map<String, Set<String>> children = CatalogTopology.build(config, 3, SERDES).describe().subtopologies().stream()
                .flatMap(subtopology -> subtopology.nodes().stream())
                .collect(Collectors.toMap(TopologyDescription.Node::name,
                        node -> node.successors().stream().map(TopologyDescription.Node::name).collect(Collectors.toSet())));

        assertThat(children.get(CatalogTopology.GOVERNANCE)).containsExactlyInAnyOrder(GovernanceProcessor.ADMITTED, GovernanceProcessor.REJECTED);
        assertThat(children.get(CatalogTopology.ACCESS)).containsExactlyInAnyOrder(AccessProcessor.GRANTED, AccessProcessor.REJECTED);
    }

    @Test
    void aGovernedRegistrationEntersTheCatalogOnceAndRetiringItMarksIt() {
        register("orders", orders().build());
        register("orders", orders().build());

        List<DataProduct> entries = catalog.readValuesToList();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).getDomain()).isEqualTo("orders");
        assertThat(entries.get(0).getStatus()).isEqualTo(ProductStatus.ACTIVE);

        register("orders", orders().setRetired(true).build());
        assertThat(catalog.readValue().getStatus()).isEqualTo(ProductStatus.RETIRED);
        assertThat(rejections.isEmpty()).isTrue();
    }

    @Test
    void anUngovernedRegistrationIsRejectedWithEveryReasonAndLeavesTheCatalogAlone() {
        register("orders", orders().build());
        catalog.readValuesToList();

        register("orders", orders().setVersion("1.1.0").setOwner(null).setDescription("Orders").setFreshnessMs(null)
                .setViews(List.of(view("open", ViewAccess.AUTO, Map.of("customerEmail", "hash")))).build());

        assertThat(catalog.isEmpty()).as("the published entry stays").isTrue();
        Rejection rejection = rejections.readValue();
        assertThat(rejection.getSubject()).isEqualTo("orders.order-placed.v1");
        assertThat(rejection.getReasons()).extracting(RuleViolation::getRule)
                .containsExactly("owner-present", "description", "pii-masked", "slo-declared");
        assertThat(rejection.getReasons().get(2).getMessage())
                .isEqualTo("view 'open' exposes PII field(s) shippingAddress without the owner's approval (access: auto); mask them");
    }

    @Test
    void aRegistrationWrittenPastTheContractValidatorIsHeldToTheCelBudget() {
        String list = IntStream.range(0, 300).mapToObj(Integer::toString)
                .collect(Collectors.joining(", ", "[", "]"));
        String cubic = list + ".all(a, " + list + ".all(b, " + list + ".all(c, a + b + c >= 0)))";
        ProductView filtered = ProductView.newBuilder(view("analytics", ViewAccess.OWNER_APPROVAL,
                Map.of("customerEmail", "hash", "shippingAddress", "redact"))).setFilter(cubic).build();
        register("orders", orders().setViews(List.of(filtered))
                .setQualityRules(List.of(QualityRule.newBuilder().setName("broken").setRule("record.amount >").build())).build());

        assertThat(catalog.isEmpty()).isTrue();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getMessage).containsExactly(
                "quality rule 'broken' is not CEL: line 1, column 16: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', "
                        + "'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}",
                "view 'analytics' filter is over the CEL evaluation budget: comprehensions (all, exists, exists_one, map, filter) "
                        + "are nested 3 deep; at most 2 may be");
    }

    @Test
    void aRegistrationWrittenPastTheContractValidatorIsHeldToTheCelCostRules() {
        ProductView filtered = ProductView.newBuilder(view("analytics", ViewAccess.OWNER_APPROVAL,
                Map.of("customerEmail", "hash", "shippingAddress", "redact"))).setFilter("record.customerEmail.contains(record.customerId)").build();
        register("orders", orders().setViews(List.of(filtered)).setQualityRules(List.of(QualityRule.newBuilder().setName("long")
                .setRule("record.amount > 0 || record.country == '" + "x".repeat(2_000) + "'").build())).build());

        assertThat(catalog.isEmpty()).isTrue();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getMessage).containsExactly(
                "quality rule 'long' is over the CEL evaluation budget: is 2041 characters long; at most 2000 may be",
                "view 'analytics' filter is over the CEL evaluation budget: contains() needs a string literal as its argument: "
                        + "its cost is the product of both lengths");
    }

    @Test
    void aRegistrationWrittenPastTheContractValidatorIsHeldToThePartitionBound() {
        register("orders", orders().setPartitions(50_000).build());
        register("orders", orders().setPartitions(0).build());

        assertThat(catalog.isEmpty()).isTrue();
        assertThat(rejections.readValuesToList()).flatExtracting(Rejection::getReasons)
                .extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(
                        tuple("partitions", "partitions must be between 1 and 1000, got 50000"),
                        tuple("partitions", "partitions must be between 1 and 1000, got 0"));
    }

    @Test
    void aDomainHoldingItsQuotaOfProductsOrPartitionsIsRejectedForMoreButMayUpdateWhatItHasAndNoOtherDomainIs() {
        driver.close();
        start(CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0)
                .withGovernance(withDomainQuota(GovernancePolicy.defaults(), 2, 8)));
        register("orders", orders().setPartitions(3).build());
        register("orders", orders().setAddress("orders.order-shipped.v1").setName("order-shipped").setSchemaSubject("orders.order-shipped.v1-value")
                .setPartitions(3).setRetired(true).build());
        assertThat(catalog.readValuesToList()).hasSize(2);

        register("orders", orders().setAddress("orders.order-paid.v1").setName("order-paid").setSchemaSubject("orders.order-paid.v1-value")
                .setPartitions(1).build());
        register("orders", orders().setVersion("1.1.0").setPartitions(6).build());

        assertThat(catalog.isEmpty()).as("a third product, and one widened past 8 partitions in all").isTrue();
        assertThat(rejections.readValuesToList()).extracting(Rejection::getSubject, r -> r.getReasons().get(0).getRule(),
                r -> r.getReasons().get(0).getMessage()).containsExactly(
                tuple("orders.order-paid.v1", "domain-quota", "domain orders has 2 products in the catalog, the most a domain may have; "
                        + "retired ones count (their topics stay): ask a platform engineer to raise domain-max-products"),
                tuple("orders.order-placed.v1", "domain-quota", "domain orders's products would have 9 partitions, over the 8 a domain "
                        + "may have; retired products count (their topics stay): ask a platform engineer to raise domain-max-partitions"));

        register("orders", orders().setVersion("1.1.0").setPartitions(5).build());
        register("orders", orders().setVersion("1.2.0").setPartitions(5).setRetired(true).build());
        register("customers", customers().setPartitions(8).build());
        assertThat(catalog.readValuesToList()).extracting(DataProduct::getAddress)
                .as("a version within the quota, one that keeps its partitions, and another domain's product")
                .containsExactly("orders.order-placed.v1", "orders.order-placed.v1", "customers.customer-profile.v1");
    }

    @Test
    void aRepublishedProductMayNotHaveFewerPartitionsThanItsCatalogEntry() {
        register("orders", orders().setPartitions(6).build());
        catalog.readValuesToList();

        register("orders", orders().setVersion("1.1.0").setPartitions(3).build());

        assertThat(catalog.isEmpty()).as("the catalogued entry stays").isTrue();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(
                tuple("partitions", "partitions must not be fewer than the product's current 6 (Kafka cannot remove partitions), got 3"));
        register("orders", orders().setVersion("1.1.0").setPartitions(8).build());
        assertThat(catalog.readValue().getRegistration().getPartitions()).isEqualTo(8);
    }

    @Test
    void aMinorVersionThatDowngradesTheClassificationMayNotStopEncryptingAField() {
        register("orders", orders().build());
        catalog.readValuesToList();

        register("orders", orders().setVersion("1.1.0").setClassification("internal").setPiiFields(List.of()).setEncryption(null).build());
        register("orders", orders().setVersion("1.2.0").setEncryption(new ProductEncryption("customerId", List.of("customerEmail")))
                .setPiiFields(List.of("customerEmail")).build());

        assertThat(catalog.isEmpty()).as("the catalogued entry stays").isTrue();
        assertThat(rejections.readValuesToList()).flatExtracting(Rejection::getReasons)
                .extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(
                        tuple("encryption-kept", "field(s) customerEmail, shippingAddress were encrypted in version 1.0.0 and must stay"
                                + " in encryption.fields; only a new major version may stop encrypting them"),
                        tuple("encryption-kept", "field(s) shippingAddress were encrypted in version 1.0.0 and must stay"
                                + " in encryption.fields; only a new major version may stop encrypting them"));
    }

    @Test
    void piiOfAConfidentialProductMustBeEncryptedButNotThatOfAnInternalOne() {
        var policy = new Governance(GovernancePolicy.defaults());
        ProductRegistration clear = orders().setEncryption(new ProductEncryption("customerId", List.of("customerEmail"))).build();

        assertThat(policy.checkOffline(clear)).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple(
                "pii-encrypted", "PII field(s) shippingAddress of a confidential product must be encrypted: list them in "
                        + "encryption.fields with the subject field (encryption: {subject: <field>, fields: [...]})"));
        assertThat(policy.checkOffline(ProductRegistration.newBuilder(clear).setClassification("internal")
                .setViews(List.of()).build())).isEmpty();
    }

    @Test
    void theDomainIsTheTopicsNotThePayloads() {
        register("customers", orders().build());

        assertThat(catalog.isEmpty()).isTrue();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule).containsExactly("domain-matches-topic", "owner-matches-topic");
    }

    @Test
    void anotherDomainRegisteringAnAddressIsRejectedBesideTheOwnersRejectionNeverOverIt() {
        register("orders", orders().setDescription("short").build());
        register("customers", orders().build());
        KeyValueStore<String, Rejection> store = driver.getKeyValueStore(CatalogTopology.REJECTIONS_STORE);

        assertThat(store.get(CatalogTopology.rejectionKey("orders", "orders.order-placed.v1")).getReasons())
                .extracting(RuleViolation::getRule).containsExactly("description");
        assertThat(store.get(CatalogTopology.rejectionKey("customers", "orders.order-placed.v1")).getDomain()).isEqualTo("customers");

        register("orders", orders().build());

        assertThat(store.get(CatalogTopology.rejectionKey("orders", "orders.order-placed.v1"))).as("cleared by the admission").isNull();
        assertThat(store.get(CatalogTopology.rejectionKey("customers", "orders.order-placed.v1"))).as("the other domain's own").isNotNull();
    }

    @Test
    void aRequestReusingAnotherPrincipalsRequestIdIsRejectedBesideTheOthersRejection() {
        register("orders", orders().build());
        request(request("r-dup", "orders.order-placed.v1", "analytcs").build());
        requestAs("intruder", request("r-dup", "orders.order-placed.v1", "analytics").setPrincipal("User:intruder")
                .setRequestedBy("User:intruder").build());
        KeyValueStore<String, Rejection> store = driver.getKeyValueStore(CatalogTopology.ACCESS_REJECTIONS_STORE);

        assertThat(store.get(CatalogTopology.rejectionKey("User:analytics", "r-dup")).getReasons()).extracting(RuleViolation::getRule)
                .doesNotContain("unique-request-id");
        assertThat(store.get(CatalogTopology.rejectionKey("User:intruder", "r-dup")).getReasons()).extracting(RuleViolation::getRule)
                .containsExactly("unique-request-id");
    }

    @Test
    void anOwnerNamingAnotherDomainIsRejectedEvenWithTheOwnerPolicyOff() {
        var lenient = new Governance(new GovernancePolicy(false, 0, false, false, false, false, false, null, null));

        List<RuleViolation> violations = lenient.check("orders.order-placed.v1", orders().setOwner(Owner.newBuilder().setTeam("t")
                .setPrincipal("User:customers").setContact("c").build()).build(), "orders", address -> true);

        assertThat(violations).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple("owner-matches-topic",
                "the owner principal must be User:orders, got User:customers; it was registered on mesh.registrations.orders"));
    }

    @Test
    void aViewNameNoTopicCanCarryOrOneDeclaredTwiceIsRejectedEvenWithEveryPolicyOff() {
        var lenient = new Governance(new GovernancePolicy(false, 0, false, false, false, false, false, null, null));

        List<RuleViolation> violations = lenient.check("orders.order-placed.v1", orders().setViews(List.of(
                view("Bad_View", ViewAccess.OWNER_APPROVAL, Map.of()), view("full", ViewAccess.OWNER_APPROVAL, Map.of()),
                view("full", ViewAccess.OWNER_APPROVAL, Map.of()))).build(), "orders", address -> true);

        assertThat(violations).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(
                tuple("naming", "view name 'Bad_View' must be lower-case kebab case (a letter, then letters, digits and single hyphens, e.g. order-placed)"),
                tuple("naming", "view 'full' is declared more than once"));
    }

    /**
     * A domain writes its registrations topic with any client: a key, or a registration, of any
     * size. A rejection quoting it whole did not fit mesh.catalog.rejections, nor an entry made of
     * an oversized registration mesh.catalog, and the write failed the governance task every
     * domain's registrations share (HostileRegistrationIT shows it on the broker).
     */
    @Test
    void anOversizedRegistrationIsRejectedNamingItsSizeAndARejectionQuotesNoKeyOrReasonWhole() {
        var topic = driver.createInputTopic(MeshTopics.registrations("orders"), Serdes.String().serializer(), Serdes.ByteArray().serializer());
        String hugeKey = "orders.x.v1" + "a".repeat(600_000);
        topic.pipeInput(hugeKey, (byte[]) null);

        TestRecord<String, Rejection> tombstone = rejections.readRecord();
        assertThat(tombstone.key()).hasSize(GovernanceProcessor.MAX_SUBJECT_LENGTH).startsWith("orders.x.v1aaa").endsWith("…");
        assertThat(tombstone.value().getSubject()).isEqualTo(tombstone.key());

        byte[] oversized = SERDES.of(ProductRegistration.class).serializer().serialize(MeshTopics.registrations("orders"),
                orders().setContract("x".repeat(GovernanceProcessor.MAX_REGISTRATION_BYTES)).build());
        topic.pipeInput("orders.order-placed.v1", oversized);

        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(
                tuple("size", "the registration is " + oversized.length + " bytes; at most " + GovernanceProcessor.MAX_REGISTRATION_BYTES
                        + " are allowed (its catalog entry must fit mesh.catalog)"));

        // Within the limit as written, three times over it once its bytes that are not UTF-8 are decoded.
        byte[] growing = SERDES.of(ProductRegistration.class).serializer().serialize(MeshTopics.registrations("orders"),
                orders().setDescription("~".repeat(300_000)).build());
        String written = new String(growing, StandardCharsets.ISO_8859_1);
        int from = written.indexOf("~".repeat(300_000));
        Arrays.fill(growing, from, from + 300_000, (byte) 0xFF);
        topic.pipeInput("orders.order-placed.v1", growing);

        RuleViolation grown = rejections.readValue().getReasons().get(0);
        assertThat(grown.getRule()).isEqualTo("size");
        assertThat(grown.getMessage()).matches("the registration is 9\\d{5} bytes once decoded \\(text that is not UTF-8 grows\\); at most "
                + GovernanceProcessor.MAX_REGISTRATION_BYTES + " are allowed \\(its catalog entry must fit mesh.catalog\\)");

        register("orders", orders().setViews(IntStream.range(0, 200).mapToObj(i -> view("V" + "x".repeat(1_500) + i,
                ViewAccess.OWNER_APPROVAL, Map.of())).toList()).build());

        List<RuleViolation> reasons = rejections.readValue().getReasons();
        assertThat(reasons).hasSize(GovernanceProcessor.MAX_REASONS);
        assertThat(reasons).allSatisfy(reason -> assertThat(reason.getMessage()).hasSizeLessThanOrEqualTo(GovernanceProcessor.MAX_REASON_LENGTH));
        assertThat(reasons.get(GovernanceProcessor.MAX_REASONS - 1).getMessage()).matches("and 1[5-9][0-9] more reason\\(s\\)");
        assertThat(catalog.isEmpty()).isTrue();
    }

    @Test
    void aRegistrationClassifiedOnlyByTheEnumIsGovernedByIt() {
        register("orders", orders().setClassification(null).setClassificationLevel(ClassificationLevel.CONFIDENTIAL).build());
        assertThat(catalog.readValue().getStatus()).isEqualTo(ProductStatus.ACTIVE);

        register("customers", customers().setClassification(null).setClassificationLevel(ClassificationLevel.PUBLIC).build());
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getMessage)
                .containsExactly("view 'full' exposes PII field(s) email of a public product; mask them");
    }

    @Test
    void aLabelThatDisagreesWithTheClassificationLevelIsRejectedEvenWithTheClassificationPolicyOff() {
        var lenient = new Governance(new GovernancePolicy(false, 0, false, false, false, false, false, null, null));

        List<RuleViolation> violations = lenient.check("orders.order-placed.v1",
                orders().setClassification("public").setClassificationLevel(ClassificationLevel.RESTRICTED).build(), "orders", address -> true);

        assertThat(violations).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple("classification",
                "classification 'public' disagrees with classificationLevel RESTRICTED; write both from the contract's classification"));
    }

    @Test
    void aRegistrationThatIsNotAvroIsRejectedNotACrash() {
        driver.createInputTopic(MeshTopics.registrations("orders"), Serdes.String().serializer(), Serdes.String().serializer())
                .pipeInput("orders.x.v1", "claim");

        assertThat(rejections.readValue().getReasons().get(0).getMessage()).startsWith("not a ProductRegistration in the mesh's Avro wire format");
        register("orders", orders().build());
        assertThat(catalog.readValuesToList()).hasSize(1);
    }

    @Test
    void lineageInputsMustBeInTheCatalog() {
        register("orders", orders().setLineageInputs(List.of("customers.customer-profile.v1")).build());
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getMessage)
                .containsExactly("lineage input customers.customer-profile.v1 is not in the catalog");

        register("customers", customers().build());
        register("orders", orders().setLineageInputs(List.of("customers.customer-profile.v1")).build());
        assertThat(catalog.readValuesToList()).extracting(DataProduct::getAddress)
                .containsExactly("customers.customer-profile.v1", "orders.order-placed.v1");
    }

    @Test
    void anOwnerApprovalMakesAnActiveGrantThatExpiresOnTime() {
        register("orders", orders().build());
        request(request("r-1", "orders.order-placed.v1", "analytics").setDurationMs(10_000L).build());
        assertThat(grants.isEmpty()).as("pending until the owner decides").isTrue();

        decide("orders", decision("r-1", DecisionKind.APPROVED));
        Grant grant = grants.readValue();
        assertThat(grant.getStatus()).isEqualTo(GrantStatus.ACTIVE);
        assertThat(grant.getApprovedBy()).isEqualTo("User:orders");
        assertThat(grant.getTopic()).isEqualTo("mesh.view.orders.order-placed.v1.analytics");
        assertThat(grant.getExpiresAt()).isEqualTo(grant.getGrantedAt().plusSeconds(10));

        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(grants.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        Grant expired = grants.readValue();
        assertThat(expired.getStatus()).isEqualTo(GrantStatus.EXPIRED);
        assertThat(expired.getEndedBy()).isEqualTo("platform (expiry)");
    }

    @Test
    void aGrantRevokedBeforeItsExpiryIsNotEndedAgainWhenItWouldHaveExpiredAndOthersStillExpire() {
        register("orders", orders().build());
        request(request("r-1", "orders.order-placed.v1", "analytics").setDurationMs(10_000L).build());
        request(request("r-2", "orders.order-placed.v1", "analytics").setDurationMs(20_000L).build());
        decide("orders", decision("r-1", DecisionKind.APPROVED));
        decide("orders", decision("r-2", DecisionKind.APPROVED));
        assertThat(grants.readValuesToList()).extracting(Grant::getStatus).containsExactly(GrantStatus.ACTIVE, GrantStatus.ACTIVE);

        decide("orders", decision("r-1", DecisionKind.REVOKED));
        assertThat(grants.readValue().getStatus()).isEqualTo(GrantStatus.REVOKED);
        driver.advanceWallClockTime(Duration.ofSeconds(11));
        assertThat(grants.isEmpty()).as("a revoked grant does not expire").isTrue();

        driver.advanceWallClockTime(Duration.ofSeconds(10));
        Grant expired = grants.readValue();
        assertThat(expired.getGrantId()).isEqualTo("r-2");
        assertThat(expired.getStatus()).isEqualTo(GrantStatus.EXPIRED);
        assertThat(grants.isEmpty()).isTrue();
    }

    @Test
    void aDecryptRequestOnAnEncryptedProductBecomesAGrantAllowingDecryptionOnceTheOwnerApproves() {
        register("orders", orders().build());
        request(request("r-d1", "orders.order-placed.v1", "analytics").setDecrypt(true).build());
        assertThat(state("r-d1").getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(state("r-d1").getRequest().getDecrypt()).as("the owner sees what it approves").isTrue();

        decide("orders", decision("r-d1", DecisionKind.APPROVED));

        Grant grant = grants.readValue();
        assertThat(grant.getStatus()).isEqualTo(GrantStatus.ACTIVE);
        assertThat(grant.getDecrypt()).isTrue();
    }

    @Test
    void decryptionOnAViewGrantedAutomaticallyStillWaitsForTheOwner() {
        register("orders", orders().setViews(List.of(view("open", ViewAccess.AUTO, Map.of("customerEmail", "hash", "shippingAddress", "redact"))))
                .build());
        request(request("r-d4", "orders.order-placed.v1", "open").setDecrypt(true).build());

        assertThat(state("r-d4").getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(grants.isEmpty()).as("no key for anyone who asks").isTrue();
        decide("orders", decision("r-d4", DecisionKind.APPROVED));
        assertThat(grants.readValue()).satisfies(grant -> {
            assertThat(grant.getStatus()).isEqualTo(GrantStatus.ACTIVE);
            assertThat(grant.getDecrypt()).isTrue();
        });
    }

    @Test
    void aRequestWithoutDecryptGrantsNoDecryption() {
        register("orders", orders().build());
        request(request("r-d2", "orders.order-placed.v1", "analytics").build());

        decide("orders", decision("r-d2", DecisionKind.APPROVED));

        assertThat(grants.readValue().getDecrypt()).isFalse();
    }

    @Test
    void aDecryptRequestOnAProductThatEncryptsNothingIsRejectedWithOneReason() {
        register("orders", registration("orders", "order-placed", List.of(), List.of(view("full", ViewAccess.OWNER_APPROVAL, Map.of()))).build());
        assertThat(catalog.readValue().getRegistration().getEncryption()).isNull();

        request(request("r-d3", "orders.order-placed.v1", "full").setDecrypt(true).build());

        assertThat(state("r-d3").getStatus()).isEqualTo(RequestStatus.REJECTED);
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple(
                "decrypt", "product orders.order-placed.v1 encrypts no field (its contract has no encryption); request it without decrypt"));
        assertThat(grants.isEmpty()).isTrue();
    }

    @Test
    void aDecisionOnAnotherDomainsTopicIsIgnoredAndReported() {
        register("orders", orders().build());
        request(request("r-2", "orders.order-placed.v1", "analytics").build());

        decide("customers", decision("r-2", DecisionKind.APPROVED));

        assertThat(grants.isEmpty()).isTrue();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule).containsExactly("owner-decides");
        decide("orders", decision("r-2", DecisionKind.APPROVED));
        assertThat(grants.readValue().getStatus()).isEqualTo(GrantStatus.ACTIVE);
    }

    @Test
    void anAutoViewIsGrantedAtOnceAndTheOwnerCanRevokeIt() {
        register("customers", customers().build());
        request(request("r-3", "customers.customer-profile.v1", "marketing").build());
        assertThat(grants.readValue().getApprovedBy()).isEqualTo("platform (access: auto)");

        decide("customers", decision("r-3", DecisionKind.REVOKED));
        Grant revoked = grants.readValue();
        assertThat(revoked.getStatus()).isEqualTo(GrantStatus.REVOKED);
        assertThat(revoked.getEndedBy()).isEqualTo("User:customers");
    }

    @Test
    void badRequestsAndDecisionsAreRejectedWithAReason() {
        register("orders", orders().build());
        request(request("r-4", "orders.nothing.v1", "full").build());
        request(request("r-5", "orders.order-placed.v1", "full").setDurationMs(-5L).build());
        request(request("r-6", "orders.order-placed.v1", "secret").build());
        decide("orders", decision("r-404", DecisionKind.APPROVED));

        assertThat(rejections.readValuesToList()).extracting(r -> r.getReasons().get(0).getRule())
                .containsExactly("product-exists", "duration", "view-exists", "request-exists");
        assertThat(grants.isEmpty()).isTrue();
    }

    /**
     * READ on a consumer group lets its holder join the group, commit its offsets (the victim then
     * skips or replays records) and read them: an automatic view would hand a team another team's
     * group at once, with no one to notice. A team is granted its own groups only.
     */
    @Test
    void aTeamIsGrantedOnlyItsOwnConsumerGroupsNeverAnotherTeamsEvenOnAnAutomaticView() {
        register("customers", customers().build());

        request(request("r-g1", "customers.customer-profile.v1", "marketing").setConsumerGroup("fraud").build());
        request(request("r-g2", "customers.customer-profile.v1", "marketing").setConsumerGroup("analytics-team").build());
        request(request("r-g3", "customers.customer-profile.v1", "marketing").setConsumerGroup("analytics.").build());
        request(request("r-g4", "customers.customer-profile.v1", "marketing").setConsumerGroup("customers.reporting").build());

        assertThat(List.of("r-g1", "r-g2", "r-g3", "r-g4")).allSatisfy(id ->
                assertThat(state(id).getStatus()).as(id).isEqualTo(RequestStatus.REJECTED));
        assertThat(state("r-g1").getReason()).isEqualTo("'fraud' is not a consumer group of analytics: it reads with its own, analytics or "
                + "analytics.<name>");
        assertThat(rejections.readValuesToList()).extracting(r -> r.getReasons().get(0).getRule()).containsOnly("consumer-group");
        assertThat(grants.isEmpty()).isTrue();

        request(request("r-g5", "customers.customer-profile.v1", "marketing").setConsumerGroup("analytics.fraud").build());
        request(request("r-g6", "customers.customer-profile.v1", "marketing").build());

        assertThat(grants.readValuesToList()).extracting(Grant::getConsumerGroup).containsExactly("analytics.fraud", "analytics");

        // a name that only starts like the platform's is a tenant's like any other
        requestAs("meshwork", request("r-g7", "customers.customer-profile.v1", "marketing").setPrincipal("User:meshwork")
                .setRequestedBy("User:meshwork").setConsumerGroup("meshwork").build());
        assertThat(grants.readValue().getConsumerGroup()).isEqualTo("meshwork");
    }

    /**
     * Each grant costs the broker three ACLs and each open request an owner's inbox line: a tenant
     * filing automatic requests (granted at once) or open ones without end would grow both, and
     * the catalog's stores, without bound. Past its quota a principal's request is rejected, until
     * some of its requests are decided or its grants end; other principals are not held.
     */
    @Test
    void aPrincipalHoldingItsQuotaOfOpenRequestsOrActiveGrantsIsRejectedUntilSomeEndAndNoOtherPrincipalIs() {
        driver.close();
        start(CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0)
                .withAccessQuota(new CatalogConfig.AccessQuota(2, 2)));
        register("orders", orders().build());
        register("customers", customers().build());

        request(request("q-1", "orders.order-placed.v1", "full").build());
        request(request("q-2", "orders.order-placed.v1", "full").build());
        request(request("q-3", "orders.order-placed.v1", "full").build());
        requestAs("marketing", request("m-q", "orders.order-placed.v1", "full").setPrincipal("User:marketing")
                .setRequestedBy("User:marketing").setConsumerGroup("marketing").build());

        assertThat(state("q-2").getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(state("q-3").getStatus()).isEqualTo(RequestStatus.REJECTED);
        assertThat(state("q-3").getReason()).isEqualTo("User:analytics has 2 requests waiting for a decision (2 at most at once); ask "
                + "again once owners decided some, or withdraw some (mesh access withdraw)");
        assertThat(state("m-q").getStatus()).as("another principal").isEqualTo(RequestStatus.PENDING);

        decide("orders", decision("q-1", DecisionKind.APPROVED));
        request(request("q-4", "customers.customer-profile.v1", "marketing").build());
        request(request("q-5", "customers.customer-profile.v1", "marketing").build());
        assertThat(state("q-4").getStatus()).as("one open, one grant: room for one more grant").isEqualTo(RequestStatus.APPROVED);
        assertThat(state("q-5").getReason()).isEqualTo("User:analytics holds 2 active grants (2 at most); ask an owner to revoke "
                + "those it no longer needs first");

        decide("customers", decision("q-4", DecisionKind.REVOKED));
        request(request("q-6", "customers.customer-profile.v1", "marketing").build());
        assertThat(state("q-6").getStatus()).isEqualTo(RequestStatus.APPROVED);
    }

    /**
     * An owner who never answers would hold a requester's quota of open requests for good: the
     * requester withdraws a request still waiting (it no longer counts) and gives up a grant it no
     * longer needs, on its own decision topic.
     */
    @Test
    void aRequesterWithdrawsItsWaitingRequestFreeingItsQuotaAndGivesUpItsGrant() {
        driver.close();
        start(CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0)
                .withAccessQuota(new CatalogConfig.AccessQuota(2, 2)));
        register("orders", orders().build());
        register("customers", customers().build());
        request(request("w-4", "customers.customer-profile.v1", "marketing").build());
        request(request("w-1", "orders.order-placed.v1", "full").build());
        request(request("w-2", "orders.order-placed.v1", "full").build());

        decide("analytics", decision("w-1", DecisionKind.WITHDRAWN).setReason("asked twice"));
        request(request("w-3", "orders.order-placed.v1", "full").build());

        assertThat(state("w-1").getStatus()).isEqualTo(RequestStatus.WITHDRAWN);
        assertThat(state("w-1").getDecidedBy()).isEqualTo("User:analytics");
        assertThat(state("w-1").getReason()).isEqualTo("asked twice");
        assertThat(state("w-3").getStatus()).as("the withdrawn request no longer counts against the quota").isEqualTo(RequestStatus.PENDING);
        decide("orders", decision("w-1", DecisionKind.APPROVED));
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule).containsExactly("request-pending");
        assertThat(grants.readValuesToList()).as("only the automatic view's grant, none for the withdrawn request")
                .extracting(Grant::getGrantId, Grant::getStatus).containsExactly(tuple("w-4", GrantStatus.ACTIVE));

        decide("analytics", decision("w-4", DecisionKind.WITHDRAWN));

        Grant givenUp = grants.readValue();
        assertThat(givenUp.getStatus()).isEqualTo(GrantStatus.REVOKED);
        assertThat(givenUp.getEndedBy()).isEqualTo("User:analytics");
        assertThat(state("w-4").getStatus()).as("the request stays as it was decided").isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void onlyThePrincipalARequestNamesWithdrawsItAndOnlyWhileItWaitsOrHoldsAGrant() {
        register("orders", twoLevel().build());
        request(request("w-5", "orders.order-placed.v1", "full").build());

        decide("orders", decision("w-5", DecisionKind.WITHDRAWN));
        decide("marketing", decision("w-5", DecisionKind.WITHDRAWN));

        assertThat(rejections.readValuesToList()).extracting(r -> r.getWriter(), r -> r.getReasons().get(0).getRule(), r -> r.getReasons().get(0).getMessage())
                .containsExactly(
                        tuple("User:orders", "requester-withdraws", "User:orders may not withdraw request w-5: only the principal it names "
                                + "withdraws it, on its own mesh.decisions.<principal>"),
                        tuple("User:marketing", "requester-withdraws", "User:marketing may not withdraw request w-5: only the principal it "
                                + "names withdraws it, on its own mesh.decisions.<principal>"));
        assertThat(state("w-5").getStatus()).isEqualTo(RequestStatus.PENDING);
        decide("analytics", decision("w-5", DecisionKind.WITHDRAWN).setLevel(1));
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage)
                .containsExactly(tuple("withdrawal", "a withdrawal of request w-5 names no level and no duration; ignored"));
        assertThat(state("w-5").getStatus()).isEqualTo(RequestStatus.PENDING);

        decide("orders", decision("w-5", DecisionKind.DENIED));
        decide("analytics", decision("w-5", DecisionKind.WITHDRAWN));
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage)
                .containsExactly(tuple("request-open", "request w-5 is DENIED: nothing to withdraw"));

        request(request("w-6", "orders.order-placed.v1", "analytics").build());
        decide("orders", decision("w-6", DecisionKind.APPROVED));
        assertThat(state("w-6").getStatus()).isEqualTo(RequestStatus.AWAITING_SECOND_APPROVAL);
        decide("analytics", decision("w-6", DecisionKind.WITHDRAWN));
        decide("security", decision("w-6", DecisionKind.APPROVED));

        assertThat(state("w-6").getStatus()).as("withdrawn while the second approval was awaited").isEqualTo(RequestStatus.WITHDRAWN);
        assertThat(grants.isEmpty()).isTrue();
    }

    /**
     * What the workflow concluded leaves the catalog's stores and {@code mesh.access.grants} once
     * it is older than the access history, so that neither grows with every request ever made;
     * what still waits or grants stays, however old.
     */
    @Test
    void concludedRequestsEndedGrantsAndRejectionsAreForgottenAfterTheAccessHistoryAndNothingOpenIs() {
        driver.close();
        Duration history = Duration.ofDays(10);
        start(CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0)
                .withAccessHistory(history));
        register("orders", orders().build());
        register("customers", customers().build());
        request(request("h-open", "orders.order-placed.v1", "full").build());
        request(request("h-denied", "orders.order-placed.v1", "full").build());
        decide("orders", decision("h-denied", DecisionKind.DENIED));
        request(request("h-revoked", "customers.customer-profile.v1", "marketing").build());
        decide("customers", decision("h-revoked", DecisionKind.REVOKED));
        request(request("h-active", "customers.customer-profile.v1", "marketing").build());
        request(request("h-rejected", "orders.order-placed.v1", "secret").build());
        register("orders", orders().setAddress("orders.refused.v1").setDescription("short").build());
        KeyValueStore<String, Rejection> registrationRejections = driver.getKeyValueStore(CatalogTopology.REJECTIONS_STORE);
        assertThat(registrationRejections.get(CatalogTopology.rejectionKey("orders", "orders.refused.v1"))).isNotNull();
        grants.readValuesToList();
        rejections.readValuesToList();
        KeyValueStore<String, Rejection> accessRejections = driver.getKeyValueStore(CatalogTopology.ACCESS_REJECTIONS_STORE);
        KeyValueStore<String, Grant> grantStore = driver.getKeyValueStore(CatalogTopology.GRANTS_STORE);
        Instant concluded = state("h-rejected").getUpdatedAt();
        Instant wallClock = START;

        wallClock = advanceWallClockTo(wallClock, concluded.plus(history).minus(Duration.ofDays(1)));
        assertThat(List.of("h-open", "h-denied", "h-revoked", "h-active", "h-rejected")).allSatisfy(id -> assertThat(state(id)).as(id).isNotNull());
        assertThat(registrationRejections.get(CatalogTopology.rejectionKey("orders", "orders.refused.v1"))).as("not yet").isNotNull();
        assertThat(grants.isEmpty()).isTrue();

        advanceWallClockTo(wallClock, concluded.plus(history).plus(Duration.ofHours(2)));
        assertThat(List.of("h-denied", "h-revoked", "h-rejected")).allSatisfy(id -> assertThat(state(id)).as(id).isNull());
        assertThat(state("h-open").getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(state("h-active").getStatus()).isEqualTo(RequestStatus.APPROVED);
        assertThat(grantStore.get("h-revoked")).isNull();
        assertThat(grantStore.get("h-active").getStatus()).isEqualTo(GrantStatus.ACTIVE);
        assertThat(grants.readKeyValuesToList()).as("a tombstone for the ended grant, nothing for the active one")
                .containsExactly(new KeyValue<>("h-revoked", null));
        assertThat(accessRejections.approximateNumEntries()).isZero();
        assertThat(registrationRejections.approximateNumEntries()).as("a registration's rejection too").isZero();

        request(request("h-again", "orders.order-placed.v1", "full").build());
        assertThat(state("h-again").getStatus()).as("the quota counts stay right").isEqualTo(RequestStatus.PENDING);
        requestAs("marketing", request("h-denied", "orders.order-placed.v1", "full").setPrincipal("User:marketing")
                .setRequestedBy("User:marketing").setConsumerGroup("marketing").build());
        assertThat(state("h-denied")).as("a forgotten request's id is never taken again").isNull();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple(
                "unique-request-id", "request h-denied existed before (the catalog forgot it after its access history); a new request needs a new id"));
    }

    /** Advances the driver's wall clock from where it is to the time, if that is later; @return where it is now */
    private Instant advanceWallClockTo(Instant from, Instant to) {
        if (to.isAfter(from)) {
            driver.advanceWallClockTime(Duration.between(from, to));
            return to;
        }
        return from;
    }

    @Test
    void aRequestBreakingSeveralRulesKeepsEveryReasonInItsState() {
        register("orders", orders().build());

        request(request("r-7", "orders.order-placed.v1", "secret").setConsumerGroup("mesh-catalog").setDurationMs(-5L).build());

        assertThat(state("r-7").getStatus()).isEqualTo(RequestStatus.REJECTED);
        assertThat(state("r-7").getReasons()).containsExactly(
                "product orders.order-placed.v1 has no view 'secret' (views: full, analytics)",
                "'mesh-catalog' is not a consumer group a team may own (letters, digits, . _ -; not the platform's mesh, mesh-* or mesh.*)",
                "duration -5 ms must be between 1 s and 365 days");
        assertThat(state("r-7").getReason()).as("the first, as before").isEqualTo(state("r-7").getReasons().get(0));
    }

    @Test
    void aDecisionWhoseRequestIdIsNotItsKeyIsRejected() {
        register("orders", orders().build());
        request(request("r-8", "orders.order-placed.v1", "full").build());

        driver.createInputTopic(MeshTopics.decisions("orders"), Serdes.String().serializer(), SERDES.of(AccessDecision.class).serializer())
                .pipeInput("r-8", decision("r-other", DecisionKind.APPROVED).build());

        assertThat(grants.isEmpty()).as("the audit would name another request than the one granted").isTrue();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getMessage).containsExactly(
                "decision keyed 'r-8' names request r-other; a decision's key is the request id it decides; ignored");
        assertThat(state("r-8").getStatus()).isEqualTo(RequestStatus.PENDING);
    }

    @Test
    void aDecisionForgedOnTheRequestersOwnTopicWithTheSourceHeaderIsRejectedNamingItsWriter() {
        register("orders", orders().build());
        request(request("r-7", "orders.order-placed.v1", "full").build());
        var forged = new RecordHeaders().add("mesh.source-topic", MeshTopics.decisions("orders").getBytes(StandardCharsets.UTF_8));
        driver.createInputTopic(MeshTopics.accessRequests("analytics"), Serdes.String().serializer(), SERDES.of(AccessDecision.class).serializer())
                .pipeInput(new TestRecord<>("r-7", decision("r-7", DecisionKind.APPROVED).build(), forged, START));

        assertThat(grants.isEmpty()).as("no grant from a forged approval").isTrue();
        assertThat(state("r-7").getStatus()).isEqualTo(RequestStatus.PENDING);
        Rejection rejection = rejections.readValue();
        assertThat(rejection.getWriter()).isEqualTo("User:analytics");
        assertThat(rejection.getSourceTopic()).isEqualTo("mesh.access.requests.analytics");
        decide("orders", decision("r-7", DecisionKind.APPROVED));
        assertThat(grants.readValue().getApprovedBy()).as("the owner still decides").isEqualTo("User:orders");
    }

    @Test
    void aRequestInAnotherPrincipalsNameIsRejectedNamingTheWriter() {
        register("orders", orders().build());

        requestAs("mallory", request("r-8", "orders.order-placed.v1", "full").build());

        Rejection rejection = rejections.readValue();
        assertThat(rejection.getWriter()).isEqualTo("User:mallory");
        assertThat(rejection.getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple("requester",
                "User:mallory wrote request r-8 in the name of User:analytics; a principal asks only for itself, on its own mesh.access.requests.<principal>"));
        assertThat(state("r-8")).as("no request is filed").isNull();
    }

    @Test
    void whoAskedIsTheRequestTopicsPrincipalWhateverRequestedBySays() {
        register("orders", orders().build());

        request(request("r-9", "orders.order-placed.v1", "full").setRequestedBy("User:orders").build());

        assertThat(state("r-9").getRequest().getRequestedBy()).isEqualTo("User:analytics");
    }

    @Test
    void aPurposeWithControlCharactersOrOverTheLimitIsRejectedNamingTheField() {
        register("orders", orders().build());

        request(request("r-10", "orders.order-placed.v1", "full").setPurpose("report\nr-99  APPROVED").build());
        request(request("r-11", "orders.order-placed.v1", "full").setPurpose("report \u001b]8;;http://evil\u0007").build());
        request(request("r-12", "orders.order-placed.v1", "full").setPurpose("x".repeat(501)).build());

        assertThat(rejections.readValuesToList()).extracting(r -> r.getReasons().get(0).getMessage()).containsExactly(
                "purpose contains control character U+000A (newlines, escape sequences and other control characters are not allowed)",
                "purpose contains control character U+001B (newlines, escape sequences and other control characters are not allowed)",
                "purpose is 501 characters long; at most 500 are allowed");
        assertThat(state("r-10").getStatus()).isEqualTo(RequestStatus.REJECTED);
        assertThat(state("r-10").getReason()).isEqualTo(
                "purpose contains control character U+000A (newlines, escape sequences and other control characters are not allowed)");
    }

    @Test
    void aNameLongerThanAnyKafkaNameIsRejectedWithoutBeingQuoted() {
        register("orders", orders().build());

        request(request("r-40", "orders.order-placed.v1", "v".repeat(250)).build());
        request(request("r-41", "orders.order-placed.v1" + "x".repeat(4_000), "full").build());
        request(request("r-42", "orders.order-placed.v1", "full").setConsumerGroup("g".repeat(250)).build());

        assertThat(rejections.readValuesToList()).extracting(r -> r.getReasons().get(0).getMessage()).containsExactly(
                "view is 250 characters long; at most 249 are allowed",
                "product is 4022 characters long; at most 249 are allowed",
                "consumerGroup is 250 characters long; at most 249 are allowed");
        assertThat(state("r-41").getStatus()).isEqualTo(RequestStatus.REJECTED);
        assertThat(state("r-41").getReasons()).allSatisfy(reason -> assertThat(reason).doesNotContain("xxx"));
    }

    /**
     * Every principal's requests share one task: a writer past its rate (here bursts of 3, then
     * one a second, on the broker's timestamps) has the rest refused unread, reported once per
     * interval with their count rather than one rejection each, and another principal's request
     * is taken as ever. Once its rate allows again, the writer's next request counts, with its own
     * time. (That the task reads the refused ones after everyone else's, {@link AccessOrder}, shows
     * on the broker only: TopologyTestDriver takes each record as it is piped; AccessSecurityIT.)
     */
    @Test
    void aWriterOverItsRateIsRefusedUnreadAndReportedOnceWhileAnotherWritersRequestCounts() {
        driver.close();
        start(CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0)
                .withAccessRate(new CatalogConfig.AccessRate(1, 3)));
        register("orders", orders().build());
        var flood = driver.createInputTopic(MeshTopics.accessRequests("analytics"), Serdes.String().serializer(),
                SERDES.of(AccessRequest.class).serializer(), START, Duration.ZERO);
        for (int i = 0; i < 10; i++) {
            flood.pipeInput("f-" + i, request("f-" + i, "orders.order-placed.v1", "full").build());
        }
        requestAs("marketing", request("m-1", "orders.order-placed.v1", "full").setPrincipal("User:marketing").setRequestedBy("User:marketing")
                .setConsumerGroup("marketing").build());

        assertThat(state("f-2").getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(state("f-3")).as("over the rate: never read").isNull();
        assertThat(state("m-1").getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(rejections.isEmpty()).as("refusals are reported once per interval, not one by one").isTrue();

        driver.advanceWallClockTime(RateReport.REPORT_INTERVAL);
        TestRecord<String, Rejection> report = rejections.readRecord();
        assertThat(report.key()).isEqualTo("f-3");
        assertThat(report.value().getWriter()).isEqualTo("User:analytics");
        assertThat(report.value().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple("record-rate",
                "refused unread: 7 record(s) written from " + START + " to " + START + ", over its writer's rate of 1 records a second (bursts of 3)"));
        driver.advanceWallClockTime(RateReport.REPORT_INTERVAL);
        assertThat(rejections.isEmpty()).as("nothing new to report").isTrue();

        flood.pipeInput("f-10", request("f-10", "orders.order-placed.v1", "full").build(), START.plusSeconds(1));
        assertThat(state("f-10").getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(state("f-10").getUpdatedAt()).isEqualTo(START.plusSeconds(1));
    }

    @Test
    void aDecisionReasonWithControlCharactersIsRejectedAndTheRequestStaysPending() {
        register("orders", orders().build());
        request(request("r-13", "orders.order-placed.v1", "full").build());

        decide("orders", decision("r-13", DecisionKind.APPROVED).setReason("ok\u001b[2J").build());

        assertThat(grants.isEmpty()).isTrue();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple("free-text",
                "reason contains control character U+001B (newlines, escape sequences and other control characters are not allowed); the decision is ignored"));
        assertThat(state("r-13").getStatus()).isEqualTo(RequestStatus.PENDING);
    }

    /**
     * A request or decision is a few hundred bytes: one whose key or value is far bigger is refused
     * by its size alone, its key cut, so that the rejection fits mesh.catalog.rejections (one
     * echoing a 600,000-character key twice did not, which failed the access task every principal
     * shares; AccessSecurityIT shows it on the broker). A request after it still counts.
     */
    @Test
    void anAccessRecordTooBigToQuoteIsRejectedByItsSizeWithItsKeyCutAndTheNextRequestCounts() {
        register("orders", orders().build());
        var requests = driver.createInputTopic(MeshTopics.accessRequests("analytics"), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        requests.pipeInput("r-" + "a".repeat(600_000), new byte[10]);
        driver.createInputTopic(MeshTopics.decisions("orders"), Serdes.String().serializer(), Serdes.ByteArray().serializer())
                .pipeInput("r-15", new byte[SourceStamp.MAX_RECORD_BYTES + 1]);

        TestRecord<String, Rejection> hugeKey = rejections.readRecord();
        assertThat(hugeKey.key()).hasSize(SourceStamp.MAX_KEY_LENGTH).startsWith("r-aaa").endsWith("…");
        assertThat(hugeKey.value().getWriter()).isEqualTo("User:analytics");
        assertThat(hugeKey.value().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple(
                "record-size", "record on " + MeshTopics.accessRequests("analytics") + " has a key of 600002 characters and a value of 10 "
                        + "bytes; at most " + SourceStamp.MAX_KEY_LENGTH + " and " + SourceStamp.MAX_RECORD_BYTES + " are allowed; ignored"));
        Rejection hugeValue = rejections.readValue();
        assertThat(hugeValue.getSubject()).isEqualTo("r-15");
        assertThat(hugeValue.getWriter()).isEqualTo("User:orders");
        assertThat(hugeValue.getReasons()).extracting(RuleViolation::getRule).containsExactly("record-size");

        request(request("r-16", "orders.order-placed.v1", "full").build());
        assertThat(state("r-16").getStatus()).isEqualTo(RequestStatus.PENDING);
    }

    @Test
    void aRequestWithoutAKeyIsRejectedNotLost() {
        register("orders", orders().build());
        driver.createInputTopic(MeshTopics.accessRequests("analytics"), Serdes.String().serializer(), SERDES.of(AccessRequest.class).serializer())
                .pipeInput((String) null, request("r-14", "orders.order-placed.v1", "full").build());

        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule).containsExactly("key-matches-request");
    }

    @Test
    void aViewNamingSecondLevelApproversGrantsOnlyAfterTheOwnerAndThenOneOfThemApprove() {
        register("orders", twoLevel().build());
        request(request("r-20", "orders.order-placed.v1", "analytics").setDurationMs(10_000L).build());
        assertThat(state("r-20").getSecondLevelApprovers()).as("the approvers see it while the owner decides")
                .containsExactly("User:security", "User:legal");

        decide("orders", decision("r-20", DecisionKind.APPROVED).setReason("fine by orders"));
        assertThat(grants.isEmpty()).as("no grant on the owner's word alone").isTrue();
        assertThat(state("r-20").getStatus()).isEqualTo(RequestStatus.AWAITING_SECOND_APPROVAL);

        decide("security", decision("r-20", DecisionKind.APPROVED).setReason("fine by security"));
        Grant grant = grants.readValue();
        assertThat(grant.getStatus()).isEqualTo(GrantStatus.ACTIVE);
        assertThat(grant.getApprovedBy()).isEqualTo("User:orders");
        assertThat(grant.getSecondApprovedBy()).isEqualTo("User:security");
        assertThat(grant.getExpiresAt()).isEqualTo(grant.getGrantedAt().plusSeconds(10));
        assertThat(state("r-20").getStatus()).isEqualTo(RequestStatus.APPROVED);
        assertThat(state("r-20").getDecisions()).extracting(RequestDecision::getLevel, RequestDecision::getDecidedBy,
                RequestDecision::getApproved, RequestDecision::getReason).containsExactly(
                tuple(1, "User:orders", true, "fine by orders"), tuple(2, "User:security", true, "fine by security"));
        assertThat(rejections.isEmpty()).isTrue();
    }

    @Test
    void aSecondLevelApproverDenyingDeniesTheRequest() {
        register("orders", twoLevel().build());
        request(request("r-21", "orders.order-placed.v1", "analytics").build());
        decide("orders", decision("r-21", DecisionKind.APPROVED));

        decide("legal", decision("r-21", DecisionKind.DENIED).setReason("no legal basis").setLevel(2));

        assertThat(grants.isEmpty()).isTrue();
        assertThat(state("r-21").getStatus()).isEqualTo(RequestStatus.DENIED);
        assertThat(state("r-21").getDecidedBy()).isEqualTo("User:legal");
        assertThat(state("r-21").getReason()).isEqualTo("no legal basis");
    }

    @Test
    void aPrincipalTheViewDoesNotNameCannotGiveTheSecondApprovalAndIsNamedInTheRejection() {
        register("orders", twoLevel().build());
        request(request("r-22", "orders.order-placed.v1", "analytics").build());
        decide("orders", decision("r-22", DecisionKind.APPROVED));

        decide("mallory", decision("r-22", DecisionKind.APPROVED));

        assertThat(grants.isEmpty()).isTrue();
        assertThat(state("r-22").getStatus()).isEqualTo(RequestStatus.AWAITING_SECOND_APPROVAL);
        Rejection rejection = rejections.readValue();
        assertThat(rejection.getWriter()).isEqualTo("User:mallory");
        assertThat(rejection.getDomain()).as("the owner sees it").isEqualTo("orders");
        assertThat(rejection.getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple(
                "second-approver-named", "User:mallory is not a second-level approver of view 'analytics' of orders.order-placed.v1 "
                        + "(approvers: User:security, User:legal); the decision is ignored"));
    }

    @Test
    void aNamedApproverCannotGiveTheSecondApprovalOfItsOwnRequest() {
        register("orders", twoLevel().build());
        request(request("r-24", "orders.order-placed.v1", "analytics").setPrincipal("User:security").setRequestedBy("User:security")
                .setConsumerGroup("security").build());
        decide("orders", decision("r-24", DecisionKind.APPROVED));

        decide("security", decision("r-24", DecisionKind.APPROVED));

        assertThat(grants.isEmpty()).isTrue();
        assertThat(state("r-24").getStatus()).isEqualTo(RequestStatus.AWAITING_SECOND_APPROVAL);
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(tuple(
                "second-approver-not-requester", "User:security asked for request r-24 or reads with it; the second approval must come "
                        + "from another of: User:security, User:legal"));
        decide("legal", decision("r-24", DecisionKind.APPROVED));
        assertThat(grants.readValue().getSecondApprovedBy()).isEqualTo("User:legal");
    }

    @Test
    void theOwnerMayStillDenyWhileTheSecondApprovalIsAwaitedAndNoLaterApprovalCounts() {
        register("orders", twoLevel().build());
        request(request("r-25", "orders.order-placed.v1", "analytics").build());
        decide("orders", decision("r-25", DecisionKind.APPROVED));

        decide("orders", decision("r-25", DecisionKind.DENIED).setReason("changed our mind"));
        decide("security", decision("r-25", DecisionKind.APPROVED));

        assertThat(grants.isEmpty()).isTrue();
        assertThat(state("r-25").getStatus()).isEqualTo(RequestStatus.DENIED);
        assertThat(state("r-25").getDecisions()).extracting(RequestDecision::getLevel, RequestDecision::getApproved)
                .containsExactly(tuple(1, true), tuple(1, false));
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule).containsExactly("owner-decides");
    }

    @Test
    void theOwnerCannotGiveBothApprovals() {
        register("orders", twoLevel().build());
        request(request("r-23", "orders.order-placed.v1", "analytics").build());
        decide("orders", decision("r-23", DecisionKind.APPROVED));

        decide("orders", decision("r-23", DecisionKind.APPROVED));
        decide("orders", decision("r-23", DecisionKind.APPROVED).setLevel(2));

        assertThat(grants.isEmpty()).isTrue();
        assertThat(state("r-23").getStatus()).isEqualTo(RequestStatus.AWAITING_SECOND_APPROVAL);
        assertThat(rejections.readValuesToList()).extracting(r -> r.getReasons().get(0).getMessage()).containsOnly(
                "User:orders gave the first approval of request r-23; the second must come from another principal: User:security, User:legal");
        decide("security", decision("r-23", DecisionKind.APPROVED));
        assertThat(grants.readValue().getSecondApprovedBy()).isEqualTo("User:security");
    }

    @Test
    void aRegistrationNamingTheOwnerOrNoPrincipalAsSecondApproverOrOnAnAutoViewIsRejected() {
        register("orders", orders().setViews(List.of(
                ProductView.newBuilder(view("full", ViewAccess.OWNER_APPROVAL, Map.of())).setSecondLevelApprovers(List.of("User:orders", "legal")).build(),
                ProductView.newBuilder(view("open", ViewAccess.AUTO, Map.of("customerEmail", "hash", "shippingAddress", "redact")))
                        .setSecondLevelApprovers(List.of("User:legal")).build())).build());

        assertThat(catalog.isEmpty()).isTrue();
        assertThat(rejections.readValue().getReasons()).extracting(RuleViolation::getRule, RuleViolation::getMessage).containsExactly(
                tuple("second-level-approvers", "view 'full' names its owner User:orders as second-level approver; the owner gives the "
                        + "first approval, another principal the second"),
                tuple("second-level-approvers", "view 'full' names second-level approver 'legal', which is not a mesh principal (User:<name>)"),
                tuple("second-level-approvers", "view 'open' is access: auto, granted at once; second-level approvers need access: owner-approval"));
    }

    @Test
    void aForgedDecidedByIsIgnoredForWhoDecidesIsTheDecisionTopicsPrincipal() {
        register("orders", twoLevel().build());
        request(request("r-24", "orders.order-placed.v1", "analytics").build());
        decide("orders", decision("r-24", DecisionKind.APPROVED));

        decide("mallory", decision("r-24", DecisionKind.APPROVED).setDecidedBy("User:security").setLevel(2));

        assertThat(grants.isEmpty()).isTrue();
        assertThat(rejections.readValue().getWriter()).isEqualTo("User:mallory");
        decide("security", decision("r-24", DecisionKind.APPROVED).setDecidedBy("User:mallory"));
        assertThat(grants.readValue().getSecondApprovedBy()).isEqualTo("User:security");
    }

    @Test
    void aSecondLevelApproverCannotDecideBeforeTheOwnerNorRevoke() {
        register("orders", twoLevel().build());
        request(request("r-25", "orders.order-placed.v1", "analytics").build());

        decide("security", decision("r-25", DecisionKind.APPROVED));
        decide("security", decision("r-25", DecisionKind.APPROVED).setLevel(2));
        decide("security", decision("r-25", DecisionKind.REVOKED).setLevel(2));
        decide("security", decision("r-25", DecisionKind.APPROVED).setLevel(3));

        assertThat(grants.isEmpty()).isTrue();
        assertThat(state("r-25").getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(rejections.readValuesToList()).extracting(r -> r.getReasons().get(0).getRule(), r -> r.getReasons().get(0).getMessage())
                .containsExactly(
                        tuple("owner-decides", "decision for request r-25 arrived on mesh.decisions.security, but product orders.order-placed.v1 "
                                + "belongs to domain orders; ignored"),
                        tuple("request-awaits-second-approval", "request r-25 is PENDING, not AWAITING_SECOND_APPROVAL: domain orders decides "
                                + "first; the decision is ignored"),
                        tuple("second-level-decides", "a second-level approver approves or denies request r-25; only the owning domain "
                                + "revokes its grant; the decision is ignored"),
                        tuple("decision-level", "decision level 3 is neither 1 (the owning domain) nor 2 (a second-level approver); ignored"));
    }

    private void register(String domain, ProductRegistration registration) {
        driver.createInputTopic(MeshTopics.registrations(domain), Serdes.String().serializer(), SERDES.of(ProductRegistration.class).serializer())
                .pipeInput(registration.getAddress(), registration);
    }

    private void request(AccessRequest request) {
        requestAs(request.getPrincipal().substring("User:".length()), request);
    }

    private void requestAs(String writer, AccessRequest request) {
        driver.createInputTopic(MeshTopics.accessRequests(writer), Serdes.String().serializer(), SERDES.of(AccessRequest.class).serializer())
                .pipeInput(request.getRequestId(), request);
    }

    private AccessRequestState state(String requestId) {
        KeyValueStore<String, AccessRequestState> states = driver.getKeyValueStore(CatalogTopology.REQUESTS_STORE);
        return states.get(requestId);
    }

    private void decide(String domain, AccessDecision.Builder decision) {
        decide(domain, decision.build());
    }

    private void decide(String domain, AccessDecision decision) {
        TestInputTopic<String, AccessDecision> topic = driver.createInputTopic(MeshTopics.decisions(domain), Serdes.String().serializer(),
                SERDES.of(AccessDecision.class).serializer());
        topic.pipeInput(decision.getRequestId(), decision);
    }

    private static GovernancePolicy withDomainQuota(GovernancePolicy policy, int products, int partitions) {
        return new GovernancePolicy(policy.ownerPresent(), policy.descriptionMinLength(), policy.classificationDeclared(), policy.piiMasked(),
                policy.sloDeclared(), policy.lineageInputsExist(), policy.piiEncrypted(), products, partitions);
    }

    static ProductRegistration.Builder orders() {
        return registration("orders", "order-placed", List.of("customerEmail", "shippingAddress"), List.of(
                view("full", ViewAccess.OWNER_APPROVAL, Map.of()),
                view("analytics", ViewAccess.OWNER_APPROVAL, Map.of("customerEmail", "hash", "shippingAddress", "redact"))));
    }

    /** Orders whose analytics view needs a second approval, by default from security or legal. */
    static ProductRegistration.Builder twoLevel(String... approvers) {
        List<String> named = approvers.length == 0 ? List.of("User:security", "User:legal") : List.of(approvers);
        return orders().setViews(List.of(view("full", ViewAccess.OWNER_APPROVAL, Map.of()),
                ProductView.newBuilder(view("analytics", ViewAccess.OWNER_APPROVAL, Map.of("customerEmail", "hash", "shippingAddress", "redact")))
                        .setSecondLevelApprovers(named).build()));
    }

    static ProductRegistration.Builder customers() {
        return registration("customers", "customer-profile", List.of("email"), List.of(
                view("full", ViewAccess.OWNER_APPROVAL, Map.of()),
                view("marketing", ViewAccess.AUTO, Map.of("email", "hash"))));
    }

    static ProductRegistration.Builder registration(String domain, String name, List<String> pii, List<ProductView> views) {
        return ProductRegistration.newBuilder().setAddress(domain + "." + name + ".v1").setDomain(domain).setName(name)
                .setVersion("1.0.0").setOwner(Owner.newBuilder().setTeam(domain + "-team").setPrincipal("User:" + domain)
                        .setContact(domain + "@example.com").build())
                .setDescription("The " + name + " product of " + domain + ".").setClassification("confidential")
                .setSchemaSubject(domain + "." + name + ".v1-value").setSchemaVersion(1).setSchemaContentId(1L)
                .setPiiFields(pii).setEncryption(pii.isEmpty() ? null : new ProductEncryption("customerId", pii))
                .setFreshnessMs(300_000L).setViews(views).setPublishedBy("User:" + domain).setPublishedAt(START);
    }

    static ProductView view(String name, ViewAccess access, Map<String, String> masks) {
        return ProductView.newBuilder().setName(name).setAccess(access).setMasks(masks).build();
    }

    static AccessRequest.Builder request(String id, String product, String view) {
        return AccessRequest.newBuilder().setRequestId(id).setPrincipal("User:analytics").setProduct(product).setView(view)
                .setConsumerGroup("analytics").setPurpose("weekly sales report").setRequestedBy("User:analytics").setRequestedAt(START);
    }

    static AccessDecision.Builder decision(String id, DecisionKind kind) {
        return AccessDecision.newBuilder().setRequestId(id).setDecision(kind).setDecidedBy("User:someone").setDecidedAt(START);
    }
}
