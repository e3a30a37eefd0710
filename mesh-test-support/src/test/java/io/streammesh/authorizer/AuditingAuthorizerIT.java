package io.streammesh.authorizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.KafkaCalls;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.embedded.MeshConfig;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.testing.AuditTopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@MeshTest
class AuditingAuthorizerIT {

    /**
     * Generous: under a loaded machine shipping takes longer than the usual second. How fast
     * refusals reach the audit trail is measured by the {@code audit} benchmark, not here.
     */
    private static final Duration SHIPPED = Duration.ofSeconds(60);

    @Test
    void aRefusedReadReachesTheRawAuditTopic(EmbeddedMesh mesh) {
        mesh.onboarding().ensurePrincipal("raw-snoop", PrincipalKind.TEAM);
        createTopic(mesh, "raw-audit.secret.v1");
        var topic = new TopicPartition("raw-audit.secret.v1", 0);

        try (var consumer = new KafkaConsumer<>(mesh.clientConfig("raw-snoop").kafka(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(topic));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(TopicAuthorizationException.class);
        }

        var raw = AuditTopicReader.raw(mesh);
        List<AuthorizationEvent> refused = raw.awaitEvents(SHIPPED,
                e -> e.getPrincipal().equals("User:raw-snoop") && e.getResourceName().equals(topic.topic()));
        assertThat(refused).allSatisfy(e -> {
            assertThat(e.getDecision()).isEqualTo(Decision.DENIED);
            assertThat(e.getResourceType()).isEqualTo("TOPIC");
            assertThat(e.getProbe()).isFalse();
            assertThat(e.getClientAddress()).isEqualTo("127.0.0.1");
            // numbered, so that a re-sent event can be told from a new one
            assertThat(e.getSource()).startsWith("mesh-audit-authorizer-broker-");
            assertThat(e.getSequence()).isPositive();
        });
    }

    @Test
    void aThousandRefusalsAreCountedExactly(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("raw-vandal", PrincipalKind.TEAM);
        try (Admin vandal = Admin.create(mesh.clientConfig("raw-vandal").kafka())) {
            for (int i = 0; i < 1000; i++) {
                var deletion = vandal.deleteTopics(List.of("raw-audit.not-yours.v1")).all();
                assertThatThrownBy(deletion::get).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }

        var raw = AuditTopicReader.raw(mesh);
        Predicate<AuthorizationEvent> deletions = e -> e.getPrincipal().equals("User:raw-vandal")
                && e.getOperation().equals("DELETE") && e.getResourceName().equals("raw-audit.not-yours.v1");
        await().atMost(SHIPPED).untilAsserted(() -> assertThat(raw.sumOfCounts(deletions)).isEqualTo(1000));
        assertThat(raw.events(deletions)).allSatisfy(e -> assertThat(e.getDecision()).isEqualTo(Decision.DENIED));
    }

    @Test
    void theChecksAnIdempotentProducerPassesByFallingBackAreProbesNotRefusals(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("raw-writer", PrincipalKind.TEAM);
        createTopic(mesh, "raw-audit.writable.v1");
        allow(mesh, "User:raw-writer", "raw-audit.writable.v1", AclOperation.WRITE);

        var config = mesh.clientConfig("raw-writer").kafka();
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("raw-audit.writable.v1", "k", "v")).get();
        }

        var raw = AuditTopicReader.raw(mesh);
        raw.awaitEvents(SHIPPED, e -> e.getPrincipal().equals("User:raw-writer") && e.getOperation().equals("WRITE")
                && e.getDecision() == Decision.ALLOWED);
        assertThat(raw.events(e -> e.getPrincipal().equals("User:raw-writer") && e.getDecision() == Decision.DENIED))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.getProbe()).as("%s on %s", e.getOperation(), e.getResourceName()).isTrue());
    }

    @Test
    void askingWhichOperationsAClientMayPerformIsNoAccessButTheDescribeThatAsksIs(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("raw-asker", PrincipalKind.TEAM);
        createTopic(mesh, "raw-audit.asked.v1");
        allow(mesh, "User:raw-asker", "raw-audit.asked.v1", AclOperation.READ);

        try (Admin asker = Admin.create(mesh.clientConfig("raw-asker").kafka())) {
            var described = asker.describeTopics(List.of("raw-audit.asked.v1"), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .allTopicNames().get().get("raw-audit.asked.v1");
            assertThat(described.authorizedOperations()).contains(AclOperation.READ, AclOperation.DESCRIBE);
        }

        var raw = AuditTopicReader.raw(mesh);
        Predicate<AuthorizationEvent> asked = e -> e.getPrincipal().equals("User:raw-asker") && e.getResourceName().equals("raw-audit.asked.v1");
        raw.awaitEvents(SHIPPED, asked.and(e -> e.getOperation().equals("DESCRIBE") && e.getDecision() == Decision.ALLOWED));
        // the READ it may perform was only answered, not done; the operations it may not perform are probes
        assertThat(raw.events(asked.and(e -> e.getDecision() == Decision.ALLOWED))).extracting(AuthorizationEvent::getOperation)
                .containsOnly("DESCRIBE");
        assertThat(raw.events(asked.and(e -> e.getDecision() == Decision.DENIED))).isNotEmpty().allSatisfy(e -> assertThat(e.getProbe()).isTrue());
    }

    @Test
    void refusalsCountedJustBeforeTheBrokerStopsAreShippedAfterItRestarts(@TempDir Path dir) throws Exception {
        Predicate<AuthorizationEvent> deletions = e -> e.getPrincipal().equals("User:restarter")
                && e.getOperation().equals("DELETE") && e.getResourceName().equals("raw-audit.kept.v1");
        try (EmbeddedMesh mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(dir))) {
            mesh.onboarding().ensurePrincipal("restarter", PrincipalKind.TEAM);
            try (Admin restarter = Admin.create(mesh.clientConfig("restarter").kafka())) {
                for (int i = 0; i < 50; i++) {
                    assertThatThrownBy(() -> restarter.deleteTopics(List.of("raw-audit.kept.v1")).all().get())
                            .hasCauseInstanceOf(TopicAuthorizationException.class);
                }
            }
        }
        try (EmbeddedMesh mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(dir))) {
            var raw = AuditTopicReader.raw(mesh);
            await().atMost(SHIPPED).untilAsserted(() -> assertThat(raw.sumOfCounts(deletions)).isEqualTo(50));
        }
    }

    private static void createTopic(EmbeddedMesh mesh, String topic) {
        KafkaCalls.createMissing(mesh.admin(), List.of(new NewTopic(topic, 1, (short) 1)));
    }

    private static void allow(EmbeddedMesh mesh, String principal, String topic, AclOperation operation) throws Exception {
        mesh.admin().createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)))).all().get();
    }
}
