package io.streammesh.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.keys.KekSource;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.DirectoryKms;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mesh subject erase} and {@code mesh keys rotate} on the real mesh, the contract gate
 * running with the mesh's key directory: a domain erases its own subject (and no other domain's),
 * the platform rotates a domain's key-encryption key and what was encrypted stays readable.
 */
@MeshTest
class SubjectCommandsIT {

    private static final byte[] DATA = "ann@example.com".getBytes(UTF_8);
    private static final byte[] BOUND = "subj-shop.order-placed.v1|customerEmail|c-2".getBytes(UTF_8);

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void aDomainErasesItsSubjectAnotherDomainMayNotAndARotatedKekKeepsDataReadable(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("subj-shop");
        mesh.onboarding().addDomain("subj-other");
        String state = mesh.state().root().toString();
        var gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());

        try (var gate = GateApp.start(gateConfig, dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0, mesh.state().keks());
             var keys = SubjectKeys.local(gateConfig, mesh.state().keks())) {
            keys.dataKey("subj-shop", "c-1");
            byte[] ciphertext = keys.dataKey("subj-shop", "c-2").encrypt(DATA, BOUND);

            var erased = CommandRun.of("subject", "erase", "subj-shop", "c-1", "--reason", "the customer asked", "--as", "subj-shop",
                    "--state-dir", state);
            assertThat(erased.exitCode()).as(erased.err()).isZero();
            assertThat(erased.out()).isEqualTo("Erasure of subject c-1 of domain subj-shop written to mesh.erasures.subj-shop: "
                    + "the contract gate destroys its data key within seconds.\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> keys.existing("subj-shop", "c-1").isEmpty());

            var refused = CommandRun.of("subject", "erase", "subj-shop", "c-2", "--reason", "not mine", "--as", "subj-other", "--state-dir", state);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("not authorised to use topic(s) mesh.erasures.subj-shop");

            var forged = CommandRun.of("subject", "erase", "subj-shop", "c-2", "--reason", "a\nb", "--as", "subj-shop", "--state-dir", state);
            assertThat(forged.exitCode()).isEqualTo(2);
            assertThat(forged.err()).contains("--reason contains control character U+000A");

            var rotated = CommandRun.of("keys", "rotate", "--domain", "subj-shop", "--state-dir", state);
            assertThat(rotated.exitCode()).as(rotated.err()).isZero();
            assertThat(rotated.out()).matches("Key-encryption key of domain subj-shop is now version -?\\d+; 1 data key\\(s\\) wrapped again.\n");
            try (var reader = SubjectKeys.local(gateConfig, mesh.state().keks())) {
                assertThat(reader.existing("subj-shop", "c-2").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
                assertThat(reader.existing("subj-shop", "c-2")).isPresent();
            }
            assertThat(keys.existing("subj-shop", "c-2")).as("still another subject's key").isPresent();

            var platforms = CommandRun.of("keys", "rotate", "--domain", "mesh", "--state-dir", state);
            assertThat(platforms.exitCode()).as(platforms.err()).isZero();
            assertThat(platforms.out()).matches("The platform's key-encryption key is now version -?\\d+: a gate wraps its key for waiting "
                    + "records with it from its next start; the older versions stay to open what they wrapped.\n");

            // A KMS named in the client config keeps the KEK's versions: the command leaves the local keyset alone and says where to rotate.
            Path withKms = dir.resolve("admin-kms.properties");
            String kms = DirectoryKms.uriTemplate(dir.resolve("kms"));
            mesh.clientConfig(MeshPrincipal.ADMIN.name()).with(KekSource.KEK_URI, kms).store(withKms);
            int local = new LocalKms(mesh.state().keks()).version("subj-shop");
            var elsewhere = CommandRun.of("keys", "rotate", "--domain", "subj-shop", "--client-config", withKms.toString(), "--state-dir", state);
            assertThat(elsewhere.exitCode()).isEqualTo(1);
            assertThat(elsewhere.err()).isEqualTo("mesh: the key-encryption keys are in the KMS the client config of User:mesh-admin names "
                    + "(mesh.kms.kek.uri=" + kms + "): rotate the key of domain subj-shop there; its older versions keep unwrapping the data "
                    + "keys they wrapped\n");
            assertThat(new LocalKms(mesh.state().keks()).version("subj-shop")).isEqualTo(local);
        }
    }

    @Test
    @Timeout(240)
    void noDomainMayEraseThePlatformsOwnDeadLetterKeyNeitherThroughTheCommandNorWritingTheErasureTopic(EmbeddedMesh mesh)
            throws Exception {
        mesh.onboarding().addDomain("subj-guard");
        String state = mesh.state().root().toString();
        String reserved = "mesh.dead-letters|subj-guard.order-placed.v1";
        var gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        try (var gate = GateApp.start(gateConfig, dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0, mesh.state().keks());
             var keys = SubjectKeys.local(gateConfig, mesh.state().keks())) {
            keys.dataKey("subj-guard", reserved);

            var refused = CommandRun.of("subject", "erase", "subj-guard", reserved, "--reason", "shred the dead letters", "--as", "subj-guard",
                    "--state-dir", state);
            assertThat(refused.exitCode()).isEqualTo(2);
            assertThat(refused.err()).contains("the subject id starts with 'mesh.', which is reserved for the platform's own keys");

            var config = mesh.clientConfig("subj-guard").kafka();
            try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(MeshTopics.erasures("subj-guard"), reserved, "written past the command")).get();
            }
            String group = PlatformApp.GATE.applicationId() + ".erasures";
            await().atMost(Duration.ofSeconds(30)).until(() -> mesh.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .entrySet().stream().filter(e -> e.getKey().topic().equals(MeshTopics.erasures("subj-guard")))
                    .mapToLong(e -> e.getValue().offset()).sum() == 1);
            assertThat(keys.existing("subj-guard", reserved)).as("the erasure was read and erased nothing").isPresent();
        }
    }
}
