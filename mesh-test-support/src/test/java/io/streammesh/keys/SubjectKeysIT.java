package io.streammesh.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.Aead;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data keys on the real key log ({@link KafkaKeyLog}): a holder that wrote the next entry of the
 * log uses its key without reading the log back (a new subject costs the gate one round trip, not
 * three), and one whose read is behind a rival's key for the same subject still takes the
 * rival's, the first on the log.
 */
@MeshTest
class SubjectKeysIT {

    private static final byte[] DATA = "ann@example.com".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BOUND = "keys-it.order-placed.v1|customerEmail|c-1".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path keks;

    @Test
    void aKeyWrittenAsTheLogsNextEntryIsTheOneEveryHolderReads(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("keys-next");
        MeshClientConfig gate = mesh.clientConfig(PlatformApp.GATE.applicationId());
        var kms = new LocalKms(keks);
        var log = new CountedReads(new KafkaKeyLog(gate));
        try (var first = new SubjectKeys(log, kms, LocalKms::uri, kms::version, () -> 0L); var second = SubjectKeys.local(gate, keks)) {
            first.dataKey("keys-next", "c-0");
            int reads = log.reads;
            byte[] ciphertext = first.dataKey("keys-next", "c-1").encrypt(DATA, BOUND);

            assertThat(log.reads).as("its entry was the log's next: not read back").isEqualTo(reads);

            assertThat(second.existing("keys-next", "c-1")).hasValueSatisfying(key -> assertThat(decrypt(key, ciphertext)).isEqualTo(DATA));
            assertThat(entries(mesh, "keys-next")).as("one entry per subject, none written again").isEqualTo(2);
        }
    }

    @Test
    void aDomainsLongKeyLogIsNotReadForAnotherDomainsRead(EmbeddedMesh mesh) {
        mesh.onboarding().addDomain("keys-long");
        mesh.onboarding().addDomain("keys-short");
        MeshClientConfig gate = mesh.clientConfig(PlatformApp.GATE.applicationId());
        try (var log = new KafkaKeyLog(gate); var anotherHolder = new KafkaKeyLog(gate)) {
            log.catchUp("keys-long", (domain, subject, value) -> { });
            log.catchUp("keys-short", (domain, subject, value) -> { });
            // a domain naming a new subject in every record: its log grows by the thousand while the other's is read
            var subjects = IntStream.range(0, 5_000).boxed().collect(Collectors.toMap(i -> "c-" + i, i -> new byte[] {1}));
            anotherHolder.writeAllNext("keys-long", subjects);
            anotherHolder.write("keys-short", "c-1", new byte[] {1});

            List<String> read = new ArrayList<>();
            log.catchUp("keys-short", (domain, subject, value) -> read.add(domain + "/" + subject));

            assertThat(read).containsExactly("keys-short/c-1");
            List<String> longRead = new ArrayList<>();
            log.catchUp("keys-long", (domain, subject, value) -> longRead.add(subject));
            assertThat(longRead).hasSize(subjects.size());
        }
    }

    @Test
    void newSubjectsPreparedTogetherAreWrittenTogetherAsTheLogsNextEntriesAndNotReadBack(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("keys-batch");
        MeshClientConfig gate = mesh.clientConfig(PlatformApp.GATE.applicationId());
        var kms = new LocalKms(keks);
        var log = new CountedReads(new KafkaKeyLog(gate));
        List<String> subjects = IntStream.range(0, 40).mapToObj(i -> "c-" + i).toList();
        try (var first = new SubjectKeys(log, kms, LocalKms::uri, kms::version, () -> 0L); var second = SubjectKeys.local(gate, keks)) {
            first.dataKey("keys-batch", "c-0");
            int reads = log.reads;

            assertThat(first.prepare("keys-batch", subjects)).isEmpty();

            assertThat(log.reads).as("its entries were the log's next: not read back").isEqualTo(reads);
            for (String subject : subjects) {
                byte[] ciphertext = first.atHand("keys-batch", subject).orElseThrow().encrypt(DATA, BOUND);
                assertThat(second.existing("keys-batch", subject)).as(subject)
                        .hasValueSatisfying(key -> assertThat(decrypt(key, ciphertext)).isEqualTo(DATA));
            }
            assertThat(entries(mesh, "keys-batch")).as("one entry per subject, none written again").isEqualTo(subjects.size());
        }
    }

    @Test
    void aHolderWhoseReadIsBehindARivalsNewKeyTakesTheRivalsAndWritesItLast(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("keys-rival");
        MeshClientConfig gate = mesh.clientConfig(PlatformApp.GATE.applicationId());
        var kms = new LocalKms(keks);
        // a clock that stands still: the holder's read of the log never goes stale, so it does not read again before creating
        try (var behind = new SubjectKeys(new KafkaKeyLog(gate), kms, LocalKms::uri, kms::version, () -> 0L);
             var rival = SubjectKeys.local(gate, keks)) {
            behind.dataKey("keys-rival", "c-0");
            byte[] byRival = rival.dataKey("keys-rival", "c-1").encrypt(DATA, BOUND);

            Aead taken = behind.dataKey("keys-rival", "c-1");

            assertThat(taken.decrypt(byRival, BOUND)).as("the rival's key, the first on the log").isEqualTo(DATA);
            assertThat(entries(mesh, "keys-rival")).as("c-0, the rival's c-1, its own c-1, the rival's written again").isEqualTo(4);
        }
    }

    /** The real key log, its reads counted. */
    private static final class CountedReads implements KeyLog {
        private final KeyLog log;
        private int reads;

        CountedReads(KeyLog log) {
            this.log = log;
        }

        @Override
        public void catchUp(String domain, Entry entries) {
            reads++;
            log.catchUp(domain, entries);
        }

        @Override
        public void write(String domain, String subject, byte[] value) {
            log.write(domain, subject, value);
        }

        @Override
        public boolean writeNext(String domain, String subject, byte[] value) {
            return log.writeNext(domain, subject, value);
        }

        @Override
        public boolean writeAllNext(String domain, Map<String, byte[]> entries) {
            return log.writeAllNext(domain, entries);
        }

        @Override
        public void close() {
            log.close();
        }
    }

    private static byte[] decrypt(Aead key, byte[] ciphertext) {
        try {
            return key.decrypt(ciphertext, BOUND);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static int entries(EmbeddedMesh mesh, String domain) {
        return TopicReader.of(mesh.clientConfig(PlatformApp.GATE.applicationId()).kafka(), new StringDeserializer(), new ByteArrayDeserializer())
                .committed(MeshTopics.keys(domain)).size();
    }
}
