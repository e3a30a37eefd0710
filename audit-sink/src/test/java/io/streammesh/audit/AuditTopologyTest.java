package io.streammesh.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.streammesh.testing.PlainAvroSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuditEventType;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.ConsumerOffsets;
import io.streammesh.schema.Decision;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductConsumption;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.RuleViolation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTopologyTest {

    /** Each test's own: Kafka Streams' default (/tmp/kafka-streams) is shared by every build on the machine. */
    @TempDir
    Path streamsState;

    private static final PlainAvroSerdes SERDES = new PlainAvroSerdes();
    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, AuthorizationEvent> raw;
    private TestInputTopic<String, ConsumerOffsets> offsets;
    private TestInputTopic<String, Grant> grants;
    private TestOutputTopic<String, AuditEvent> audit;

    @BeforeEach
    void start() {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "audit-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, streamsState.toString());
        var config = AuditConfig.embedded(MeshClientConfig.of("unused:9092", "audit-test", null, "unused"), Path.of("unused"));
        driver = new TopologyTestDriver(AuditTopology.build(config, SERDES), props, START);
        raw = driver.createInputTopic(MeshTopics.AUDIT_RAW, Serdes.String().serializer(), SERDES.of(AuthorizationEvent.class).serializer());
        offsets = driver.createInputTopic(AuditTopology.CONSUMPTION_TOPIC, Serdes.String().serializer(), SERDES.of(ConsumerOffsets.class).serializer());
        grants = driver.createInputTopic(MeshTopics.ACCESS_GRANTS, Serdes.String().serializer(), SERDES.of(Grant.class).serializer());
        audit = driver.createOutputTopic(MeshTopics.AUDIT, Serdes.String().deserializer(), SERDES.of(AuditEvent.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aRefusalBecomesAnAuditEventKeyedByPrincipalAndChainedToTheOneBefore() {
        raw.pipeInput("User:snoop", denied("User:snoop", "orders.order-placed.v1", 3));
        raw.pipeInput("User:snoop", denied("User:snoop", "mesh.view.orders.order-placed.v1.analytics", 1));

        List<AuditEvent> events = audit.readValuesToList();
        assertThat(events).hasSize(2);
        AuditEvent first = events.get(0);
        assertThat(first.getType()).isEqualTo(AuditEventType.AUTHORIZATION);
        assertThat(first.getPrincipal()).isEqualTo("User:snoop");
        assertThat(first.getDecision()).isEqualTo(Decision.DENIED);
        assertThat(first.getCount()).isEqualTo(3);
        assertThat(first.getProduct()).isEqualTo("orders.order-placed.v1");
        assertThat(first.getPrevHash()).isEqualTo(AuditChain.GENESIS);
        assertThat(first.getHash()).isEqualTo(AuditChain.hashOf(first)).hasSize(64);
        assertThat(events.get(1).getView()).isEqualTo("analytics");
        assertThat(events.get(1).getPrevHash()).isEqualTo(first.getHash());
        assertThat(events.get(1).getHash()).isEqualTo(AuditChain.hashOf(events.get(1)));
    }

    @Test
    void aKeyServiceFetchBecomesAKeyAccessEventNamingWhoTheProductTheSubjectAndTheOutcome() {
        var refused = denied("User:snoop", "orders.order-placed.v1/keys/c-1", 1);
        refused.setResourceType("KEY");
        refused.setOperation("FETCH_KEY");
        var served = denied("User:analytics", "orders.order-placed.v1/keys/c-2", 1);
        served.setResourceType("KEY");
        served.setOperation("FETCH_KEY");
        served.setDecision(Decision.ALLOWED);

        raw.pipeInput("User:snoop", refused);
        raw.pipeInput("User:analytics", served);

        assertThat(audit.readValuesToList()).extracting(AuditEvent::getType, AuditEvent::getPrincipal, AuditEvent::getProduct,
                AuditEvent::getDecision, AuditEvent::getReason).containsExactly(
                tuple(AuditEventType.KEY_ACCESS, "User:snoop", "orders.order-placed.v1", Decision.DENIED, "data key of subject c-1 refused"),
                tuple(AuditEventType.KEY_ACCESS, "User:analytics", "orders.order-placed.v1", Decision.ALLOWED, "data key of subject c-2 served"));
    }

    @Test
    void alteringAnyFieldOfAnEventChangesItsHash() {
        raw.pipeInput("User:snoop", denied("User:snoop", "orders.order-placed.v1", 3));
        AuditEvent event = audit.readValue();

        AuditEvent forged = AuditEvent.newBuilder(event).setCount(1).build();

        assertThat(AuditChain.hashOf(forged)).isNotEqualTo(event.getHash());
    }

    @Test
    void decisionsTheAuthorizerDroppedAreReportedAsAGap() {
        var event = denied("User:snoop", "orders.order-placed.v1", 1);
        event.setDropped(42L);
        raw.pipeInput("User:snoop", event);

        assertThat(audit.readValuesToList()).extracting(AuditEvent::getType, AuditEvent::getCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(AuditEventType.AUTHORIZATION, 1L),
                        org.assertj.core.groups.Tuple.tuple(AuditEventType.AUDIT_GAP, 42L));
    }

    @Test
    void anAllowedPlatformInternalDecisionIsNoAuditEventButARefusalOfTheSamePrincipalIs() {
        var changelogWrite = denied("User:mesh-catalog", "mesh-catalog-products-changelog", 40);
        changelogWrite.setDecision(Decision.ALLOWED);
        var auditOwnRead = denied("User:mesh-audit", "mesh.audit.raw", 30);
        auditOwnRead.setDecision(Decision.ALLOWED);
        var auditProductRead = denied("User:mesh-audit", "orders.order-placed.v1", 2);
        auditProductRead.setDecision(Decision.ALLOWED);
        raw.pipeInput("User:mesh-catalog", changelogWrite);
        raw.pipeInput("User:mesh-audit", auditOwnRead);
        raw.pipeInput("User:mesh-catalog", denied("User:mesh-catalog", "mesh-catalog-products-changelog", 1));
        raw.pipeInput("User:mesh-catalog", denied("User:mesh-catalog", "orders.order-placed.v1", 1));
        raw.pipeInput("User:mesh-audit", auditProductRead);

        assertThat(audit.readValuesToList()).extracting(AuditEvent::getPrincipal, AuditEvent::getResourceName, AuditEvent::getDecision)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("User:mesh-catalog", "mesh-catalog-products-changelog", Decision.DENIED),
                        org.assertj.core.groups.Tuple.tuple("User:mesh-catalog", "orders.order-placed.v1", Decision.DENIED),
                        org.assertj.core.groups.Tuple.tuple("User:mesh-audit", "orders.order-placed.v1", Decision.ALLOWED));
    }

    @Test
    void aPlatformAppsProbesAndPlatformTopicReadsAreNoAuditEventsButItsWritesClusterChangesProductAndKeyDecisionsAndATenantsProbesAre() {
        var gateProbe = denied("User:mesh-gate", "mesh.access.grants", 3);
        gateProbe.setOperation("DESCRIBE");
        gateProbe.setProbe(true);
        var catalogReadsDecisions = allowed("User:mesh-catalog", "mesh.decisions.analytics");
        var gateReadsKeys = allowed("User:mesh-gate", "mesh.keys.orders");
        var gateWritesProduct = allowed("User:mesh-gate", "orders.order-placed.v1");
        var gateReadsIngest = allowed("User:mesh-gate", "orders.order-placed.v1.ingest");
        var enforcerWritesView = allowed("User:mesh-enforcer", "mesh.view.orders.order-placed.v1.analytics");
        var tenantProbe = denied("User:snoop", "mesh.access.grants", 1);
        tenantProbe.setOperation("DESCRIBE");
        tenantProbe.setProbe(true);
        var tenantReadsCatalog = allowed("User:snoop", "mesh.catalog");
        var enforcerFetchesAKey = allowed("User:mesh-enforcer", "orders/c-1");
        enforcerFetchesAKey.setResourceType("KEY");
        var enforcerChangesAcls = allowed("User:mesh-enforcer", "kafka-cluster");
        enforcerChangesAcls.setResourceType("CLUSTER");
        enforcerChangesAcls.setOperation("ALTER");
        var catalogWritesCatalog = allowed("User:mesh-catalog", "mesh.catalog");
        catalogWritesCatalog.setOperation("WRITE");
        var gateProbesAViewDlq = denied("User:mesh-gate", "mesh.view.orders.order-placed.v1.analytics.dlq", 1);
        gateProbesAViewDlq.setOperation("DESCRIBE");
        gateProbesAViewDlq.setProbe(true);
        for (AuthorizationEvent event : List.of(gateProbe, catalogReadsDecisions, gateReadsKeys, gateWritesProduct, gateReadsIngest,
                enforcerWritesView, tenantProbe, tenantReadsCatalog, enforcerFetchesAKey, enforcerChangesAcls, catalogWritesCatalog,
                gateProbesAViewDlq)) {
            raw.pipeInput(event.getPrincipal(), event);
        }

        assertThat(audit.readValuesToList()).extracting(AuditEvent::getPrincipal, AuditEvent::getResourceName)
                .containsExactly(tuple("User:mesh-gate", "mesh.keys.orders"),
                        tuple("User:mesh-gate", "orders.order-placed.v1"),
                        tuple("User:mesh-gate", "orders.order-placed.v1.ingest"),
                        tuple("User:mesh-enforcer", "mesh.view.orders.order-placed.v1.analytics"),
                        tuple("User:snoop", "mesh.access.grants"),
                        tuple("User:snoop", "mesh.catalog"),
                        tuple("User:mesh-enforcer", "orders/c-1"),
                        tuple("User:mesh-enforcer", "kafka-cluster"),
                        tuple("User:mesh-catalog", "mesh.catalog"));
    }

    private static AuthorizationEvent allowed(String principal, String topic) {
        var event = denied(principal, topic, 1);
        event.setDecision(Decision.ALLOWED);
        return event;
    }

    @Test
    void anAuthorizationEventShippedAgainIsRecordedOnceEvenAfterALaterOneOvertookIt() {
        raw.pipeInput("User:snoop", numbered(denied("User:snoop", "t.a.v1", 1), "broker-1/x", 1));
        raw.pipeInput("User:snoop", numbered(denied("User:snoop", "t.b.v1", 1), "broker-1/x", 2));
        raw.pipeInput("User:snoop", numbered(denied("User:snoop", "t.a.v1", 1), "broker-1/x", 1));
        raw.pipeInput("User:snoop", numbered(denied("User:snoop", "t.d.v1", 1), "broker-1/x", 4));
        raw.pipeInput("User:snoop", numbered(denied("User:snoop", "t.c.v1", 1), "broker-1/x", 3));
        raw.pipeInput("User:snoop", numbered(denied("User:snoop", "t.d.v1", 1), "broker-1/x", 4));
        raw.pipeInput("User:snoop", numbered(denied("User:snoop", "t.a.v1", 1), "broker-1/y", 1));
        raw.pipeInput("User:snoop", denied("User:snoop", "t.e.v1", 1));
        raw.pipeInput("User:snoop", denied("User:snoop", "t.e.v1", 1));

        assertThat(audit.readValuesToList()).extracting(AuditEvent::getResourceName)
                .containsExactly("t.a.v1", "t.b.v1", "t.d.v1", "t.c.v1", "t.a.v1", "t.e.v1", "t.e.v1");
    }

    @Test
    void aRangeCountsTheRecordsTheLedgerCountedNotItsOffsets() {
        // A transactional topic: 20 offsets, 10 of them commit markers.
        offsets.pipeInput("analytics|orders.order-placed.v1|0", counted(observed(120, 100), 100, 10));
        // The ledger counted from elsewhere (not this range): the offsets are all the audit knows.
        offsets.pipeInput("analytics|orders.order-placed.v1|0", counted(observed(150, 100), 110, 5));

        assertThat(audit.readValuesToList()).extracting(AuditEvent::getFromOffset, AuditEvent::getToOffset, AuditEvent::getCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(100L, 120L, 10L),
                        org.assertj.core.groups.Tuple.tuple(120L, 150L, 30L));
    }

    @Test
    void eachAdvanceOfACommittedOffsetIsTheRangeTheGroupRead() {
        offsets.pipeInput("analytics|orders.order-placed.v1|0", observed(120, 100));
        offsets.pipeInput("analytics|orders.order-placed.v1|0", observed(120, 100));
        offsets.pipeInput("analytics|orders.order-placed.v1|0", observed(150, 100));

        List<AuditEvent> events = audit.readValuesToList();
        assertThat(events).extracting(AuditEvent::getFromOffset, AuditEvent::getToOffset, AuditEvent::getCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(100L, 120L, 20L),
                        org.assertj.core.groups.Tuple.tuple(120L, 150L, 30L));
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getType()).isEqualTo(AuditEventType.CONSUMPTION);
            assertThat(e.getPrincipal()).isEqualTo("User:analytics");
            assertThat(e.getConsumerGroup()).isEqualTo("analytics");
            assertThat(e.getProduct()).isEqualTo("orders.order-placed.v1");
            assertThat(e.getPartition()).isZero();
        });
    }

    @Test
    void theRecordsAGroupReadOfAProductAreSummedAcrossItsTopicsAndPartitionsIntoOneCompactedRecordPerProductAndGroup() {
        var totals = driver.createOutputTopic(MeshTopics.CONSUMPTION, Serdes.String().deserializer(),
                SERDES.of(ProductConsumption.class).deserializer());
        offsets.pipeInput("analytics|orders.order-placed.v1|0", observed(120, 100));
        offsets.pipeInput("analytics|orders.order-placed.v1|1", ConsumerOffsets.newBuilder(observed(7, 0)).setPartition(1)
                .setObservedAt(START.plusSeconds(4)).build());
        offsets.pipeInput("analytics|mesh.view.orders.order-placed.v1.analytics|0", ConsumerOffsets.newBuilder(observed(30, 0))
                .setTopic("mesh.view.orders.order-placed.v1.analytics").setObservedAt(START.plusSeconds(2)).build());
        offsets.pipeInput("reports|orders.order-placed.v1|0", ConsumerOffsets.newBuilder(observed(5, 0)).setConsumerGroup("reports")
                .setPrincipal("User:reports").build());

        Map<String, ProductConsumption> latest = totals.readKeyValuesToMap();
        assertThat(latest).containsOnlyKeys("orders.order-placed.v1|analytics", "orders.order-placed.v1|reports");
        ProductConsumption analytics = latest.get("orders.order-placed.v1|analytics");
        assertThat(analytics.getRecords()).isEqualTo(20 + 7 + 30);
        assertThat(analytics.getPrincipal()).isEqualTo("User:analytics");
        assertThat(analytics.getTopics()).containsExactly("orders.order-placed.v1", "mesh.view.orders.order-placed.v1.analytics");
        assertThat(analytics.getLastReadAt()).isEqualTo(START.plusSeconds(4));
        assertThat(latest.get("orders.order-placed.v1|reports").getRecords()).isEqualTo(5);
    }

    @Test
    void aGrantAndItsRevocationAreBothRecorded() {
        grants.pipeInput("g-1", grant(GrantStatus.ACTIVE, null));
        grants.pipeInput("g-1", grant(GrantStatus.REVOKED, "User:orders"));
        grants.pipeInput("g-1", null);

        List<AuditEvent> events = audit.readValuesToList();
        assertThat(events).extracting(AuditEvent::getOperation).containsExactly("ACTIVE", "REVOKED");
        assertThat(events.get(0).getReason()).contains("by User:orders");
        assertThat(events).allSatisfy(e -> assertThat(e.getPrincipal()).isEqualTo("User:analytics"));
    }

    @Test
    void bothDecisionsOfATwoLevelApprovalAreAuditedUnderTheirTopicsPrincipalsAndTheGrantNamesBothApprovers() {
        var decisions = SERDES.of(AccessDecision.class).serializer();
        driver.createInputTopic(MeshTopics.decisions("orders"), Serdes.String().serializer(), decisions)
                .pipeInput("r-1", AccessDecision.newBuilder().setRequestId("r-1").setDecision(DecisionKind.APPROVED).setDecidedBy("User:orders")
                        .setDecidedAt(START).build());
        driver.createInputTopic(MeshTopics.decisions("security"), Serdes.String().serializer(), decisions)
                .pipeInput("r-1", AccessDecision.newBuilder().setRequestId("r-1").setDecision(DecisionKind.APPROVED).setDecidedBy("User:orders")
                        .setDecidedAt(START).setLevel(2).build());
        grants.pipeInput("r-1", Grant.newBuilder(grant(GrantStatus.ACTIVE, null)).setSecondApprovedBy("User:security").build());

        List<AuditEvent> events = audit.readValuesToList();
        assertThat(events).extracting(AuditEvent::getType, AuditEvent::getPrincipal, AuditEvent::getResourceName).containsExactlyInAnyOrder(
                tuple(AuditEventType.ACCESS_DECISION, "User:orders", "r-1"),
                tuple(AuditEventType.ACCESS_DECISION, "User:security", "r-1"),
                tuple(AuditEventType.GRANT, "User:analytics", "mesh.view.orders.order-placed.v1.analytics"));
        assertThat(events).filteredOn(e -> e.getType() == AuditEventType.GRANT).extracting(AuditEvent::getReason)
                .singleElement().asString().contains("by User:orders and User:security");
    }

    @Test
    void aWithdrawalIsAuditedAsTheRequestersDecisionAndATombstoneOfAForgottenGrantIsNoAccess() {
        driver.createInputTopic(MeshTopics.decisions("analytics"), Serdes.String().serializer(), SERDES.of(AccessDecision.class).serializer())
                .pipeInput("r-1", AccessDecision.newBuilder().setRequestId("r-1").setDecision(DecisionKind.WITHDRAWN).setDecidedBy("User:orders")
                        .setReason("asked twice").setDecidedAt(START).build());
        grants.pipeInput("r-0", null);

        assertThat(audit.readValuesToList()).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo(AuditEventType.ACCESS_DECISION);
            assertThat(event.getPrincipal()).as("the topic's principal, not decidedBy").isEqualTo("User:analytics");
            assertThat(event.getOperation()).isEqualTo("WITHDRAWN");
            assertThat(event.getDecision()).isNull();
            assertThat(event.getReason()).isEqualTo("asked twice");
        });
    }

    @Test
    void whoAskedDecidedOrPublishedIsTheTopicsPrincipalNotTheFieldTheClientWrote() {
        driver.createInputTopic(MeshTopics.accessRequests("analytics"), Serdes.String().serializer(), SERDES.of(AccessRequest.class).serializer())
                .pipeInput("r-1", AccessRequest.newBuilder().setRequestId("r-1").setPrincipal("User:analytics").setProduct("orders.order-placed.v1")
                        .setView("full").setConsumerGroup("analytics").setPurpose("report").setRequestedBy("User:orders").setRequestedAt(START).build());
        driver.createInputTopic(MeshTopics.decisions("orders"), Serdes.String().serializer(), SERDES.of(AccessDecision.class).serializer())
                .pipeInput("r-1", AccessDecision.newBuilder().setRequestId("r-1").setDecision(DecisionKind.APPROVED).setDecidedBy("User:customers")
                        .setDecidedAt(START).build());
        driver.createInputTopic(MeshTopics.registrations("orders"), Serdes.String().serializer(), SERDES.of(ProductRegistration.class).serializer())
                .pipeInput("orders.order-placed.v1", registration("User:customers"));
        driver.createInputTopic(MeshTopics.CATALOG_REJECTIONS, Serdes.String().serializer(), SERDES.of(Rejection.class).serializer())
                .pipeInput("r-2", Rejection.newBuilder().setSubject("r-2").setDomain("orders").setSourceTopic("mesh.access.requests.mallory")
                        .setReasons(List.of(RuleViolation.newBuilder().setRule("requester").setMessage("in another's name").build()))
                        .setRejectedAt(START).setWriter("User:mallory").build());

        assertThat(audit.readValuesToList()).extracting(AuditEvent::getType, AuditEvent::getPrincipal).containsExactlyInAnyOrder(
                tuple(AuditEventType.ACCESS_REQUEST, "User:analytics"),
                tuple(AuditEventType.ACCESS_DECISION, "User:orders"),
                tuple(AuditEventType.REGISTRATION, "User:orders"),
                tuple(AuditEventType.REJECTION, "User:mallory"));
    }

    /**
     * A domain writes its registrations topic with any client: a registration nearly filling the
     * topic with its address and version made an event quoting the address twice and the version,
     * over the 1 MiB a record may be, which failed the task every domain's registrations share.
     */
    @Test
    void aRegistrationWithAHugeAddressAndVersionIsRecordedWithBothCut() {
        ProductRegistration huge = registration("User:orders");
        huge.setAddress("orders.x.v1" + "a".repeat(400_000));
        huge.setVersion("1.0.0" + "9".repeat(400_000));
        driver.createInputTopic(MeshTopics.registrations("orders"), Serdes.String().serializer(), SERDES.of(ProductRegistration.class).serializer())
                .pipeInput("k", huge);

        AuditEvent event = audit.readValue();
        assertThat(event.getType()).isEqualTo(AuditEventType.REGISTRATION);
        assertThat(event.getPrincipal()).isEqualTo("User:orders");
        assertThat(event.getResourceName()).hasSize(300).startsWith("orders.x.v1aaa").endsWith("…");
        assertThat(event.getProduct()).isNull();
        assertThat(event.getReason()).hasSize("version ".length() + 300).startsWith("version 1.0.099");
    }

    /**
     * Any principal writes its own request topic and decision topic with any client: a request or
     * decision nearly filling its topic (product, group, purpose; a decision's key and reason) made
     * an event too large for the repartition topic, which failed, on every attempt, the task that
     * seals every principal's events.
     */
    @Test
    void aRequestOrDecisionOfHugeFieldsIsRecordedWithEachCut() {
        String big = "x".repeat(300_000);
        driver.createInputTopic(MeshTopics.accessRequests("mallory"), Serdes.String().serializer(), SERDES.of(AccessRequest.class).serializer())
                .pipeInput("r-1", AccessRequest.newBuilder().setRequestId("r-" + big).setPrincipal("User:mallory").setProduct("orders." + big)
                        .setView(big).setConsumerGroup(big).setPurpose(big).setRequestedBy("User:mallory").setRequestedAt(START).build());
        driver.createInputTopic(MeshTopics.decisions("mallory"), Serdes.String().serializer(), SERDES.of(AccessDecision.class).serializer())
                .pipeInput("r-" + big, AccessDecision.newBuilder().setRequestId("r-1").setDecision(DecisionKind.DENIED).setReason(big)
                        .setDecidedBy("User:mallory").setDecidedAt(START).build());

        List<AuditEvent> events = audit.readValuesToList();
        assertThat(events).extracting(AuditEvent::getType).containsExactly(AuditEventType.ACCESS_REQUEST, AuditEventType.ACCESS_DECISION);
        AuditEvent request = events.get(0);
        assertThat(request.getResourceName()).hasSize(300).startsWith("orders.xxx").endsWith("…");
        assertThat(request.getProduct()).isNull();
        assertThat(request.getView()).hasSize(300);
        assertThat(request.getConsumerGroup()).hasSize(300);
        assertThat(request.getReason().length()).isLessThan(1_200);
        AuditEvent decision = events.get(1);
        assertThat(decision.getResourceName()).hasSize(300).startsWith("r-xxx");
        assertThat(decision.getReason()).hasSize(500);
    }

    @Test
    void anErasureIsRecordedAsTheDomainsWithTheSubjectAndWhyAndAReasonWithControlCharactersOnlyAsRefused() {
        var erasures = driver.createInputTopic(MeshTopics.erasures("orders"), Serdes.String().serializer(), Serdes.String().serializer());
        erasures.pipeInput("c-1", "the customer asked (ticket 42)");
        erasures.pipeInput("c-2", "forged\nrow");

        List<AuditEvent> events = audit.readValuesToList();
        assertThat(events).extracting(AuditEvent::getType, AuditEvent::getPrincipal, AuditEvent::getResourceName).containsExactly(
                tuple(AuditEventType.SUBJECT_ERASED, "User:orders", "orders/c-1"),
                tuple(AuditEventType.SUBJECT_ERASED, "User:orders", "orders/c-2"));
        assertThat(events.get(0).getReason()).isEqualTo("the customer asked (ticket 42)");
        assertThat(events.get(1).getReason()).isEqualTo("reason contains control character U+000A (newlines, escape sequences and "
                + "other control characters are not allowed)");
    }

    @Test
    void anErasureOfAnInvalidOrReservedSubjectIdIsRecordedAsRefusedWithWhyAndWithoutTheIdAsWritten() {
        var erasures = driver.createInputTopic(MeshTopics.erasures("orders"), Serdes.String().serializer(), Serdes.String().serializer());
        erasures.pipeInput("mesh.dead-letters|orders.order-placed.v1", "shred the dead letters");
        erasures.pipeInput("c-1\u001b[2J", "forged terminal");
        erasures.pipeInput("x".repeat(300), "too long");

        assertThat(audit.readValuesToList()).extracting(AuditEvent::getType, AuditEvent::getResourceName, AuditEvent::getDecision,
                AuditEvent::getReason).containsExactly(
                tuple(AuditEventType.SUBJECT_ERASED, "orders/(invalid subject id)", Decision.DENIED,
                        "the subject id starts with 'mesh.', which is reserved for the platform's own keys"),
                tuple(AuditEventType.SUBJECT_ERASED, "orders/(invalid subject id)", Decision.DENIED,
                        "the subject id contains control character U+001B (newlines, escape sequences and other control characters are not allowed)"),
                tuple(AuditEventType.SUBJECT_ERASED, "orders/(invalid subject id)", Decision.DENIED,
                        "the subject id is 300 characters long; a data subject id may be at most 256"));
    }

    private static ProductRegistration registration(String publishedBy) {
        return ProductRegistration.newBuilder().setAddress("orders.order-placed.v1").setDomain("orders").setName("order-placed")
                .setVersion("1.0.0").setOwner(Owner.newBuilder().setTeam("orders-team").setPrincipal("User:orders").setContact("o@example.com").build())
                .setDescription("Orders placed.").setClassification("confidential").setSchemaSubject("orders.order-placed.v1-value")
                .setSchemaVersion(1).setSchemaContentId(1L).setPiiFields(List.of()).setFreshnessMs(300_000L).setViews(List.of())
                .setPublishedBy(publishedBy).setPublishedAt(START).build();
    }

    private static AuthorizationEvent numbered(AuthorizationEvent event, String source, long sequence) {
        event.setSource(source);
        event.setSequence(sequence);
        return event;
    }

    private static AuthorizationEvent denied(String principal, String topic, long count) {
        return AuthorizationEvent.newBuilder()
                .setWindowStart(START)
                .setPrincipal(principal)
                .setClientAddress("127.0.0.1")
                .setClientId("kcat")
                .setOperation("READ")
                .setResourceType("TOPIC")
                .setResourceName(topic)
                .setDecision(Decision.DENIED)
                .setCount(count)
                .setBrokerId(1)
                .build();
    }

    private static ConsumerOffsets observed(long committed, long logStart) {
        return ConsumerOffsets.newBuilder()
                .setObservedAt(START)
                .setConsumerGroup("analytics")
                .setPrincipal("User:analytics")
                .setTopic("orders.order-placed.v1")
                .setPartition(0)
                .setCommittedOffset(committed)
                .setLogStartOffset(logStart)
                .build();
    }

    private static ConsumerOffsets counted(ConsumerOffsets observed, long from, long records) {
        return ConsumerOffsets.newBuilder(observed).setCountedFrom(from).setRecords(records).build();
    }

    private static Grant grant(GrantStatus status, String endedBy) {
        return Grant.newBuilder()
                .setGrantId("g-1")
                .setRequestId("g-1")
                .setPrincipal("User:analytics")
                .setProduct("orders.order-placed.v1")
                .setView("analytics")
                .setConsumerGroup("analytics")
                .setTopic("mesh.view.orders.order-placed.v1.analytics")
                .setPurpose("dashboards")
                .setStatus(status)
                .setApprovedBy("User:orders")
                .setGrantedAt(START)
                .setEndedAt(endedBy == null ? null : START.plusSeconds(60))
                .setEndedBy(endedBy)
                .build();
    }
}
