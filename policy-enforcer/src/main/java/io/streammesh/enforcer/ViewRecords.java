package io.streammesh.enforcer;

import io.streammesh.schema.Mask;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Applies a view's masks to one record: {@code redact} empties the value (null where the field
 * may be null), {@code hash} replaces it with its keyed HMAC-SHA256 in hex (the same value always
 * gives the same hash, so views stay joinable, but it cannot be reversed without the key),
 * {@code truncate(n)} keeps the first n characters.
 */
final class ViewRecords {

    /** A Mac is costly to make and not thread safe: one per thread, keyed once. */
    private final ThreadLocal<Mac> mac;

    /** @param key the product's hashing key */
    ViewRecords(byte[] key) {
        byte[] copy = key.clone();
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac hmac = Mac.getInstance("HmacSHA256");
                hmac.init(new SecretKeySpec(copy, "HmacSHA256"));
                return hmac;
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    /** A field the mask cannot handle; the record goes to the view's dead-letter topic. */
    static final class MaskFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MaskFailure(String message) {
            super(message);
        }
    }

    /**
     * Where each field of a view comes from in one product schema, and its mask: worked out once
     * per writer schema, so that a record costs no lookups by name.
     *
     * @param view the view's schema
     * @param sources for each view field, its position in the product schema, or -1 if it has none
     * @param masks for each view field, its mask or null
     */
    record Layout(Schema view, int[] sources, Mask[] masks) {
        static Layout of(Schema product, Schema view, Map<String, Mask> masks) {
            List<Schema.Field> fields = view.getFields();
            int[] sources = new int[fields.size()];
            Mask[] fieldMasks = new Mask[fields.size()];
            for (Schema.Field field : fields) {
                Schema.Field source = product.getField(field.name());
                sources[field.pos()] = source == null ? -1 : source.pos();
                fieldMasks[field.pos()] = masks.get(field.name());
            }
            return new Layout(view, sources, fieldMasks);
        }
    }

    GenericRecord apply(GenericRecord product, Layout layout) {
        GenericRecord out = new GenericData.Record(layout.view());
        List<Schema.Field> fields = layout.view().getFields();
        for (int i = 0; i < layout.sources().length; i++) {
            if (layout.sources()[i] < 0) {
                throw new MaskFailure("field " + fields.get(i).name() + " is missing from the record");
            }
            Object value = product.get(layout.sources()[i]);
            Mask mask = layout.masks()[i];
            out.put(i, mask == null ? value : masked(value, fields.get(i), mask));
        }
        return out;
    }

    private Object masked(Object value, Schema.Field field, Mask mask) {
        return switch (mask.kind()) {
            case HASH -> value == null ? null : hash(value);
            case TRUNCATE -> {
                if (value == null) {
                    yield null;
                }
                if (!(value instanceof CharSequence text)) {
                    throw new MaskFailure("field " + field.name() + " holds " + value.getClass().getSimpleName() + ", which truncate cannot shorten");
                }
                yield text.length() <= mask.length() ? text.toString() : text.subSequence(0, mask.length()).toString();
            }
            case REDACT -> empty(field.schema(), field.name());
        };
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
        byte[] bytes = value instanceof ByteBuffer buffer ? toArray(buffer) : value.toString().getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(mac.get().doFinal(bytes));
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /**
     * @param secret the mesh's view secret
     * @param address a product address
     * @return that product's hashing key: a product's hashes cannot be matched with another's
     */
    static byte[] productKey(byte[] secret, String address) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(address.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
