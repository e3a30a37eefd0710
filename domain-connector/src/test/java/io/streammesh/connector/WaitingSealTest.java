package io.streammesh.connector;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.MemoryKeyLog;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WaitingSealTest {

    private static final ProductAddress ADDRESS = ProductAddress.parse("shop.order-placed.v1");
    private static final byte[] VALUE = "{\"customerEmail\": \"ann@example.com\"}".getBytes(UTF_8);

    @TempDir
    Path keks;

    @Test
    void aWaitingRecordsValueIsSealedInTheStoreAndAnotherGateWithThePlatformsKekOpensItWhereItWasHeldOnly() throws Exception {
        var log = new MemoryKeyLog();
        var record = new PendingRecord(1, 42, 7, 8, "o-1".getBytes(UTF_8), VALUE, new RecordHeaders(), true);

        byte[] stored = new WaitingSeal(keys(log)).seal(ADDRESS, record).toBytes();

        assertThat(new String(stored, UTF_8)).doesNotContain("ann@example.com");
        assertThat(log.entries()).as("no key on the domain's key log").isEmpty();
        PendingRecord restored = PendingRecord.fromBytes(stored);
        assertThat(restored.sealed()).isTrue();
        var otherGate = new WaitingSeal(keys(log));
        assertThat(otherGate.open(ADDRESS, restored).value()).isEqualTo(VALUE);
        assertThat(otherGate.open(ADDRESS, restored).sealed()).isFalse();
        assertThat(restored.encrypted()).isTrue();
        var moved = new PendingRecord(1, 43, 7, 8, restored.key(), restored.value(), restored.headers(), restored.sealedWith(), true);
        assertThatThrownBy(() -> otherGate.open(ADDRESS, moved)).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> otherGate.open(ProductAddress.parse("other.order-placed.v1"), restored))
                .as("another product's ingest topic").isInstanceOf(GeneralSecurityException.class);
        assertThat(keks.resolve("shop.kek.json")).as("no domain's KEK is asked").doesNotExist();
    }

    @Test
    void aRecordSealedWithItsDomainsKekBeforeThePlatformsSealedWaitingRecordsStillOpens() throws Exception {
        var log = new MemoryKeyLog();
        SubjectKeys keys = keys(log);
        KeysetHandle domainsSealingKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        byte[] wrapped = keys.wrapOwn("shop", domainsSealingKey, "mesh.waiting|shop".getBytes(UTF_8));
        byte[] sealed = domainsSealingKey.getPrimitive(RegistryConfiguration.get(), Aead.class)
                .encrypt(VALUE, (ADDRESS.ingestTopic() + "|1|42").getBytes(UTF_8));
        var restored = new PendingRecord(1, 42, 7, 8, null, sealed, new RecordHeaders(), wrapped, true);

        assertThat(new WaitingSeal(keys).open(ADDRESS, restored).value()).isEqualTo(VALUE);
    }

    @Test
    void aRecordHeldBeforeWaitingRecordsWereSealedReadsAsNotSealed() {
        var record = new PendingRecord(1, 42, 7, 8, null, VALUE, new RecordHeaders(), false);
        byte[] stored = record.toBytes();
        // the store's format before: the same fields, without the sealing key's, the encrypted flag and the verdict's at the end
        byte[] before = Arrays.copyOf(stored, stored.length - Integer.BYTES - 2);

        PendingRecord read = PendingRecord.fromBytes(before);

        assertThat(read.sealed()).isFalse();
        assertThat(read.encrypted()).isFalse();
        assertThat(read.value()).isEqualTo(VALUE);
    }

    @Test
    void aRecordSealedBeforeTheEncryptedFlagWasKeptReadsAsEncrypted() {
        var record = new PendingRecord(1, 42, 7, 8, null, VALUE, new RecordHeaders(), new byte[] {1, 2}, true);
        byte[] stored = record.toBytes();

        // without the flag and the verdict's, which came after it
        PendingRecord read = PendingRecord.fromBytes(Arrays.copyOf(stored, stored.length - 2));

        assertThat(read.sealed()).isTrue();
        assertThat(read.encrypted()).as("then only records of products with encrypted fields were sealed").isTrue();
    }

    @Test
    void aRecordDecidedForTheDeadLetterTopicKeepsItsVerdictAndOneStoredBeforeVerdictsWereKeptHasNone() {
        var reason = new DeadLetterReason(DeadLetterHeaders.SIZE_RULE, "the value is 70000 bytes");
        var record = new PendingRecord(1, 42, 7, 8, null, VALUE, new RecordHeaders(), false).deadLettered(reason, Arrays.copyOf(VALUE, 4));

        PendingRecord read = PendingRecord.fromBytes(record.toBytes());
        assertThat(read.verdict()).isEqualTo(reason);
        assertThat(read.value()).isEqualTo(Arrays.copyOf(VALUE, 4));
        byte[] stored = new PendingRecord(1, 42, 7, 8, null, VALUE, new RecordHeaders(), false).toBytes();
        assertThat(PendingRecord.fromBytes(Arrays.copyOf(stored, stored.length - 1)).verdict()).isNull();
    }

    private SubjectKeys keys(MemoryKeyLog log) {
        var kms = new LocalKms(keks);
        return new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, System::currentTimeMillis);
    }
}
