package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

/**
 * How an encrypted field is written in a product record, in one place for the gate that encrypts
 * and every holder that decrypts: the AEAD ciphertext of the field's value under its subject's
 * key for the product ({@link ProductKey}), with associated data {@code <address>|<field>|<subject>} (so it cannot be moved to
 * another product, field or subject); a string field holds {@code mesh:enc:v1:} and the
 * ciphertext in base64, a bytes field the ciphertext itself.
 */
public final class FieldCipher {

    /** What an encrypted string field starts with. */
    public static final String PREFIX = "mesh:enc:v1:";
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

    private FieldCipher() {
    }

    /**
     * @param address the product's address
     * @param field the field's name
     * @param subject the record's subject id
     * @return the associated data that binds a ciphertext to its place
     */
    public static byte[] associatedData(String address, String field, String subject) {
        return associatedData(place(address, field), subject);
    }

    /**
     * The part of {@link #associatedData} that every record of a product's field shares, for a
     * holder that binds many records (the gate): the address and field are encoded once, not per record.
     *
     * @param address the product's address
     * @param field the field's name
     * @return {@code <address>|<field>|} in UTF-8
     */
    public static byte[] place(String address, String field) {
        return (address + "|" + field + "|").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param place {@link #place} of the product and field
     * @param subject the record's subject id
     * @return the same bytes as {@link #associatedData(String, String, String)} of that product, field and subject
     */
    public static byte[] associatedData(byte[] place, String subject) {
        byte[] id = subject.getBytes(StandardCharsets.UTF_8);
        byte[] bound = Arrays.copyOf(place, place.length + id.length);
        System.arraycopy(id, 0, bound, place.length, id.length);
        return bound;
    }

    /**
     * @param key the subject's key for the product ({@link ProductKey})
     * @param text a string field's value
     * @param associatedData {@link #associatedData}
     * @return the encrypted field, {@code mesh:enc:v1:<base64>}
     * @throws GeneralSecurityException if encryption fails
     */
    public static String encrypt(Aead key, String text, byte[] associatedData) throws GeneralSecurityException {
        return new String(encryptUtf8(key, text.getBytes(StandardCharsets.UTF_8), associatedData), StandardCharsets.US_ASCII);
    }

    /**
     * The same as {@link #encrypt(Aead, String, byte[])}, from the text's UTF-8 bytes to the
     * encrypted field's: for a writer that has the text's bytes as a record holds them, and writes
     * the field's bytes (the gate), with no string decoded or encoded on the way.
     *
     * @param key the subject's key for the product ({@link ProductKey})
     * @param utf8 a string field's value in UTF-8
     * @param associatedData {@link #associatedData}
     * @return the encrypted field, {@code mesh:enc:v1:<base64>}, in UTF-8 (all of it ASCII)
     * @throws GeneralSecurityException if encryption fails
     */
    public static byte[] encryptUtf8(Aead key, byte[] utf8, byte[] associatedData) throws GeneralSecurityException {
        byte[] encoded = Base64.getEncoder().encode(key.encrypt(utf8, associatedData));
        byte[] field = Arrays.copyOf(PREFIX_BYTES, PREFIX_BYTES.length + encoded.length);
        System.arraycopy(encoded, 0, field, PREFIX_BYTES.length, encoded.length);
        return field;
    }

    /**
     * @param key the subject's key for the product ({@link ProductKey})
     * @param encrypted an encrypted string field
     * @param associatedData {@link #associatedData} of the record it is read from
     * @return the cleartext
     * @throws GeneralSecurityException if it is not an encrypted field, or not one of this key, product, field and subject
     */
    public static String decrypt(Aead key, String encrypted, byte[] associatedData) throws GeneralSecurityException {
        return text(key.decrypt(ciphertext(encrypted), associatedData));
    }

    /**
     * @param encrypted an encrypted string field
     * @return the ciphertext it holds
     * @throws GeneralSecurityException if it is not an encrypted field
     */
    static byte[] ciphertext(String encrypted) throws GeneralSecurityException {
        if (!isEncrypted(encrypted)) {
            throw new GeneralSecurityException("not an encrypted field (" + PREFIX + "…)");
        }
        try {
            return Base64.getDecoder().decode(encrypted.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("an encrypted field that is not base64", e);
        }
    }

    /** @return a string field's decrypted bytes as its text */
    static String text(byte[] cleartext) {
        return new String(cleartext, StandardCharsets.UTF_8);
    }

    /**
     * @param value a string field's value
     * @return whether it holds a ciphertext
     */
    public static boolean isEncrypted(String value) {
        return value != null && value.startsWith(PREFIX);
    }
}
