package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A data key's AES-GCM, byte for byte Tink's ({@code prefix || iv || ciphertext || tag}, the
 * same JCE cipher underneath), with a cipher of its own. Tink shares one cipher per thread among
 * all keys, so each record of another subject than the last made the JDK expand an AES key anew:
 * with 1,000 subjects, 1.7 µs a field instead of 0.5 µs (benchmarks README, gate-encryption).
 * This cipher keeps its key's expansion for as long as the key is held, for about 0.8 KB a key
 * once used. Keys are created, wrapped and kept by Tink as before; what either writes, the other
 * reads. Its nonces are random as Tink's, drawn in bulk ({@link GcmNonces}). A data key's
 * ciphers for its products ({@link ProductKey}) are kept with it, derived once each.
 */
final class DataKeyCipher implements Aead {

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int IV_SIZE = GcmNonces.SIZE;
    private static final int TAG_SIZE = 16;
    /** Tink's bound: a longer plaintext's ciphertext would not fit an array. */
    private static final int MAX_PLAINTEXT = Integer.MAX_VALUE - 5 - IV_SIZE - TAG_SIZE;

    private final byte[] prefix;
    private final SecretKeySpec key;
    /** Created on first use, used under this object's lock: a JCE cipher is not thread-safe. */
    private Cipher cipher;
    /** This data key's ciphers for the products it was used for: a domain has few products, a subject's records fewer. */
    private final Map<String, DataKeyCipher> products = new ConcurrentHashMap<>();

    private DataKeyCipher(byte[] prefix, SecretKeySpec key) {
        this.prefix = prefix;
        this.key = key;
    }

    /**
     * @param keyset a data key's keyset
     * @return its AEAD: this cipher if the keyset is one AES-GCM key of Tink's usual sizes (as every data key the mesh
     *         creates), else Tink's primitive
     * @throws GeneralSecurityException if Tink has no AEAD for the keyset (Tink checks every keyset, this cipher's too)
     */
    static Aead of(KeysetHandle keyset) throws GeneralSecurityException {
        Aead tink = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        if (keyset.size() != 1 || !(keyset.getAt(0).getKey() instanceof AesGcmKey gcm)) {
            return tink;
        }
        AesGcmParameters parameters = gcm.getParameters();
        if (parameters.getIvSizeBytes() != IV_SIZE || parameters.getTagSizeBytes() != TAG_SIZE
                || parameters.getKeySizeBytes() != 16 && parameters.getKeySizeBytes() != 32) {
            return tink;
        }
        return new DataKeyCipher(gcm.getOutputPrefix().toByteArray(),
                new SecretKeySpec(gcm.getKeyBytes().toByteArray(InsecureSecretKeyAccess.get()), "AES"));
    }

    @Override
    public synchronized byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        if (plaintext.length > MAX_PLAINTEXT) {
            throw new GeneralSecurityException("plaintext too long");
        }
        byte[] out = new byte[prefix.length + IV_SIZE + plaintext.length + TAG_SIZE];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        GcmNonces.writeNext(out, prefix.length);
        Cipher gcm = cipher(Cipher.ENCRYPT_MODE, out, prefix.length);
        if (associatedData != null && associatedData.length > 0) {
            gcm.updateAAD(associatedData);
        }
        int announced = out.length - prefix.length - IV_SIZE;
        int written = gcm.doFinal(plaintext, 0, plaintext.length, out, prefix.length + IV_SIZE);
        if (written != announced) {
            throw new GeneralSecurityException("AES-GCM wrote " + written + " bytes, not the " + announced + " it announced");
        }
        return out;
    }

    @Override
    public synchronized byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        if (ciphertext.length < prefix.length + IV_SIZE + TAG_SIZE) {
            throw new GeneralSecurityException("ciphertext too short");
        }
        // the prefix names a key, no secret: compared in place rather than copied out for a constant-time compare
        if (!Arrays.equals(prefix, 0, prefix.length, ciphertext, 0, prefix.length)) {
            throw new GeneralSecurityException("the ciphertext is not of this data key (its prefix names another)");
        }
        Cipher gcm = cipher(Cipher.DECRYPT_MODE, ciphertext, prefix.length);
        if (associatedData != null && associatedData.length > 0) {
            gcm.updateAAD(associatedData);
        }
        int offset = prefix.length + IV_SIZE;
        return gcm.doFinal(ciphertext, offset, ciphertext.length - offset);
    }

    /**
     * @param product a product's address
     * @return the cipher of this data key's {@link ProductKey} for that product, derived on first use
     */
    DataKeyCipher forProduct(String product) {
        return products.computeIfAbsent(product, p -> new DataKeyCipher(prefix, new SecretKeySpec(ProductKey.bytes(key.getEncoded(), p), "AES")));
    }

    /**
     * @param context what the secret is for
     * @return HMAC-SHA256 keyed with this key's bytes over {@code context} ({@link SubjectKey#derivedSecret})
     */
    byte[] derivedSecret(byte[] context) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return hmac.doFinal(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
    }

    /** The JDK's AES expands a key again only when it differs from the one this cipher had last. */
    private Cipher cipher(int mode, byte[] iv, int ivOffset) throws GeneralSecurityException {
        if (cipher == null) {
            cipher = Cipher.getInstance(TRANSFORMATION);
        }
        cipher.init(mode, key, new GCMParameterSpec(TAG_SIZE * 8, iv, ivOffset, IV_SIZE));
        return cipher;
    }
}
