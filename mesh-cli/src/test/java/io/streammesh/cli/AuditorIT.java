package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.client.KafkaCalls;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An auditor ({@code mesh principal add NAME --auditor}) on the real mesh: it reads the audit
 * trail with {@code mesh audit query|verify}, and the broker refuses it every product, view and
 * write, each refusal in the audit trail.
 */
@MeshTest
class AuditorIT {

    private static final String DOMAIN = "aud-shop";
    private static final String PRODUCT = DOMAIN + ".sales.v1";
    private static final String VIEW = MeshTopics.VIEW_PREFIX + PRODUCT + ".full";

    @TempDir
    Path dir;

    @Test
    void anAuditorReadsTheAuditTrailButTheBrokerRefusesItProductsViewsAndWritesAndAuditsEachRefusal(EmbeddedMesh mesh) {
        String state = mesh.state().root().toString();
        mesh.onboarding().addDomain(DOMAIN);
        KafkaCalls.createMissing(mesh.admin(), List.of(new NewTopic(PRODUCT, 1, (short) 1), new NewTopic(VIEW, 1, (short) 1)));
        CommandRun added = CommandRun.of("principal", "add", "aud-inspector", "--auditor", "--state-dir", state);
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(CommandRun.of("principal", "list", "--format", "csv", "--state-dir", state).out().lines())
                .anyMatch(line -> line.startsWith("User:aud-inspector,auditor,"));

        try (AuditApp audit = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), dir))) {
            for (String topic : List.of(PRODUCT, VIEW)) {
                try (var consumer = new KafkaConsumer<>(mesh.clientConfig("aud-inspector").kafka(), new StringDeserializer(), new StringDeserializer())) {
                    consumer.assign(List.of(new TopicPartition(topic, 0)));
                    assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).as(topic).isInstanceOf(TopicAuthorizationException.class);
                }
            }
            var producerConfig = mesh.clientConfig("aud-inspector").kafka();
            producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
            // Not idempotent: the refusal to see is the topic's, not the cluster's IDEMPOTENT_WRITE.
            producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
            try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                for (String topic : List.of(MeshTopics.decisions(DOMAIN), MeshTopics.registrations(DOMAIN))) {
                    assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "forged", "forged")).get()).as(topic)
                            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
                }
            }

            String refusals = "SELECT resource_name FROM audit WHERE principal = 'User:aud-inspector' AND decision = 'DENIED' "
                    + "AND resource_type = 'TOPIC' GROUP BY resource_name";
            CommandRun found = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> CommandRun.of("audit", "query", refusals, "--since", "10m", "--format", "csv",
                            "--as", "aud-inspector", "--state-dir", state), run -> run.out().lines().count() >= 5);
            assertThat(found.exitCode()).as("the auditor reads the trail itself: " + found.err()).isZero();
            assertThat(found.out().lines()).containsExactlyInAnyOrder("resource_name", PRODUCT, VIEW,
                    MeshTopics.decisions(DOMAIN), MeshTopics.registrations(DOMAIN));

            CommandRun verified = CommandRun.of("audit", "verify", "--as", "aud-inspector", "--state-dir", state);
            assertThat(verified.exitCode()).as(verified.err()).isZero();
            assertThat(verified.out()).startsWith("mesh.audit is intact");
        }
    }

    @Test
    void anAuditorCannotBeNamedMeshWhoseGroupsAreThePlatforms(EmbeddedMesh mesh) {
        CommandRun added = CommandRun.of("principal", "add", "mesh", "--auditor", "--state-dir", mesh.state().root().toString());

        assertThat(added.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(added.err()).contains("auditor name 'mesh' is reserved");
    }
}
