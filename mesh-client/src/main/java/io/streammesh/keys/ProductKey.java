package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.subtle.Hkdf;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * A data subject's key for one product: what encrypts the subject's fields in that product, and
 * what the key service hands a grantee allowed to decrypt it. Derived from the subject's data
 * key with HKDF-SHA256 over the product's address, with the data key's Tink id (a ciphertext
 * still names the data key it depends on): a grant with decrypt on one product of a domain
 * opens that product's fields of the subject, never those of the domain's other products (the
 * data key is per (domain, subject), and its holder could read another product's ciphertext,
 * e.g. through a view that passes it through without decrypt). Erasing the data key erases
 * every product key derived from it: none can be derived again.
 */
public final class ProductKey {

    private static final byte[] SALT = "streammesh product key".getBytes(StandardCharsets.UTF_8);

    private ProductKey() {
    }

    /**
     * @param dataKey a subject's data key as {@link SubjectKeys} hands it to the platform
     * @param product the product's address
     * @return the subject's key for that product
     * @throws SubjectKeys.UnusableKey if the data key is not one the mesh makes (one AES-GCM key): such a key cannot be
     *         bound to a product, and costs its subject's records as a key that does not unwrap
     */
    public static Aead of(Aead dataKey, String product) {
        if (dataKey instanceof DataKeyCipher cipher) {
            return cipher.forProduct(product);
        }
        throw new SubjectKeys.UnusableKey("a data key that is not one AES-GCM key cannot be bound to product " + product, null);
    }

    /**
     * @param dataKey a subject's data keyset (one AES-GCM key, as the mesh makes them)
     * @param product the product's address
     * @return the keyset of the subject's key for that product, with the data key's id and parameters
     * @throws GeneralSecurityException if the keyset is not one AES-GCM key
     */
    public static KeysetHandle of(KeysetHandle dataKey, String product) throws GeneralSecurityException {
        if (dataKey.size() != 1 || !(dataKey.getAt(0).getKey() instanceof AesGcmKey key)) {
            throw new GeneralSecurityException("a data key that is not one AES-GCM key cannot be bound to product " + product);
        }
        byte[] bytes = bytes(key.getKeyBytes().toByteArray(InsecureSecretKeyAccess.get()), product);
        AesGcmKey.Builder derived = AesGcmKey.builder()
                .setParameters(key.getParameters())
                .setKeyBytes(SecretBytes.copyFrom(bytes, InsecureSecretKeyAccess.get()));
        if (key.getIdRequirementOrNull() != null) {
            derived.setIdRequirement(key.getIdRequirementOrNull());
        }
        return KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.importKey(derived.build()).withFixedId(dataKey.getAt(0).getId()).makePrimary())
                .build();
    }

    /**
     * @param dataKey a data key's AES key bytes
     * @param product the product's address
     * @return the product key's AES key bytes, as long as the data key's
     */
    static byte[] bytes(byte[] dataKey, String product) {
        try {
            return Hkdf.computeHkdf("HMACSHA256", dataKey, SALT, product.getBytes(StandardCharsets.UTF_8), dataKey.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 is not available: " + e.getMessage(), e);
        }
    }
}
