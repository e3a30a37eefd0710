package io.streammesh.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import io.streammesh.client.ClientConfigs;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshEndpoints;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
    private long now = 1_000_000;

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
        assertThat(cloud.credentials).isEqualTo("/etc/mesh/kms.json");
        // each KEK asked of the client once and kept: a cloud client makes an SDK client for each
        assertThat(cloud.asked).containsExactlyInAnyOrder("cloud-kms://eu/keys/mesh-orders", "cloud-kms://us/keys/payments");
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
    void aKmsClientIsChosenOnlyIfItIsTheOneThatSupportsTheUrisAndEachDomainsOwnUriIsOneOfIts() {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var config = GATE.with(KekSource.KEK_URI, "cloud-kms://eu/keys/mesh-{domain}");

        assertThatThrownBy(() -> KekSource.of(config, dir, List.of(cloud, new CloudKms(dir.resolve("other")))))
                .hasMessageStartingWith("more than one KMS client on the class path supports cloud-kms:// (mesh.kms.kek.uri): ");
        assertThatThrownBy(() -> KekSource.of(config.with(KekSource.KEK_URI + ".payments", "other-kms://payments"), dir, List.of(cloud)))
                .hasMessage("mesh.kms.kek.uri.payments must be a KEK URI of the KMS mesh.kms.kek.uri names, without {domain}: other-kms://payments");
        assertThatThrownBy(() -> KekSource.of(config.with(KekSource.KEK_URI + ".Payments!", "cloud-kms://eu/keys/p"), dir, List.of(cloud)))
                .hasMessageStartingWith("mesh.kms.kek.uri.Payments! does not name a domain: ");
    }

    @Test
    void anEntryWrappedByAKekOfTheOtherKindIsAnOutageNamingTheMismatchNotABrokenKey() {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var withKms = KekSource.of(GATE.with(KekSource.KEK_URI, "cloud-kms://eu/keys/mesh-{domain}"), dir.resolve("keks"), List.of(cloud));
        var withoutKms = KekSource.of(GATE, dir.resolve("keks"), List.of());
        keys(withKms).dataKey("orders", "c-1");
        keys(withoutKms).dataKey("orders", "c-2");

        assertThatThrownBy(() -> keys(withoutKms).existing("orders", "c-1"))
                .isInstanceOf(KeyLogUnavailable.class)
                .hasMessage("the data key of subject c-1 on mesh.keys.orders was wrapped by a KMS, and this app's client config names none "
                        + "(mesh.kms.kek.uri): give every platform app the same KMS settings");
        assertThatThrownBy(() -> keys(withKms).existing("orders", "c-2"))
                .isInstanceOf(KeyLogUnavailable.class)
                .hasMessage("the data key of subject c-2 on mesh.keys.orders was wrapped by a local keyset, and this app's client config "
                        + "names a KMS (cloud-kms://eu/keys/mesh-orders): give every platform app the same KMS settings");
    }

    @Test
    void aKmsThatFailsToUnwrapIsAnOutageNeverABrokenKeyForAKmsOutOfReachFailsTheSameWay() throws Exception {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        keys(keks).dataKey("orders", "c-1");
        var holder = keys(keks);
        cloud.down = true;

        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(KeyLogUnavailable.class)
                .hasMessageStartingWith("cannot unwrap the data key of subject c-1 of domain orders with cloud-kms://eu/keys/mesh-orders now: ");
        cloud.down = false;
        now += SubjectKeys.UNWRAP_RETRY_MS;
        assertThat(holder.existing("orders", "c-1").orElseThrow().decrypt(holder.dataKey("orders", "c-1").encrypt(DATA, BOUND), BOUND))
                .isEqualTo(DATA);
    }

    @Test
    void aKeyTheKmsFailedToUnwrapIsNotAskedForAgainForAWhileHoweverOftenItsUsersAsk() {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        keys(keks).dataKey("orders", "c-1");
        var holder = keys(keks);
        cloud.down = true;
        int before = cloud.unwraps.get();

        for (int request = 0; request < 20; request++) {
            assertThatThrownBy(() -> holder.servedKey("orders", "c-1")).isInstanceOf(KeyLogUnavailable.class);
        }
        assertThat(cloud.unwraps).as("one KMS call for twenty uses").hasValue(before + 1);

        now += SubjectKeys.UNWRAP_RETRY_MS;
        assertThatThrownBy(() -> holder.servedKey("orders", "c-1")).isInstanceOf(KeyLogUnavailable.class);
        assertThat(cloud.unwraps).hasValue(before + 2);
    }

    @Test
    void anEntryReadWhileTheKmsFailsLeavesTheKeyHeldAsItWasInsteadOfJudgingItUnusable() throws Exception {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        var writer = keys(keks);
        byte[] ciphertext = writer.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        var holder = keys(keks);
        assertThat(holder.existing("orders", "c-1")).isPresent();
        // the same key wrapped again (a KEK rotation), read while the KMS is out of reach
        writer.rewrap("orders");
        cloud.down = true;
        now += SubjectKeys.REFRESH_MS;

        assertThat(holder.existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
    }

    @Test
    void aSubjectsFreshKeyReadWhileTheKmsFailsIsUsableOnceItAnswers() throws Exception {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        var writer = keys(keks);
        writer.dataKey("orders", "c-1");
        var holder = keys(keks);
        assertThat(holder.existing("orders", "c-1")).isPresent();
        writer.erase("orders", "c-1");
        byte[] ciphertext = writer.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        cloud.down = true;
        now += SubjectKeys.REFRESH_MS;
        assertThatThrownBy(() -> holder.existing("orders", "c-1")).as("an outage, no verdict").isInstanceOf(KeyLogUnavailable.class);

        cloud.down = false;
        now += SubjectKeys.UNWRAP_RETRY_MS;

        assertThat(holder.existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
    }

    @Test
    void anErasedKeyWrittenAgainAndReadWhileTheKmsFailsStaysErasedWhenItIsFirstUnwrapped() {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        var writer = keys(keks);
        writer.dataKey("orders", "c-1");
        byte[] first = log.entries.get(0).value();
        var holder = keys(keks);
        assertThat(holder.existing("orders", "c-1")).isPresent();
        writer.erase("orders", "c-1");
        // a stale writer's entry of the erased key (a rewrap that had not read the erasure), read while the KMS fails
        log.entries.add(new SubjectKeysTest.MemoryKeyLog.Written("orders", "c-1", first));
        cloud.down = true;
        now += SubjectKeys.REFRESH_MS;
        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(KeyLogUnavailable.class);

        cloud.down = false;
        now += SubjectKeys.UNWRAP_RETRY_MS;

        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(SubjectKeys.UnusableKey.class)
                .hasMessageEndingWith("is one of its erased keys, written again");
    }

    /**
     * The gate's erasure thread may never have unwrapped the key it erases (a holder started since),
     * and the KMS may not answer then: the erasure still names the key, as its wrapped keyset states
     * it, so that what it encrypted reads as erased, not as forged, once the subject has a fresh key.
     */
    @Test
    void anErasureMadeWhileTheKmsFailsNamesTheErasedKeyByTheIdsItsWrappedKeysetStates() throws Exception {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        byte[] ciphertext = keys(keks).dataKey("orders", "c-1").encrypt(DATA, BOUND);
        var eraser = keys(keks);
        cloud.down = true;

        eraser.erase("orders", "c-1");

        KeyEntry erasure = KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value());
        assertThat(erasure.erased()).isTrue();
        assertThat(erasure.erasedKeyIds()).containsExactly(ByteBuffer.wrap(ciphertext, 1, 4).getInt());
    }

    @Test
    void aKeyTheKmsHasNotUnwrappedForTenMinutesIsJudgedUnusableSoItsUsesStopWaiting() {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        keys(keks).dataKey("orders", "c-1");
        var holder = keys(keks);
        cloud.down = true;
        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(KeyLogUnavailable.class);

        now += SubjectKeys.REMOTE_OUTAGE_MS;

        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(SubjectKeys.UnusableKey.class)
                .hasMessageEndingWith("(decryption failed), for 600 s");
    }

    /**
     * Ten minutes of failures judge an entry unusable, but a remote KMS out of reach that long
     * looks the same as one that refuses the key: the verdict is asked again every minute, and a
     * key that unwraps then serves again, without a restart.
     */
    @Test
    void aKeyJudgedUnusableAfterALongOutageIsAskedAgainEveryMinuteAndServesOnceTheKmsAnswers() throws Exception {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        byte[] ciphertext = keys(keks).dataKey("orders", "c-1").encrypt(DATA, BOUND);
        var holder = keys(keks);
        cloud.down = true;
        judgedUnusableInALongOutage(holder);

        now += SubjectKeys.REJUDGE_MS;
        int asked = cloud.unwraps.get();
        assertThatThrownBy(() -> holder.existing("orders", "c-1")).as("asked again, still out of reach")
                .isInstanceOf(SubjectKeys.UnusableKey.class);
        assertThat(cloud.unwraps.get()).isEqualTo(asked + 1);
        cloud.down = false;
        assertThatThrownBy(() -> holder.existing("orders", "c-1")).as("not asked again before its minute")
                .isInstanceOf(SubjectKeys.UnusableKey.class);
        assertThat(cloud.unwraps.get()).isEqualTo(asked + 1);

        now += SubjectKeys.REJUDGE_MS;

        assertThat(holder.existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
    }

    /** A KMS that hangs (tens of seconds a call) must not hold every use of the key when its verdict comes due: one asks. */
    @Test
    void whenAGuessedVerdictComesDueOneUseAsksTheKmsAndTheOthersMeanwhileGetTheVerdict() {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        keys(keks).dataKey("orders", "c-1");
        var holder = keys(keks);
        cloud.down = true;
        judgedUnusableInALongOutage(holder);
        now += SubjectKeys.REJUDGE_MS;
        var meanwhile = new AtomicReference<Throwable>();
        cloud.duringUnwrap = () -> {
            cloud.duringUnwrap = null;
            int before = cloud.unwraps.get();
            try {
                holder.existing("orders", "c-1");
            } catch (RuntimeException e) {
                meanwhile.set(e);
            }
            assertThat(cloud.unwraps.get()).as("no second ask").isEqualTo(before);
        };
        int asked = cloud.unwraps.get();

        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(SubjectKeys.UnusableKey.class);

        assertThat(cloud.unwraps.get()).isEqualTo(asked + 1);
        assertThat(meanwhile.get()).as("a use while the KMS is asked").isInstanceOf(SubjectKeys.UnusableKey.class);
    }

    /**
     * The gate replaces a product's dead-letter key whose entry it judged unusable: after a long
     * outage of a remote KMS that would make every dead letter sealed with the old key unreadable.
     * The entry is asked once more first, and replaced only if the KMS answers and still refuses it.
     */
    @Test
    void aFreshKeyForAnEntryJudgedUnusableInALongOutageIsItsOwnKeyOnceTheKmsAnswersAndANewOneOnlyIfTheKmsRefusesIt()
            throws Exception {
        var cloud = new CloudKms(dir.resolve("cloud"));
        var keks = cloudKeks(cloud);
        byte[] ciphertext = keys(keks).dataKey("orders", "c-1").encrypt(DATA, BOUND);
        var holder = keys(keks);
        cloud.down = true;
        cloud.wrapsDown = true;
        judgedUnusableInALongOutage(holder);
        int entries = log.entries.size();

        assertThatThrownBy(() -> holder.freshKey("orders", "c-1")).as("asked again once: not judged yet")
                .isInstanceOf(KeyLogUnavailable.class).hasMessageContaining("when asked again");
        now += SubjectKeys.UNWRAP_RETRY_MS;
        assertThatThrownBy(() -> holder.freshKey("orders", "c-1")).as("the KMS out of reach: neither unwrapped nor replaced")
                .isInstanceOf(MeshException.class).isNotInstanceOf(SubjectKeys.UnusableKey.class)
                .hasMessageContaining("cannot wrap");
        assertThat(log.entries).hasSize(entries);
        cloud.down = false;
        cloud.wrapsDown = false;
        assertThat(holder.freshKey("orders", "c-1").decrypt(ciphertext, BOUND)).as("its own key, kept on the log").isEqualTo(DATA);
        assertThat(log.entries).hasSize(entries);
        assertThat(keys(keks).existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);

        var flapping = keys(keks);
        cloud.down = true;
        judgedUnusableInALongOutage(flapping);
        assertThatThrownBy(() -> flapping.freshKey("orders", "c-1")).as("one failure asked again: no refusal yet")
                .isInstanceOf(KeyLogUnavailable.class);
        cloud.down = false;
        now += SubjectKeys.UNWRAP_RETRY_MS;
        assertThat(flapping.freshKey("orders", "c-1").decrypt(ciphertext, BOUND)).as("a KMS that flapped").isEqualTo(DATA);
        assertThat(log.entries).hasSize(entries);

        var refused = keys(keks);
        cloud.refuseWhatItWrapped();
        judgedUnusableInALongOutage(refused);
        assertThatThrownBy(() -> refused.freshKey("orders", "c-1")).isInstanceOf(KeyLogUnavailable.class);
        now += SubjectKeys.UNWRAP_RETRY_MS;
        Aead fresh = refused.freshKey("orders", "c-1");
        assertThat(log.entries).as("a KMS that answers and refuses the entry: replaced").hasSize(entries + 1);
        assertThatThrownBy(() -> fresh.decrypt(ciphertext, BOUND)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void theKmsSettingsAreWrittenWithTheConfigAndKeptWhenTheMeshWritesItAgain() throws Exception {
        var clients = new ClientConfigs(dir);
        var endpoints = new MeshEndpoints("127.0.0.1:9092", "http://127.0.0.1:8081");
        clients.write(PlatformApp.GATE.principal(), "secret", endpoints);
        clients.config("mesh-gate").with(KekSource.KEK_URI, "cloud-kms://eu/keys/mesh-{domain}").store(clients.propertiesFile("mesh-gate"));

        clients.write(PlatformApp.GATE.principal(), "a new secret", endpoints);

        assertThat(clients.config("mesh-gate").kmsSettings()).containsExactly(Map.entry(KekSource.KEK_URI, "cloud-kms://eu/keys/mesh-{domain}"));
        assertThat(Files.readString(clients.propertiesFile("mesh-gate"))).contains("a new secret");
    }

    @Test
    void theKmsSettingsAreNeverGivenToKafkaClients() {
        var config = GATE.with(KekSource.KEK_URI, "cloud-kms://eu/keys/mesh-{domain}").with("client.id", "gate");

        assertThat(config.kafka()).containsEntry("client.id", "gate").doesNotContainKey(KekSource.KEK_URI);
    }

    /** Has the holder's first use of orders/c-1 meet a KMS that fails (an outage), then, ten minutes on, judge the entry unusable. */
    private void judgedUnusableInALongOutage(SubjectKeys holder) {
        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(KeyLogUnavailable.class);
        now += SubjectKeys.REMOTE_OUTAGE_MS;
        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(SubjectKeys.UnusableKey.class);
    }

    /** @return the KEKs of a config that names the cloud KMS for every domain */
    private KekSource cloudKeks(CloudKms cloud) {
        return KekSource.of(GATE.with(KekSource.KEK_URI, "cloud-kms://eu/keys/mesh-{domain}"), dir.resolve("keks"), List.of(cloud));
    }

    /** @return a holder of the keys on this test's one key log */
    private SubjectKeys keys(KekSource keks) {
        return new SubjectKeys(log.reader(), keks, () -> now);
    }

    /** A cloud KMS stand-in: {@code cloud-kms://<region>/keys/<name>} is a local keyset per name. */
    private static final class CloudKms implements KmsClient {
        final List<String> asked = new CopyOnWriteArrayList<>();
        private final LocalKms keysets;
        String credentials;
        /** Out of reach: every unwrap fails, as Tink's AWS client says it ("decryption failed"). */
        volatile boolean down;
        /** Refusing to wrap too, as a KMS out of reach does. */
        volatile boolean wrapsDown;
        /** What it wrapped so far, and what of that it refuses to unwrap, as a KMS whose key versions were destroyed. */
        private final List<ByteBuffer> wrapped = new CopyOnWriteArrayList<>();
        private final Set<ByteBuffer> refused = ConcurrentHashMap.newKeySet();
        /** Run (once set) while an unwrap is asked, as another thread's use would be. */
        volatile Runnable duringUnwrap;
        /** How many times it was asked to unwrap. */
        final AtomicInteger unwraps = new AtomicInteger();

        CloudKms(Path dir) {
            keysets = new LocalKms(dir);
        }

        @Override
        public boolean doesSupport(String keyUri) {
            return keyUri.startsWith("cloud-kms://");
        }

        /** From now on refuses to unwrap whatever it wrapped so far, and only that. */
        void refuseWhatItWrapped() {
            refused.addAll(wrapped);
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
            Aead kek = keysets.getAead(LocalKms.uri(keyUri.substring(keyUri.lastIndexOf('/') + 1)));
            return new Aead() {
                @Override
                public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
                    if (wrapsDown) {
                        throw new GeneralSecurityException("encryption failed");
                    }
                    byte[] ciphertext = kek.encrypt(plaintext, associatedData);
                    wrapped.add(ByteBuffer.wrap(ciphertext.clone()));
                    return ciphertext;
                }

                @Override
                public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
                    unwraps.incrementAndGet();
                    Runnable meanwhile = duringUnwrap;
                    if (meanwhile != null) {
                        meanwhile.run();
                    }
                    if (down || refused.contains(ByteBuffer.wrap(ciphertext))) {
                        throw new GeneralSecurityException("decryption failed");
                    }
                    return kek.decrypt(ciphertext, associatedData);
                }
            };
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
