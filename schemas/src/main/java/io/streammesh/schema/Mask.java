package io.streammesh.schema;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a view hides one field.
 *
 * @param kind what it does
 * @param length for {@link Kind#TRUNCATE}, how many characters are kept
 */
public record Mask(Kind kind, int length) {

    private static final Pattern TRUNCATE = Pattern.compile("truncate\\((\\d{1,6})\\)");

    /** What a mask does to a value. */
    public enum Kind {
        /** Null for a nullable field, else the empty value of its type. */
        REDACT,
        /** Keyed HMAC-SHA256, hex: joinable across records, not reversible. */
        HASH,
        /** The first {@code length} characters. */
        TRUNCATE,
        /**
         * The product's ciphertext of a field the contract encrypts, unchanged (bound to the
         * product's address), for consumers allowed to decrypt.
         */
        ENCRYPTED
    }

    /**
     * @param text {@code redact}, {@code hash}, {@code truncate(n)} or {@code encrypted}
     * @return the mask
     * @throws IllegalArgumentException saying what is accepted
     */
    public static Mask parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("redact")) {
            return new Mask(Kind.REDACT, 0);
        }
        if (t.equals("hash")) {
            return new Mask(Kind.HASH, 0);
        }
        if (t.equals("encrypted")) {
            return new Mask(Kind.ENCRYPTED, 0);
        }
        var m = TRUNCATE.matcher(t);
        if (m.matches()) {
            return new Mask(Kind.TRUNCATE, Integer.parseInt(m.group(1)));
        }
        throw new IllegalArgumentException("unknown mask '" + text + "'; use redact, hash, truncate(n) or encrypted");
    }

    @Override
    public String toString() {
        return kind == Kind.TRUNCATE ? "truncate(" + length + ")" : kind.name().toLowerCase(Locale.ROOT);
    }
}
