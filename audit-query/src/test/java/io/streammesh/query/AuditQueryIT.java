package io.streammesh.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.client.RecordProducers;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@MeshTest
class AuditQueryIT {

    @TempDir
    static Path stateDir;
    private static AuditApp audit;

    @BeforeAll
    static void startAudit(EmbeddedMesh mesh) {
        audit = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), stateDir));
    }

    @AfterAll
    static void stopAudit() {
        if (audit != null) {
            audit.close();
        }
    }

    @Test
    void anAggregateOverRefusalsTheTestCausedCountsEachOne(EmbeddedMesh mesh) {
        refuse(mesh, "query-vandal", 25);

        String sql = "SELECT principal, SUM(event_count) AS refusals FROM audit "
                + "WHERE decision = 'DENIED' AND operation = 'DELETE' AND resource_name = 'query-it.not-yours.v1' "
                + "AND principal = 'User:query-vandal' GROUP BY principal";
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(query(mesh, sql, AuditQuery.Scan.everything())).containsExactly(List.of("User:query-vandal", 25L)));
    }

    @Test
    void oneStatementTellsWhoProducedIntoAProductThroughItsIngestTopicAndHowManyTimes(EmbeddedMesh mesh) throws Exception {
        String ingest = "query-it.produced.v1.ingest";
        mesh.onboarding().ensurePrincipal("query-producer", PrincipalKind.TEAM);
        mesh.admin().createTopics(List.of(new NewTopic(ingest, 1, (short) 1))).all().get();
        mesh.admin().createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, ingest, PatternType.LITERAL),
                new AccessControlEntry("User:query-producer", "*", AclOperation.WRITE, AclPermissionType.ALLOW)))).all().get();
        Properties producerConfig = mesh.clientConfig("query-producer").kafka();
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                // one request each: the audit counts produce requests (WRITE checks), not records
                producer.send(new ProducerRecord<>(ingest, "o-" + i, "{\"orderId\": \"o-" + i + "\"}")).get();
            }
        }

        String sql = "SELECT principal, SUM(event_count) AS produce_requests FROM audit "
                + "WHERE event_type = 'AUTHORIZATION' AND operation = 'WRITE' AND decision = 'ALLOWED' "
                + "AND resource_name = 'query-it.produced.v1.ingest' GROUP BY principal";
        var lastHour = new AuditQuery.Scan(Instant.now().minus(Duration.ofHours(1)), null, false);
        // each run is a Flink job of several seconds: wait for the three writes to be in the trail, then look at the rows
        List<List<Object>> rows = await().atMost(Duration.ofSeconds(90)).until(() -> query(mesh, sql, lastHour),
                found -> found.stream().anyMatch(row -> row.get(0).equals("User:query-producer") && (long) row.get(1) >= 3));
        // The brokers authenticate to each other as mesh-admin, and once in a CI run one WRITE by
        // it on the topic was counted too (not reproduced since): the question is about clients.
        assertThat(rows).filteredOn(row -> !row.get(0).equals("User:mesh-admin")).containsExactly(List.of("User:query-producer", 3L));
    }

    @Test
    void aRevokedGrantIsNotActiveInGrantsNowThoughGrantsKeepsItsActiveRow(EmbeddedMesh mesh) throws Exception {
        Grant active = Grant.newBuilder()
                .setGrantId("g-query-revoked").setRequestId("g-query-revoked").setPrincipal("User:analytics")
                .setProduct("orders.order-placed.v1").setView("analytics").setConsumerGroup("analytics")
                .setTopic("mesh.view.orders.order-placed.v1.analytics").setPurpose("dashboards")
                .setStatus(GrantStatus.ACTIVE).setApprovedBy("User:orders").setGrantedAt(Instant.now()).build();
        Grant revoked = Grant.newBuilder(active).setStatus(GrantStatus.REVOKED)
                .setEndedAt(Instant.now()).setEndedBy("User:orders").build();
        try (KafkaProducer<String, Grant> producer = RecordProducers.create(mesh.clientConfig("mesh-admin"), "query-it-grants")) {
            producer.send(new ProducerRecord<>(MeshTopics.ACCESS_GRANTS, active.getGrantId(), active)).get();
            producer.send(new ProducerRecord<>(MeshTopics.ACCESS_GRANTS, revoked.getGrantId(), revoked)).get();
        }

        assertThat(query(mesh, "SELECT status FROM grants WHERE grant_id = 'g-query-revoked'", AuditQuery.Scan.everything()))
                .containsExactly(List.of("ACTIVE"), List.of("REVOKED"));
        assertThat(query(mesh, "SELECT grant_id, status FROM grants_now WHERE grant_id = 'g-query-revoked'", AuditQuery.Scan.everything()))
                .containsExactly(List.of("g-query-revoked", "REVOKED"));
        assertThat(query(mesh, "SELECT grant_id FROM grants_now WHERE status = 'ACTIVE' AND grant_id = 'g-query-revoked'",
                AuditQuery.Scan.everything())).isEmpty();
    }

    @Test
    void catalogColumnsReachIntoTheRegistrationThroughANullableOwner(EmbeddedMesh mesh) throws Exception {
        DataProduct owned = catalogEntry("query-it.owned.v1", Owner.newBuilder().setTeam("team-owned").setPrincipal("User:query-it")
                .setContact("owned@example.com").build());
        DataProduct unowned = catalogEntry("query-it.unowned.v1", null);
        try (KafkaProducer<String, DataProduct> producer = RecordProducers.create(mesh.clientConfig("mesh-catalog"), "query-it-catalog")) {
            producer.send(new ProducerRecord<>(MeshTopics.CATALOG, owned.getAddress(), owned)).get();
            producer.send(new ProducerRecord<>(MeshTopics.CATALOG, unowned.getAddress(), unowned)).get();
        }

        assertThat(query(mesh, "SELECT address, version, owner_team, owner_principal, status FROM catalog WHERE address LIKE 'query-it.%' "
                + "ORDER BY address", AuditQuery.Scan.everything())).containsExactly(
                        Arrays.asList("query-it.owned.v1", "1.2.3", "team-owned", "User:query-it", "ACTIVE"),
                        Arrays.asList("query-it.unowned.v1", "1.2.3", null, null, "ACTIVE"));
    }

    private static DataProduct catalogEntry(String address, Owner owner) {
        var registration = ProductRegistration.newBuilder().setAddress(address).setDomain("query-it").setName(address.split("\\.")[1])
                .setVersion("1.2.3").setOwner(owner).setSchemaSubject(address + "-value").setPublishedAt(Instant.now()).build();
        return DataProduct.newBuilder().setAddress(address).setDomain("query-it").setRegistration(registration)
                .setStatus(ProductStatus.ACTIVE).setFirstPublishedAt(Instant.now()).setUpdatedAt(Instant.now()).build();
    }

    @Test
    void sinceReadsOnlyWhatWasWrittenAfterThatTime(EmbeddedMesh mesh) {
        String sql = "SELECT DISTINCT principal FROM audit WHERE principal IN ('User:query-early', 'User:query-late')";
        refuse(mesh, "query-early", 3);
        await().atMost(Duration.ofSeconds(60)).until(() -> !query(mesh, sql, AuditQuery.Scan.everything()).isEmpty());
        Instant between = Instant.now();
        refuse(mesh, "query-late", 4);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(query(mesh, sql, new AuditQuery.Scan(between, null, false))).containsExactly(List.of("User:query-late")));
        assertThat(query(mesh, sql, AuditQuery.Scan.everything())).hasSize(2);
    }

    @Test
    void aStatementNamingAnUnknownColumnIsRefusedWithTheEnginesReasonOnOneLine(EmbeddedMesh mesh) {
        assertThatThrownBy(() -> query(mesh, "SELECT no_such_column FROM audit", AuditQuery.Scan.everything()))
                .isInstanceOf(AuditQuery.QueryException.class)
                .hasMessageContaining("no_such_column")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> query(mesh, "SELEC principal FROM audit", AuditQuery.Scan.everything()))
                .isInstanceOf(AuditQuery.QueryException.class)
                .hasMessageStartingWith("SQL parse failed");
    }

    @Test
    void aCreateTableOverAnotherConnectorIsRefusedBeforeItRuns(EmbeddedMesh mesh) {
        Path written = stateDir.resolve("exfiltrated");
        assertThatThrownBy(() -> query(mesh, "CREATE TABLE loot (principal STRING) WITH ('connector' = 'filesystem', 'path' = '"
                + written.toUri() + "', 'format' = 'csv')", AuditQuery.Scan.everything()))
                .isInstanceOf(AuditQuery.QueryException.class)
                .hasMessage("mesh audit query runs one SELECT (or WITH … SELECT, a UNION of SELECTs) and nothing else; this is CREATE TABLE");
        assertThat(written).doesNotExist();
    }

    @Test
    void anInsertIsRefusedBeforeItRuns(EmbeddedMesh mesh) {
        assertThatThrownBy(() -> query(mesh, "INSERT INTO grants SELECT * FROM grants", AuditQuery.Scan.everything()))
                .isInstanceOf(AuditQuery.QueryException.class)
                .hasMessage("mesh audit query runs one SELECT (or WITH … SELECT, a UNION of SELECTs) and nothing else; this is INSERT INTO");
    }

    @Test
    void aSecondStatementAfterTheSelectIsRefusedAndNeitherRuns(EmbeddedMesh mesh) {
        assertThatThrownBy(() -> query(mesh, "SELECT principal FROM audit; SET 'table.dynamic-table-options.enabled' = 'true'",
                AuditQuery.Scan.everything()))
                .isInstanceOf(AuditQuery.QueryException.class)
                .hasMessage("mesh audit query runs one SELECT (or WITH … SELECT, a UNION of SELECTs) and nothing else; this holds several statements");
    }

    @Test
    void aHintThatPointsATableAtAnotherConnectorIsRefused(EmbeddedMesh mesh) {
        assertThatThrownBy(() -> query(mesh, "SELECT * FROM grants /*+ OPTIONS('connector' = 'filesystem', 'path' = '"
                + stateDir.resolve("hinted").toUri() + "', 'format' = 'csv') */", AuditQuery.Scan.everything()))
                .isInstanceOf(AuditQuery.QueryException.class)
                .hasMessageContaining("'OPTIONS' hint")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void withAndUnionQueriesStillRun(EmbeddedMesh mesh) {
        assertThat(query(mesh, "WITH denied AS (SELECT principal FROM audit WHERE principal = 'User:nobody-at-all') "
                + "SELECT principal FROM denied UNION ALL SELECT principal FROM grants WHERE principal = 'User:nobody-at-all'",
                AuditQuery.Scan.everything())).isEmpty();
    }

    @Test
    void aPrincipalTheBrokerDoesNotLetReadTheAuditTopicIsToldSoNotThatAFetchFailed(EmbeddedMesh mesh) {
        mesh.onboarding().ensurePrincipal("query-outsider", PrincipalKind.TEAM);
        var rows = new ArrayList<List<Object>>();

        assertThatThrownBy(() -> AuditQuery.run(mesh.clientConfig("query-outsider"), "SELECT principal FROM audit",
                AuditQuery.Scan.everything(), collect(rows)))
                .isInstanceOf(AuditQuery.QueryException.class)
                .hasMessage("not authorised to read the audit trail: the broker refused User:query-outsider (Topic authorization failed.)");
        assertThat(rows).isEmpty();
    }

    @Test
    void aFollowedQueryShowsARefusalThatHappensWhileItRuns(EmbeddedMesh mesh) throws Exception {
        var seen = new CompletableFuture<List<Object>>();
        var follower = new Thread(() -> {
            try {
                AuditQuery.run(mesh.clientConfig("mesh-admin"), "SELECT principal, resource_name FROM audit WHERE principal = 'User:query-followed' "
                        + "AND resource_type = 'TOPIC'",
                        new AuditQuery.Scan(Instant.now(), null, true), new AuditQuery.ResultSink() {
                            @Override
                            public void columns(List<String> names) {
                            }

                            @Override
                            public void row(RowKind kind, List<Object> values) {
                                seen.complete(values);
                                throw new IllegalStateException("seen: stop following");
                            }
                        });
            } catch (RuntimeException e) {
                if (!seen.isDone()) {
                    seen.completeExceptionally(e);
                }
            }
        }, "followed-query");
        follower.start();
        // The followed job takes a few seconds to start reading: refuse until it reports one.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            refuse(mesh, "query-followed", 1);
            return seen.isDone();
        });
        assertThat(seen.get()).containsExactly("User:query-followed", "query-it.not-yours.v1");
        follower.join(Duration.ofSeconds(30).toMillis());
        assertThat(follower.isAlive()).as("the followed query stops when its reader does").isFalse();
    }

    private static List<List<Object>> query(EmbeddedMesh mesh, String sql, AuditQuery.Scan scan) {
        var rows = new ArrayList<List<Object>>();
        AuditQuery.run(mesh.clientConfig("mesh-admin"), sql, scan, collect(rows));
        return rows;
    }

    private static AuditQuery.ResultSink collect(List<List<Object>> rows) {
        return new AuditQuery.ResultSink() {
            @Override
            public void columns(List<String> names) {
            }

            @Override
            public void row(RowKind kind, List<Object> values) {
                rows.add(values);
            }
        };
    }

    private static void refuse(EmbeddedMesh mesh, String principal, int times) {
        mesh.onboarding().ensurePrincipal(principal, PrincipalKind.TEAM);
        try (Admin admin = Admin.create(mesh.clientConfig(principal).kafka())) {
            for (int i = 0; i < times; i++) {
                assertThatThrownBy(() -> admin.deleteTopics(List.of("query-it.not-yours.v1")).all().get())
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }
    }
}
