package io.streammesh.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DataKeyCipherTest {

    private static final byte[] EMAIL = "someone@example.com".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BOUND = FieldCipher.associatedData("orders.order-placed.v1", "customerEmail", "c-1");

    @BeforeAll
    static void tink() throws GeneralSecurityException {
        AeadConfig.register();
    }

    @Test
    void whatItWritesTinkReadsAndWhatTinkWritesItReads() throws Exception {
        KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        Aead ours = DataKeyCipher.of(keyset);
        Aead tink = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);

        assertThat(ours).isInstanceOf(DataKeyCipher.class);
        assertThat(tink.decrypt(ours.encrypt(EMAIL, BOUND), BOUND)).isEqualTo(EMAIL);
        assertThat(ours.decrypt(tink.encrypt(EMAIL, BOUND), BOUND)).isEqualTo(EMAIL);
        assertThat(tink.decrypt(ours.encrypt(new byte[0], null), new byte[0])).isEmpty();
        assertThat(ours.decrypt(tink.encrypt(EMAIL, new byte[0]), null)).isEqualTo(EMAIL);
    }

    @Test
    void aCiphertextNamesItsKeyAsTinkDoes() throws Exception {
        KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        byte[] ciphertext = DataKeyCipher.of(keyset).encrypt(EMAIL, BOUND);

        assertThat(ciphertext[0]).isEqualTo((byte) 1);
        assertThat(ByteBuffer.wrap(ciphertext, 1, 4).getInt()).isEqualTo(keyset.getPrimary().getId());
        assertThat(ciphertext).hasSize(5 + 12 + EMAIL.length + 16);
        assertThat(DataKeyCipher.of(keyset).encrypt(EMAIL, BOUND)).as("a fresh nonce each time").isNotEqualTo(ciphertext);
    }

    @Test
    void aCiphertextMovedToAnotherPlaceTamperedWithOrOfAnotherKeyDoesNotOpen() throws Exception {
        Aead key = DataKeyCipher.of(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM));
        Aead other = DataKeyCipher.of(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM));
        byte[] ciphertext = key.encrypt(EMAIL, BOUND);
        byte[] tampered = ciphertext.clone();
        tampered[tampered.length - 1] ^= 1;

        assertThatThrownBy(() -> key.decrypt(ciphertext, FieldCipher.associatedData("orders.order-placed.v1", "customerEmail", "c-2")))
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> key.decrypt(tampered, BOUND)).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> other.decrypt(ciphertext, BOUND)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("prefix");
        assertThatThrownBy(() -> key.decrypt(new byte[20], BOUND)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("too short");
        assertThat(key.decrypt(ciphertext, BOUND)).as("the cipher still works after failures").isEqualTo(EMAIL);
    }

    @Test
    void aKeyWithoutPrefixOrAnotherKindOfKeyIsServedToo() throws Exception {
        KeysetHandle raw = KeysetHandle.generateNew(AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12).setTagSizeBytes(16)
                .setVariant(AesGcmParameters.Variant.NO_PREFIX).build());
        KeysetHandle crunchy = KeysetHandle.generateNew(AesGcmParameters.builder().setKeySizeBytes(16).setIvSizeBytes(12).setTagSizeBytes(16)
                .setVariant(AesGcmParameters.Variant.CRUNCHY).build());
        KeysetHandle chacha = KeysetHandle.generateNew(PredefinedAeadParameters.CHACHA20_POLY1305);
        KeysetHandle rotated = KeysetHandle.newBuilder(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM))
                .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId()).build();

        assertThat(raw.getPrimitive(RegistryConfiguration.get(), Aead.class).decrypt(DataKeyCipher.of(raw).encrypt(EMAIL, BOUND), BOUND))
                .isEqualTo(EMAIL);
        assertThat(crunchy.getPrimitive(RegistryConfiguration.get(), Aead.class).decrypt(DataKeyCipher.of(crunchy).encrypt(EMAIL, BOUND), BOUND))
                .isEqualTo(EMAIL);
        assertThat(DataKeyCipher.of(chacha)).isNotInstanceOf(DataKeyCipher.class);
        assertThat(DataKeyCipher.of(rotated)).as("a keyset of two keys: Tink picks the key by prefix").isNotInstanceOf(DataKeyCipher.class);
        assertThat(DataKeyCipher.of(chacha).decrypt(DataKeyCipher.of(chacha).encrypt(EMAIL, BOUND), BOUND)).isEqualTo(EMAIL);
    }

    @Test
    void threadsShareAKey() throws Exception {
        Aead key = DataKeyCipher.of(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                byte[] mine = ("thread-" + t).getBytes(StandardCharsets.UTF_8);
                Callable<Integer> work = () -> {
                    int opened = 0;
                    for (int i = 0; i < 2_000; i++) {
                        if (Arrays.equals(key.decrypt(key.encrypt(mine, BOUND), BOUND), mine)) {
                            opened++;
                        }
                    }
                    return opened;
                };
                results.add(threads.submit(work));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(2_000);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
