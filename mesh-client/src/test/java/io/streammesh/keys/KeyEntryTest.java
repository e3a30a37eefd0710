package io.streammesh.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyEntryTest {

    @TempDir
    Path dir;

    @Test
    void aWrappedKeyStatesItsIdsInClearAndStillUnwrapsWithTinksOwnParserAsHoldersFromBeforeReadIt() throws Exception {
        var kms = new LocalKms(dir);
        var log = new SubjectKeysTest.MemoryKeyLog();
        byte[] ciphertext = new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> 0L).dataKey("orders", "c-1")
                .encrypt(new byte[] {1}, new byte[0]);
        KeyEntry entry = KeyEntry.fromBytes(log.entries.get(0).value());

        int keyId = ByteBuffer.wrap(ciphertext, 1, 4).getInt();
        assertThat(entry.keyIds()).containsExactly(keyId);
        assertThat(log.entries.get(0).value()[0]).as("the entry's format as before").isEqualTo((byte) 1);
        KeysetHandle unwrapped = TinkProtoKeysetFormat.parseEncryptedKeyset(entry.wrapped(), kms.getAead(LocalKms.uri("orders")),
                KeyEntry.associatedData("orders", "c-1"));
        assertThat(unwrapped.getPrimary().getId()).isEqualTo(keyId);
    }

    @Test
    void anErasureOrAKeyWrappedBeforeIdsWereStatedStatesNone() throws Exception {
        var kms = new LocalKms(dir);
        KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        byte[] unstated = TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, kms.getAead(LocalKms.uri("orders")), new byte[0]);

        assertThat(new KeyEntry(1, unstated, Set.of()).keyIds()).isEmpty();
        assertThat(KeyEntry.erasure(Set.of(7)).keyIds()).isEmpty();
        assertThat(new KeyEntry(1, new byte[] {(byte) 0xff, 1, 2}, Set.of()).keyIds()).as("no keyset at all").isEmpty();
    }
}
