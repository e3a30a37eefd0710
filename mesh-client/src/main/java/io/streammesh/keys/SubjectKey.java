package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.CryptoFormat;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.Set;

/**
 * One data subject's keys as a decrypting holder sees them: its data key, if it has one now, and
 * the Tink key ids of the keys it had before and that were erased. A ciphertext names the key
 * that wrote it (Tink's prefix: a start byte and the key id), so a record written before an
 * erasure reads as erased even once a later record gave the subject a fresh key, while a
 * ciphertext of no key the subject ever had still fails as forged.
 *
 * @param key the subject's current data key, empty if it has none (erased, or never had one)
 * @param erasedKeyIds the ids of the subject's erased data keys
 */
public record SubjectKey(Optional<Aead> key, Set<Integer> erasedKeyIds) {

    /** A subject without any key: everything encrypted for it reads as erased. */
    public static final SubjectKey NONE = new SubjectKey(Optional.empty(), Set.of());

    /** Copies the ids. */
    public SubjectKey {
        erasedKeyIds = Set.copyOf(erasedKeyIds);
    }

    /**
     * @param ciphertext a field's ciphertext under one of the subject's keys
     * @param associatedData what binds it to its product, field and subject ({@link FieldCipher#associatedData})
     * @return the cleartext; empty if the subject has no key now or the ciphertext's key was erased
     * @throws GeneralSecurityException if it does not decrypt with the subject's current key and is of no erased key of it
     */
    public Optional<byte[]> decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        if (key.isEmpty() || ofErasedKey(ciphertext)) {
            return Optional.empty();
        }
        return Optional.of(key.get().decrypt(ciphertext, associatedData));
    }

    /**
     * @param encrypted an encrypted string field ({@link FieldCipher#PREFIX} and base64)
     * @param associatedData what binds it to its product, field and subject
     * @return the cleartext; empty if the subject has no key now or the ciphertext's key was erased
     * @throws GeneralSecurityException if it is not an encrypted field, or not one of the subject's keys, product, field and subject
     */
    public Optional<String> decrypt(String encrypted, byte[] associatedData) throws GeneralSecurityException {
        return decrypt(FieldCipher.ciphertext(encrypted), associatedData).map(FieldCipher::text);
    }

    /** @return whether some key of the subject's was erased before the current one */
    public boolean hadErasedKeys() {
        return !erasedKeyIds.isEmpty();
    }

    private boolean ofErasedKey(byte[] ciphertext) {
        return ciphertext.length >= CryptoFormat.NON_RAW_PREFIX_SIZE && ciphertext[0] == CryptoFormat.TINK_START_BYTE
                && erasedKeyIds.contains(ByteBuffer.wrap(ciphertext, 1, 4).getInt());
    }
}
