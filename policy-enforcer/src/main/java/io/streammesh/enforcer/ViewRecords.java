package io.streammesh.enforcer;

import io.streammesh.schema.LocatedRecord;
import io.streammesh.schema.Mask;
import io.streammesh.schema.ViewSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

/**
 * Writes one view's records from one writer schema's product records: the fields the view leaves
 * alone are copied byte for byte, masked ones are written anew. {@code redact} empties the value
 * (null where the field may be null), {@code hash} replaces it with its keyed HMAC-SHA256 in hex
 * (the same value always gives the same hash, so views stay joinable, but it cannot be reversed
 * without the key), {@code truncate(n)} keeps the first n characters. A field the product's
 * contract encrypts is always written anew: {@code encrypted} (its default) passes the
 * product's ciphertext through, the other masks apply to its cleartext (decrypted in memory),
 * and an erased subject's is null.
 *
 * <p>The view's schema is derived from the writer schema ({@link ViewSchemas}), so its fields
 * are the product's, in the same order. Used by one stream thread at a time.
 */
final class ViewRecords {

    /** Each byte's two hex digits, at twice its value: one look-up a byte of the hash. */
    private static final byte[] HEX_PAIRS = new byte[512];

    static {
        byte[] digits = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        for (int b = 0; b < 256; b++) {
            HEX_PAIRS[2 * b] = digits[b >> 4];
            HEX_PAIRS[2 * b + 1] = digits[b & 0xf];
        }
    }

    private static final int HASH_TEXT_START = 2;

    private final List<Schema.Field> fields;
    private final byte[] header;
    private final Mask[] masks;
    private final boolean[] encrypted;
    /** Hashed from the field's bytes as they lie: a plain string's or bytes' content is exactly what its value's hash covers. */
    private final boolean[] hashesBytes;
    private final byte[][] redacted;
    private final GenericDatumWriter<Object>[] writers;
    private final Mac mac;
    private final byte[] digest = new byte[32];
    /** A hash as Avro writes a string: its length 64 as a zig-zag varint (0x80 0x01), then 64 hex digits. */
    private final byte[] hashText = new byte[HASH_TEXT_START + 64];
    /** Kafka's stream, not the JDK's: every write to a ByteArrayOutputStream takes its lock, several a record. */
    private final ByteBufferOutputStream out = new ByteBufferOutputStream(256);
    private final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);

    /** A field the mask cannot handle; the record goes to the view's dead-letter topic. */
    static final class MaskFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MaskFailure(String message) {
            super(message);
        }
    }

    /**
     * @param product the product's writer schema
     * @param view the view's schema, derived from it
     * @param masks the view's masks by field name
     * @param key the product's hashing key ({@link #productKey})
     * @param header what each view record starts with (the view schema's wire-format header)
     * @throws MaskFailure if a field cannot be redacted (a record, say)
     */
    ViewRecords(Schema product, Schema view, Map<String, Mask> masks, byte[] key, byte[] header) {
        this(product, view, masks, Set.of(), key, header);
    }

    /**
     * @param product the product's writer schema
     * @param view the view's schema, derived from it with {@code encrypted}
     * @param masks the view's masks by field name, one for each encrypted field
     * @param encrypted the fields the product's contract encrypts: their masks apply to the
     *        cleartext {@link ProductDecryption} opened, {@code hash} with the subject's own key,
     *        and they are null for an erased subject
     * @param key the product's hashing key ({@link #productKey})
     * @param header what each view record starts with (the view schema's wire-format header)
     * @throws MaskFailure if a field cannot be redacted (a record, say)
     */
    @SuppressWarnings("unchecked")
    ViewRecords(Schema product, Schema view, Map<String, Mask> masks, Set<String> encrypted, byte[] key, byte[] header) {
        this.fields = view.getFields();
        this.encrypted = new boolean[fields.size()];
        this.header = header.clone();
        this.masks = new Mask[fields.size()];
        this.hashesBytes = new boolean[fields.size()];
        this.redacted = new byte[fields.size()][];
        this.writers = new GenericDatumWriter[fields.size()];
        for (Schema.Field field : fields) {
            int i = field.pos();
            Mask mask = masks.get(field.name());
            this.masks[i] = mask;
            this.encrypted[i] = encrypted.contains(field.name());
            if (mask == null) {
                if (this.encrypted[i]) {
                    throw new MaskFailure("field " + field.name() + " is encrypted and has no mask in the view");
                }
                continue;
            }
            writers[i] = new GenericDatumWriter<>(field.schema());
            Schema.Type type = product.getFields().get(i).schema().getType();
            switch (mask.kind()) {
                case REDACT -> {
                    out.position(0);
                    write(i, empty(field.schema(), field.name()));
                    redacted[i] = written();
                }
                case HASH -> hashesBytes[i] = !this.encrypted[i] && (type == Schema.Type.STRING || type == Schema.Type.BYTES);
                case TRUNCATE, ENCRYPTED -> { }
            }
        }
        this.mac = KeyedHash.hmac(key);
        hashText[0] = (byte) 0x80;
        hashText[1] = 0x01;
    }

    /**
     * @param product a product record of the writer schema the view's schema was derived from
     * @return the view record's bytes, header included
     * @throws MaskFailure if a masked field holds what its mask cannot handle
     */
    byte[] write(LocatedRecord product) {
        return write(product, null);
    }

    /**
     * @param product a product record of the writer schema the view's schema was derived from
     * @param decryption its encrypted fields, opened in the record; null for a product without encryption
     * @return the view record's bytes, header included
     * @throws MaskFailure if a masked field holds what its mask cannot handle
     */
    byte[] write(LocatedRecord product, ProductDecryption decryption) {
        out.position(0);
        out.write(header, 0, header.length);
        byte[] bytes = product.bytes();
        int copyFrom = -1;
        for (int i = 0; i < masks.length; i++) {
            if (masks[i] == null) {
                if (copyFrom < 0) {
                    copyFrom = product.start(i);
                }
                continue;
            }
            if (copyFrom >= 0) {
                out.write(bytes, copyFrom, product.start(i) - copyFrom);
                copyFrom = -1;
            }
            if (encrypted[i]) {
                writeEncrypted(i, product, decryption);
                continue;
            }
            switch (masks[i].kind()) {
                case REDACT -> out.write(redacted[i], 0, redacted[i].length);
                case HASH -> {
                    if (hashesBytes[i]) {
                        writeHashOfContent(bytes, product.start(i), product.end(i));
                    } else {
                        write(i, hash(product.value(i)));
                    }
                }
                case TRUNCATE -> write(i, truncated(product.value(i), i, masks[i]));
                case ENCRYPTED -> throw new MaskFailure("field " + fields.get(i).name() + " is not encrypted by the product's contract");
            }
        }
        if (copyFrom >= 0) {
            out.write(bytes, copyFrom, product.end(masks.length - 1) - copyFrom);
        }
        return written();
    }

    /** @return what was written since the stream's position was last set to 0 (its buffer may have been replaced, larger) */
    private byte[] written() {
        return Arrays.copyOf(out.buffer().array(), out.position());
    }

    /** An erased subject's field is null whatever its mask; otherwise the mask applies to the cleartext. */
    private void writeEncrypted(int i, LocatedRecord product, ProductDecryption decryption) {
        if (decryption == null) {
            throw new MaskFailure("field " + fields.get(i).name() + " is encrypted and the record was not decrypted");
        }
        if (decryption.erased()) {
            write(i, null);
            return;
        }
        switch (masks[i].kind()) {
            case REDACT -> out.write(redacted[i], 0, redacted[i].length);
            case HASH -> write(i, decryption.hash(product.value(i)));
            case TRUNCATE -> write(i, truncated(product.value(i), i, masks[i]));
            case ENCRYPTED -> write(i, decryption.ciphertext(i));
        }
    }

    private void write(int field, Object value) {
        try {
            writers[field].write(value, encoder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String truncated(Object value, int field, Mask mask) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof CharSequence text)) {
            throw new MaskFailure("field " + fields.get(field).name() + " holds " + value.getClass().getSimpleName()
                    + ", which truncate cannot shorten");
        }
        return text.length() <= mask.length() ? text.toString() : text.subSequence(0, mask.length()).toString();
    }

    private static Object empty(Schema type, String field) {
        return switch (type.getType()) {
            case UNION -> type.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL) ? null
                    : empty(type.getTypes().get(0), field);
            case STRING -> "";
            case INT -> 0;
            case LONG -> 0L;
            case FLOAT -> 0f;
            case DOUBLE -> 0d;
            case BOOLEAN -> false;
            case BYTES -> ByteBuffer.allocate(0);
            case ARRAY -> List.of();
            case MAP -> Map.of();
            case ENUM -> new GenericData.EnumSymbol(type, type.getEnumSymbols().get(0));
            default -> throw new MaskFailure("field " + field + " is a " + type.getType().getName() + ", which redact cannot empty");
        };
    }

    private String hash(Object value) {
        return KeyedHash.hex(mac, value);
    }

    /**
     * Writes the hash of a plain string's or bytes' value, taken from its Avro bytes (a length,
     * then the content), as the view's plain string field holds it: the same bytes as writing
     * {@link #hash}'s text, without making the text.
     */
    private void writeHashOfContent(byte[] bytes, int start, int end) {
        int content = start;
        while (bytes[content] < 0) {
            content++;
        }
        content++;
        mac.update(bytes, content, end - content);
        try {
            mac.doFinal(digest, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("an HMAC-SHA256 is 32 bytes", e);
        }
        for (int i = 0, at = HASH_TEXT_START; i < digest.length; i++, at += 2) {
            int pair = 2 * (digest[i] & 0xff);
            hashText[at] = HEX_PAIRS[pair];
            hashText[at + 1] = HEX_PAIRS[pair + 1];
        }
        out.write(hashText, 0, hashText.length);
    }

    /**
     * @param secret the mesh's view secret
     * @param address a product address
     * @return that product's hashing key: a product's hashes cannot be matched with another's
     */
    static byte[] productKey(byte[] secret, String address) {
        return KeyedHash.hmac(secret).doFinal(address.getBytes(StandardCharsets.UTF_8));
    }
}
