package io.streammesh.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.AppProcess;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuditEventType;
import io.streammesh.schema.Decision;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.AuditTopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The audit app on the real mesh; the forgery test runs last, since it breaks a chain for good. */
@MeshTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditAppIT {

    /** Generous for a loaded machine: how fast an access reaches the trail is the audit benchmark's to measure (p99 < 3 s). */
    private static final Duration AUDITED = Duration.ofSeconds(60);
    private static final int CRASH_REFUSALS = 1000;

    @TempDir
    static Path stateDir;
    private static AuditApp app;

    @BeforeAll
    static void startAudit(EmbeddedMesh mesh) {
        // Onboarded first: a new principal's request topic matches the audit's pattern source, and
        // the rebalance that follows (within metadata.max.age) is not what the first test times.
        mesh.onboarding().ensurePrincipal("audit-snoop", PrincipalKind.TEAM);
        app = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), stateDir.resolve("audit")));
    }

    @AfterAll
    static void stopAudit() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    @Order(1)
    void aRefusedReadIsInTheAudit(EmbeddedMesh mesh) {
        createTopic(mesh, "audit-it.secret.v1");
        try (var consumer = new KafkaConsumer<>(mesh.clientConfig("audit-snoop").kafka(),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition("audit-it.secret.v1", 0)));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(TopicAuthorizationException.class);
        }
        List<AuditEvent> events = AuditTopicReader.audit(mesh).awaitEvents(AUDITED,
                e -> e.getPrincipal().equals("User:audit-snoop") && e.getResourceName().equals("audit-it.secret.v1"));

        assertThat(events).allSatisfy(e -> {
            assertThat(e.getType()).isEqualTo(AuditEventType.AUTHORIZATION);
            assertThat(e.getDecision()).isEqualTo(Decision.DENIED);
            assertThat(e.getResourceType()).isEqualTo("TOPIC");
            assertThat(e.getProduct()).isEqualTo("audit-it.secret.v1");
            assertThat(e.getClientAddress()).isEqualTo("127.0.0.1");
        });
    }

    @Test
    @Order(2)
    void aThousandRefusalsAddUpToExactlyAThousandInTheAudit(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("audit-vandal", PrincipalKind.TEAM);
        try (Admin vandal = Admin.create(mesh.clientConfig("audit-vandal").kafka())) {
            for (int i = 0; i < 1000; i++) {
                assertThatThrownBy(() -> vandal.deleteTopics(List.of("audit-it.not-yours.v1")).all().get())
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }

        Predicate<AuditEvent> deletions = e -> e.getPrincipal().equals("User:audit-vandal")
                && "DELETE".equals(e.getOperation()) && "audit-it.not-yours.v1".equals(e.getResourceName());
        var audit = AuditTopicReader.audit(mesh);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(audit.sumOfCounts(deletions)).isEqualTo(1000));
        assertThat(audit.events(deletions)).allSatisfy(e -> assertThat(e.getDecision()).isEqualTo(Decision.DENIED));
    }

    /**
     * One metadata request may name tens of thousands of topics, each a refusal of its own: a
     * principal asking for ever new names filled the authorizer's room, and every other
     * principal's decisions of that second were dropped, reported only as a number.
     */
    @Test
    @Order(2)
    void aPrincipalNamingTensOfThousandsOfTopicsIsCountedInFullUnderOneFoldedNameAndCrowdsNoOneOut(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("audit-flooder", PrincipalKind.TEAM);
        Set<String> names = IntStream.range(0, 20_000).mapToObj(i -> "audit-it.flood-" + i + ".v1").collect(Collectors.toSet());
        try (Admin flooder = Admin.create(mesh.clientConfig("audit-flooder").kafka())) {
            assertThatThrownBy(() -> flooder.describeTopics(names).allTopicNames().get()).isInstanceOf(ExecutionException.class);
        }

        Predicate<AuditEvent> refusals = e -> e.getPrincipal().equals("User:audit-flooder") && "DESCRIBE".equals(e.getOperation())
                && e.getDecision() == Decision.DENIED && (names.contains(e.getResourceName()) || folded(e));
        var audit = AuditTopicReader.audit(mesh);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(audit.sumOfCounts(refusals)).isGreaterThanOrEqualTo(20_000));
        List<AuditEvent> events = audit.events(refusals);
        assertThat(events).anySatisfy(e -> assertThat(folded(e)).isTrue());
        // The share bounds the keys held at once, and a second's keys are held until it is shipped: on a busy broker the
        // request's 20,000 decisions may span several seconds, each with its own share.
        assertThat(events.stream().filter(e -> !folded(e)).collect(Collectors.groupingBy(AuditEvent::getEventTime, Collectors.counting())))
                .as("a twentieth of the authorizer's 100,000 keys at most, in any second").allSatisfy((second, keys) ->
                        assertThat(keys).as(second.toString()).isLessThanOrEqualTo(5_000L));
        assertThat(audit.events(e -> e.getType() == AuditEventType.AUDIT_GAP)).as("nothing dropped").isEmpty();
    }

    private static boolean folded(AuditEvent event) {
        return event.getResourceName().startsWith("(more resources than a principal's share");
    }

    @Test
    @Order(3)
    void anApprovedReadIsInTheAuditWithItsCountsAndTheRangeTheGroupRead(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("audit-reader", PrincipalKind.TEAM);
        // A domain's products are what the ledger watches (the audit may describe them).
        mesh.onboarding().addDomain("audit-it");
        createTopic(mesh, "audit-it.readable.v1");
        mesh.admin().createAcls(List.of(
                allow("User:audit-reader", ResourceType.TOPIC, "audit-it.readable.v1", AclOperation.READ),
                allow("User:audit-reader", ResourceType.TOPIC, "audit-it.readable.v1", AclOperation.DESCRIBE),
                allow("User:audit-reader", ResourceType.GROUP, "audit-readers", AclOperation.READ))).all().get();
        try (var producer = new KafkaProducer<>(mesh.clientConfig("mesh-admin").kafka(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("audit-it.readable.v1", "k" + i, "v" + i));
            }
        }

        var config = mesh.clientConfig("audit-reader").kafka();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-readers");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("audit-it.readable.v1"));
            int[] read = {0};
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                read[0] += consumer.poll(Duration.ofMillis(200)).count();
                return read[0] >= 30;
            });
            consumer.commitSync();
        }

        var audit = AuditTopicReader.audit(mesh);
        List<AuditEvent> ranges = audit.awaitEvents(AUDITED,
                e -> e.getType() == AuditEventType.CONSUMPTION && "audit-readers".equals(e.getConsumerGroup()));
        assertThat(ranges).singleElement().satisfies(range -> {
            assertThat(range.getPrincipal()).isEqualTo("User:audit-reader");
            assertThat(range.getResourceName()).isEqualTo("audit-it.readable.v1");
            assertThat(range.getPartition()).isZero();
            assertThat(range.getFromOffset()).isZero();
            assertThat(range.getToOffset()).isEqualTo(30L);
            assertThat(range.getCount()).isEqualTo(30L);
        });
        // Allowed checks are counted per second and shipped after them: they may arrive after the range.
        assertThat(audit.awaitEvents(AUDITED, e -> e.getType() == AuditEventType.AUTHORIZATION
                && e.getPrincipal().equals("User:audit-reader") && "READ".equals(e.getOperation())
                && "audit-it.readable.v1".equals(e.getResourceName())))
                .allSatisfy(e -> {
                    assertThat(e.getDecision()).isEqualTo(Decision.ALLOWED);
                    assertThat(e.getCount()).isPositive();
                });
    }

    /**
     * A member of a group may commit any offset, past the log's end too: the ledger counted the
     * records up to it, waited for records never written until its count timed out, and ended its
     * round there, every round, so that the groups after it in the round were never audited.
     */
    @Test
    @Order(3)
    void aGroupCommittingAnOffsetPastTheLogsEndIsAuditedUpToTheEndAndHoldsUpNoOtherGroup(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("audit-it");
        createTopic(mesh, "audit-it.lied-about.v1");
        for (String team : List.of("audit-liar", "audit-honest")) {
            mesh.onboarding().ensurePrincipal(team, PrincipalKind.TEAM);
            mesh.admin().createAcls(List.of(
                    allow("User:" + team, ResourceType.TOPIC, "audit-it.lied-about.v1", AclOperation.READ),
                    allow("User:" + team, ResourceType.TOPIC, "audit-it.lied-about.v1", AclOperation.DESCRIBE),
                    allow("User:" + team, ResourceType.GROUP, team, AclOperation.READ))).all().get();
        }
        try (var producer = new KafkaProducer<>(mesh.clientConfig("mesh-admin").kafka(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("audit-it.lied-about.v1", "k" + i, "v" + i));
            }
        }
        var partition = new TopicPartition("audit-it.lied-about.v1", 0);
        var liar = mesh.clientConfig("audit-liar").kafka();
        liar.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-liar");
        try (var consumer = new KafkaConsumer<>(liar, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(1_000_000_000_000L)));
        }

        var honest = mesh.clientConfig("audit-honest").kafka();
        honest.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-honest");
        honest.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        honest.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (var consumer = new KafkaConsumer<>(honest, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("audit-it.lied-about.v1"));
            int[] read = {0};
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                read[0] += consumer.poll(Duration.ofMillis(200)).count();
                return read[0] >= 10;
            });
            consumer.commitSync();
        }

        var audit = AuditTopicReader.audit(mesh);
        assertThat(audit.awaitEvents(AUDITED, e -> e.getType() == AuditEventType.CONSUMPTION && "audit-honest".equals(e.getConsumerGroup())))
                .singleElement().satisfies(range -> assertThat(range.getCount()).isEqualTo(10L));
        assertThat(audit.awaitEvents(AUDITED, e -> e.getType() == AuditEventType.CONSUMPTION && "audit-liar".equals(e.getConsumerGroup())))
                .singleElement().satisfies(range -> {
                    assertThat(range.getToOffset()).as("the log's end, not the offset committed").isEqualTo(10L);
                    assertThat(range.getCount()).isEqualTo(10L);
                });
    }

    @Test
    @Order(3)
    void aGroupThatReadNRecordsOfATransactionalTopicIsAuditedAsReadingNNotItsOffsets(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("audit-tx-reader", PrincipalKind.TEAM);
        mesh.onboarding().addDomain("audit-it");
        createTopic(mesh, "audit-it.transactional.v1");
        mesh.admin().createAcls(List.of(
                allow("User:audit-tx-reader", ResourceType.TOPIC, "audit-it.transactional.v1", AclOperation.READ),
                allow("User:audit-tx-reader", ResourceType.TOPIC, "audit-it.transactional.v1", AclOperation.DESCRIBE),
                allow("User:audit-tx-reader", ResourceType.GROUP, "audit-tx-readers", AclOperation.READ))).all().get();
        var producerConfig = mesh.clientConfig("mesh-admin").kafka();
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "audit-it-transactions");
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            // 4 committed transactions of 5 records and one aborted: 20 records among 30 offsets.
            for (int t = 0; t < 5; t++) {
                producer.beginTransaction();
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("audit-it.transactional.v1", "k" + i, "t" + t + "-" + i));
                }
                if (t == 2) {
                    // Sent before the abort, so the aborted records take offsets too.
                    producer.flush();
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
        }

        var config = mesh.clientConfig("audit-tx-reader").kafka();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-tx-readers");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int[] read = {0};
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("audit-it.transactional.v1"));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                read[0] += consumer.poll(Duration.ofMillis(200)).count();
                return read[0] >= 20;
            });
            consumer.commitSync();
        }
        assertThat(read[0]).isEqualTo(20);

        List<AuditEvent> ranges = AuditTopicReader.audit(mesh).awaitEvents(Duration.ofSeconds(20),
                e -> e.getType() == AuditEventType.CONSUMPTION && "audit-tx-readers".equals(e.getConsumerGroup()));
        assertThat(ranges).singleElement().satisfies(range -> {
            assertThat(range.getCount()).isEqualTo(20L);
            assertThat(range.getFromOffset()).isZero();
            // The aborted records and the markers took offsets too: 20 records, 29 or 30 offsets.
            assertThat(range.getToOffset()).isGreaterThanOrEqualTo(29L);
        });
    }

    @Test
    @Order(3)
    void aRequestIsAuditedOnItsTopicsPrincipalAndARecordOfAnotherTypeThereStallsNothing(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("audit-asker", PrincipalKind.TEAM);
        var asker = mesh.clientConfig("audit-asker");
        String topic = MeshTopics.accessRequests("audit-asker");
        // A decision's bytes (the registry lets only the platform register another domain's decision schema).
        byte[] decision = MeshSerdes.<AccessDecision>valueSerializer(mesh.clientConfig("mesh-admin"), true).serialize(MeshTopics.decisions("audit-elsewhere"),
                AccessDecision.newBuilder().setRequestId("r-audit").setDecision(DecisionKind.APPROVED).setDecidedBy("User:audit-asker")
                        .setDecidedAt(Instant.now()).build());
        byte[] request = MeshSerdes.<AccessRequest>valueSerializer(asker, true).serialize(topic, AccessRequest.newBuilder()
                .setRequestId("r-audit").setPrincipal("User:audit-asker").setProduct("audit-it.secret.v1").setView("full")
                .setConsumerGroup("audit-asker").setPurpose("audited").setRequestedBy("User:mesh-admin").setRequestedAt(Instant.now()).build());
        try (var producer = new KafkaProducer<>(asker.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "r-audit", decision)).get();
            producer.send(new ProducerRecord<>(topic, "r-audit", request)).get();
        }

        List<AuditEvent> events = AuditTopicReader.audit(mesh).awaitEvents(Duration.ofSeconds(30),
                e -> e.getType() == AuditEventType.ACCESS_REQUEST && e.getReason().startsWith("request r-audit "));

        assertThat(events).singleElement().satisfies(e -> assertThat(e.getPrincipal()).isEqualTo("User:audit-asker"));
    }

    @Test
    @Order(4)
    @Timeout(240)
    void anAppKilledMidStreamAndRestartedNeitherLosesNorRepeatsAnEventAndKeepsTheChain(EmbeddedMesh mesh) throws Exception {
        app.close();
        app = null;
        mesh.onboarding().ensurePrincipal("audit-crasher", PrincipalKind.TEAM);
        Path config = mesh.state().clients().resolve("mesh-audit.properties");
        Process first = startApart(config);
        Predicate<AuditEvent> crashes = e -> e.getPrincipal().equals("User:audit-crasher") && "DELETE".equals(e.getOperation())
                && e.getResourceName().startsWith("audit-crash.t-");
        var audit = AuditTopicReader.audit(mesh);
        long atKill;
        try (Admin crasher = Admin.create(mesh.clientConfig("audit-crasher").kafka())) {
            // half before the kill and half after: the kill falls between them, maybe while the app still seals the first half
            refuse(crasher, 0, CRASH_REFUSALS / 2);
            atKill = await().atMost(Duration.ofSeconds(60)).until(() -> audit.sumOfCounts(crashes), seen -> seen >= 50);
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            refuse(crasher, CRASH_REFUSALS / 2, CRASH_REFUSALS);
        }
        System.out.printf("audit-sink killed with %d of %d refusals sealed%n", atKill, CRASH_REFUSALS);

        Process second = startApart(config);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> audit.sumOfCounts(crashes) >= CRASH_REFUSALS);
            Map<String, Long> perTopic = audit.events(crashes).stream()
                    .collect(Collectors.groupingBy(AuditEvent::getResourceName, Collectors.summingLong(AuditEvent::getCount)));
            assertThat(perTopic).as("every refusal").hasSize(CRASH_REFUSALS);
            assertThat(perTopic.values()).as("each exactly once").containsOnly(1L);
            AuditVerifier.Result intact = AuditVerifier.verify(mesh.clientConfig("mesh-admin"));
            assertThat(intact.intact()).as("%s", intact.firstBreak()).isTrue();
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
            app = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), stateDir.resolve("audit")));
        }
    }

    @Test
    @Order(5)
    void aForgedEventBreaksTheChainWhereItWasWritten(EmbeddedMesh mesh) throws Exception {
        AuditVerifier.Result intact = AuditVerifier.verify(mesh.clientConfig("mesh-admin"));
        assertThat(intact.intact()).as("%s", intact.firstBreak()).isTrue();
        assertThat(intact.total()).isPositive();

        var admin = mesh.clientConfig("mesh-admin");
        var forged = AuditEvent.newBuilder()
                .setEventTime(Instant.now()).setType(AuditEventType.OTHER).setPrincipal("User:nobody")
                .setPrevHash(AuditChain.GENESIS).setHash("f".repeat(64)).build();
        long offset;
        int partition;
        try (var producer = new KafkaProducer<>(admin.kafka(), new StringSerializer(),
                MeshSerdes.<AuditEvent>valueSerializer(admin, true))) {
            var written = producer.send(new ProducerRecord<>(MeshTopics.AUDIT, "User:nobody", forged)).get();
            offset = written.offset();
            partition = written.partition();
        }

        AuditVerifier.Result broken = AuditVerifier.verify(admin);
        assertThat(broken.intact()).isFalse();
        assertThat(broken.firstBreak()).hasValueSatisfying(at -> {
            assertThat(at.partition()).isEqualTo(partition);
            assertThat(at.offset()).isEqualTo(offset);
        });
    }

    private static Process startApart(Path config) throws Exception {
        return AppProcess.start(AuditAppMain.class, Files.createTempFile(stateDir, "audit-", ".log"), "AUDIT RUNNING",
                config.toString(), stateDir.resolve("apart").toString());
    }

    private static void createTopic(EmbeddedMesh mesh, String topic) {
        KafkaCalls.createMissing(mesh.admin(), List.of(new NewTopic(topic, 1, (short) 1)));
    }

    private static AclBinding allow(String principal, ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    /** Asks, as a team without the right, to delete topics {@code from} to {@code to}: each refusal is an access the audit must hold exactly once. */
    private static void refuse(Admin crasher, int from, int to) throws InterruptedException {
        for (int i = from; i < to; i++) {
            try {
                crasher.deleteTopics(List.of("audit-crash.t-" + i + ".v1")).all().get();
            } catch (ExecutionException refusedAsExpected) {
                // the refusal is what is audited
            }
        }
    }
}
