package io.streammesh.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KekSourceTest {

    private static final byte[] DATA = "ann@example.com".getBytes(UTF_8);
    private static final byte[] BOUND = "orders.order-placed.v1|customerEmail|c-1".getBytes(UTF_8);
    private static final MeshClientConfig GATE = MeshClientConfig.of("127.0.0.1:9092", "mesh-gate",
            URI.create("http://127.0.0.1:8081/apis/registry/v2"), "secret");

    @TempDir
    Path dir;
    private final SubjectKeysTest.MemoryKeyLog log = new SubjectKeysTest.MemoryKeyLog();

    @Test
    void withoutKmsSettingsTheKeksAreTheLocalKeysetsInTheStateDirectory() throws Exception {
        var keks = KekSource.of(GATE, dir.resolve("keks"), List.of());

        Aead dataKey = keys(keks).dataKey("orders", "c-1");

        assertThat(keks.local()).isPresent();
        assertThat(keks.uri("orders")).isEqualTo("mesh-local://orders");
        assertThat(keks.version("orders")).isEqualTo(keks.local().orElseThrow().version("orders"));
        assertThat(dir.resolve("keks/orders.kek.json")).exists();
        assertThat(dataKey.decrypt(dataKey.encrypt(DATA, BOUND), BOUND)).isEqualTo(DATA);
    }

    @Test
    void aKmsNamedInTheClientConfigWrapsEachDomainsDataKeysWithItsOwnKek() throws Exception {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = KekSource.of(GATE.with(KekSource.KEK_URI, "cloud-kms://eu/keys/mesh-{domain}")
                .with(KekSource.KEK_URI + ".payments", "cloud-kms://us/keys/payments")
                .with(KekSource.CREDENTIALS, "/etc/mesh/kms.json"), dir.resolve("keks"), List.of(new OtherKms(), cloud));
        var keys = keys(keks);

        Aead orders = keys.dataKey("orders", "c-1");
        keys.dataKey("payments", "c-1");

        assertThat(keks.local()).isEmpty();
        assertThat(keks.kms()).isSameAs(cloud);
        assertThat(cloud.credentials).isEqualTo("/etc/mesh/kms.json");
        assertThat(cloud.asked).containsOnly("cloud-kms://eu/keys/mesh-orders", "cloud-kms://us/keys/payments");
        assertThat(keks.uri(SubjectKeys.PLATFORM)).isEqualTo("cloud-kms://eu/keys/mesh-mesh");
        assertThat(keks.version("orders")).isZero();
        assertThat(dir.resolve("keks")).doesNotExist();
        assertThat(keys(keks).existing("orders", "c-1").orElseThrow().decrypt(orders.encrypt(DATA, BOUND), BOUND)).isEqualTo(DATA);
    }

    @Test
    void aKmsTheClassPathHasNoClientForIsRefusedWithWhatToAdd() {
        assertThatThrownBy(() -> KekSource.of(GATE.with(KekSource.KEK_URI, "aws-kms://arn:aws:kms:eu-west-1:1:alias/mesh-{domain}"),
                dir, List.of(new OtherKms())))
                .isInstanceOf(MeshException.class)
                .hasMessage("no KMS client on the class path supports aws-kms:// (mesh.kms.kek.uri): add one to the apps' class path, "
                        + "such as Tink's tink-awskms (aws-kms://) or tink-gcpkms (gcp-kms://)");
    }

    @Test
    void kmsSettingsThatCannotNameEachDomainsKekAreRefused() {
        assertThatThrownBy(() -> KekSource.of(GATE.with(KekSource.KEK_URI, "cloud-kms://eu/keys/one-for-all"), dir, List.of()))
                .hasMessage("mesh.kms.kek.uri must contain {domain}, so that each domain has a KEK of its own: cloud-kms://eu/keys/one-for-all");
        assertThatThrownBy(() -> KekSource.of(GATE.with(KekSource.CREDENTIALS, "/etc/mesh/kms.json"), dir, List.of()))
                .hasMessage("the client config has KMS settings but no mesh.kms.kek.uri (a KEK URI with {domain} for the domain)");
        assertThatThrownBy(() -> KekSource.of(GATE.with(KekSource.KEK_URI, "mesh-local://{domain}"), dir, List.of()))
                .hasMessage("mesh.kms.kek.uri names the local keysets (mesh-local://), the default: remove it to use them");
    }

    @Test
    void theKmsSettingsAreNeverGivenToKafkaClients() {
        var config = GATE.with(KekSource.KEK_URI, "cloud-kms://eu/keys/mesh-{domain}").with("client.id", "gate");

        assertThat(config.kafka()).containsEntry("client.id", "gate").doesNotContainKey(KekSource.KEK_URI);
    }

    /** @return a holder of the keys on this test's one key log */
    private SubjectKeys keys(KekSource keks) {
        return new SubjectKeys(log.reader(), keks.kms(), keks::uri, keks::version, () -> 1_000_000);
    }

    /** A cloud KMS stand-in: {@code cloud-kms://<region>/keys/<name>} is a local keyset per name. */
    private static final class CloudKms implements KmsClient {
        final List<String> asked = new CopyOnWriteArrayList<>();
        private final LocalKms keysets;
        String credentials;

        CloudKms(Path dir) {
            keysets = new LocalKms(dir);
        }

        @Override
        public boolean doesSupport(String keyUri) {
            return keyUri.startsWith("cloud-kms://");
        }

        @Override
        public KmsClient withCredentials(String credentialPath) {
            credentials = credentialPath;
            return this;
        }

        @Override
        public KmsClient withDefaultCredentials() {
            return this;
        }

        @Override
        public Aead getAead(String keyUri) throws GeneralSecurityException {
            asked.add(keyUri);
            return keysets.getAead(LocalKms.uri(keyUri.substring(keyUri.lastIndexOf('/') + 1)));
        }
    }

    /** A KMS client for another scheme, on the class path beside the one a config names. */
    private static final class OtherKms implements KmsClient {
        @Override
        public boolean doesSupport(String keyUri) {
            return keyUri.startsWith("other-kms://");
        }

        @Override
        public KmsClient withCredentials(String credentialPath) {
            throw new AssertionError("not the configured KMS");
        }

        @Override
        public KmsClient withDefaultCredentials() {
            throw new AssertionError("not the configured KMS");
        }

        @Override
        public Aead getAead(String keyUri) {
            throw new AssertionError("not the configured KMS");
        }
    }
}
