package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.CryptoFormat;
import com.google.crypto.tink.KeysetHandle;
import io.streammesh.schema.AvroBytes;
import io.streammesh.schema.MeshException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * One data subject's keys as a decrypting holder sees them: its data key (for a grantee, its key
 * for one product, {@link ProductKey}), if it has one now, and the Tink key ids of the keys it had
 * before and that were erased. A ciphertext names the key
 * that wrote it (Tink's prefix: a start byte and the key id), so a record written before an
 * erasure reads as erased even once a later record gave the subject a fresh key, a ciphertext of
 * a key the holder does not know yet ({@link UnknownKey}: maybe the subject's fresh key, written
 * a moment ago) is worth asking for the latest key, and one of the current key that does not
 * open was moved or forged.
 *
 * @param key the subject's current data key, empty if it has none (erased, or never had one)
 * @param keyIds the Tink ids of the current key's keyset, empty without one
 * @param erasedKeyIds the ids of the subject's erased data keys
 */
public record SubjectKey(Optional<Aead> key, Set<Integer> keyIds, Set<Integer> erasedKeyIds) {

    /** A subject without any key: everything encrypted for it reads as erased. */
    public static final SubjectKey NONE = new SubjectKey(Optional.empty(), Set.of(), Set.of());

    /** Copies the ids. */
    public SubjectKey {
        keyIds = Set.copyOf(keyIds);
        erasedKeyIds = Set.copyOf(erasedKeyIds);
    }

    /**
     * @param keyset the subject's current data key
     * @param erasedKeyIds the ids of its erased keys
     * @return its keys
     */
    public static SubjectKey of(KeysetHandle keyset, Set<Integer> erasedKeyIds) {
        try {
            return new SubjectKey(Optional.of(DataKeyCipher.of(keyset)), keyIds(keyset), erasedKeyIds);
        } catch (GeneralSecurityException e) {
            throw new MeshException("a data key gives no AEAD: " + e.getMessage(), e);
        }
    }

    /**
     * @param keyset a data key's keyset
     * @return the Tink ids of its keys
     */
    static Set<Integer> keyIds(KeysetHandle keyset) {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < keyset.size(); i++) {
            ids.add(keyset.getAt(i).getId());
        }
        return ids;
    }

    /**
     * @param product a product's address
     * @return the subject's keys for that product ({@link ProductKey}): for the platform, which holds the data keys themselves
     * @throws SubjectKeys.UnusableKey if the current key is not one the mesh makes
     */
    public SubjectKey forProduct(String product) {
        return key.isEmpty() ? this : new SubjectKey(Optional.of(ProductKey.of(key.get(), product)), keyIds, erasedKeyIds);
    }

    /**
     * A secret of the subject's own, derived from its data key: HMAC-SHA256 keyed with the data
     * key's AES key bytes over {@code context}. Gone with the data key: whatever it keyed (a view's
     * hash of the subject's fields) can no longer be linked to the subject once it is erased.
     *
     * @param context what the secret is for (different contexts give unrelated secrets)
     * @return 32 bytes, empty if the subject has no data key (never had one, or was erased); of the key as held (a
     *         product's key, {@link #forProduct}, gives another secret than its data key)
     * @throws SubjectKeys.UnusableKey if the key is not one the mesh makes (one AES-GCM key)
     */
    public Optional<byte[]> derivedSecret(byte[] context) {
        if (key.isEmpty()) {
            return Optional.empty();
        }
        if (key.get() instanceof DataKeyCipher cipher) {
            return Optional.of(cipher.derivedSecret(context));
        }
        throw new SubjectKeys.UnusableKey("no secret can be derived from a data key that is not one AES-GCM key", null);
    }

    /**
     * @param erasedKeyIds the ids of the keys of an erased subject
     * @return its keys: none current
     */
    public static SubjectKey erased(Set<Integer> erasedKeyIds) {
        return new SubjectKey(Optional.empty(), Set.of(), erasedKeyIds);
    }

    /**
     * @param ciphertext a field's ciphertext under one of the subject's keys
     * @param associatedData what binds it to its product, field and subject ({@link FieldCipher#associatedData})
     * @return the cleartext; empty if the ciphertext's key was erased, or the subject never had a key this holder knows of
     * @throws UnknownKey if the ciphertext names a key that is neither the subject's current one nor an erased one
     * @throws GeneralSecurityException if it does not decrypt with the key it names (moved from another record, or forged)
     */
    public Optional<byte[]> decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        Integer id = keyId(ciphertext);
        if (id != null && erasedKeyIds.contains(id)) {
            return Optional.empty();
        }
        if (key.isEmpty() && erasedKeyIds.isEmpty()) {
            return Optional.empty();
        }
        if (id == null) {
            throw new GeneralSecurityException("not a ciphertext of a data key (no key id)");
        }
        if (!keyIds.contains(id)) {
            throw new UnknownKey();
        }
        return Optional.of(key.get().decrypt(ciphertext, associatedData));
    }

    /**
     * @param encrypted an encrypted string field ({@link FieldCipher#PREFIX} and base64)
     * @param associatedData what binds it to its product, field and subject
     * @return the cleartext; empty if the ciphertext's key was erased, or the subject never had a key this holder knows of
     * @throws UnknownKey if the ciphertext names a key that is neither the subject's current one nor an erased one
     * @throws GeneralSecurityException if it is not an encrypted field, or does not decrypt with the key it names
     */
    public Optional<String> decrypt(String encrypted, byte[] associatedData) throws GeneralSecurityException {
        return decrypt(FieldCipher.ciphertext(encrypted), associatedData).map(FieldCipher::text);
    }

    /**
     * @param value an encrypted field as a product holds it: a bytes field's ciphertext, or a string field's {@link FieldCipher} text
     * @param associatedData what binds it to its product, field and subject
     * @return the cleartext, a {@link ByteBuffer} for a bytes field and a string for a string field; empty as {@link #decrypt(byte[], byte[])}
     * @throws UnknownKey if the ciphertext names a key that is neither the subject's current one nor an erased one
     * @throws GeneralSecurityException if it does not decrypt with the key it names
     */
    public Optional<Object> decryptField(Object value, byte[] associatedData) throws GeneralSecurityException {
        if (value instanceof ByteBuffer buffer) {
            return decrypt(AvroBytes.copyOf(buffer), associatedData).map(ByteBuffer::wrap);
        }
        return decrypt(value.toString(), associatedData).map(Object.class::cast);
    }

    /** @return the id of the key a ciphertext names, null if it names none */
    private static Integer keyId(byte[] ciphertext) {
        if (ciphertext.length < CryptoFormat.NON_RAW_PREFIX_SIZE || ciphertext[0] != CryptoFormat.TINK_START_BYTE) {
            return null;
        }
        return ByteBuffer.wrap(ciphertext, 1, 4).getInt();
    }

    /**
     * A ciphertext of a key that is neither the subject's current one nor an erased one, as far as
     * this holder knows: maybe the subject's fresh key, written after the keys it holds were read
     * (ask for the latest), else moved from another subject's record or forged.
     */
    public static final class UnknownKey extends GeneralSecurityException {
        private static final long serialVersionUID = 1L;

        UnknownKey() {
            super("the ciphertext is of a key that is neither the subject's current data key nor an erased one");
        }
    }
}
