package io.streammesh.enforcer;

import io.streammesh.schema.AvroBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code hash} mask's HMAC-SHA256: a value's keyed hash in hex, the same for the same value and
 * key (so views stay joinable) and unlinkable without the key. Views key it with the product's
 * secret, or for an encrypted field with the data subject's own derived key.
 */
final class KeyedHash {

    private KeyedHash() {
    }

    /**
     * @param key the HMAC key
     * @return an HMAC-SHA256 with that key (not thread-safe: one per task)
     */
    static Mac hmac(byte[] key) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
            return hmac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * @param hmac the keyed hash
     * @param value a field's value: bytes as they are, anything else as its UTF-8 text
     * @return its keyed hash in hex, or null for null
     */
    static String hex(Mac hmac, Object value) {
        if (value == null) {
            return null;
        }
        byte[] bytes;
        if (value instanceof ByteBuffer buffer) {
            bytes = AvroBytes.copyOf(buffer);
        } else {
            bytes = value.toString().getBytes(StandardCharsets.UTF_8);
        }
        return HexFormat.of().formatHex(hmac.doFinal(bytes));
    }
}
