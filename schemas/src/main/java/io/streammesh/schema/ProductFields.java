package io.streammesh.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.Utf8;

/**
 * One writer schema of a product, for finding where each top-level field of a record lies in
 * its Avro binary body. A view copies the fields it keeps byte for byte and decodes only those
 * it filters on or masks, and the contract gate decodes only the fields its quality rules read:
 * decoding every field cost either more than all the rest of its own work.
 *
 * <p>Finding a field means skipping the ones before it. The skip checks what Avro's own does
 * not, so that bytes a view copies are as sound as bytes it decodes: lengths within the record,
 * union branches and enum symbols in range, collection sizes within Avro's limits. Used by one
 * stream thread at a time.
 */
public final class ProductFields {

    private final Schema schema;
    private final List<Schema.Field> fields;
    /** The fields' schemas by position: the loop over every record's fields does not iterate the list. */
    private final Schema[] fieldSchemas;
    private final GenericDatumReader<?>[] readers;
    private final Decoding[] decodings;
    private final LocatedRecord current;
    private BinaryDecoder decoder;

    /** @param schema a writer schema of the product, a record schema */
    public ProductFields(Schema schema) {
        this(schema, false);
    }

    /**
     * @param schema a writer schema of the product, a record schema
     * @param javaStrings whether a plain string field is decoded as a {@link String} rather than as
     *        Avro's {@link Utf8}: for a reader that wants the text (CEL rules, a subject id), which
     *        would otherwise copy the bytes into a {@code Utf8} and then decode them
     */
    public ProductFields(Schema schema, boolean javaStrings) {
        this.schema = schema;
        this.fields = schema.getFields();
        this.fieldSchemas = fields.stream().map(Schema.Field::schema).toArray(Schema[]::new);
        this.readers = new GenericDatumReader<?>[fields.size()];
        this.decodings = fields.stream().map(field -> Decoding.of(field.schema(), javaStrings)).toArray(Decoding[]::new);
        this.current = new LocatedRecord(this);
    }

    /** @return the writer schema */
    public Schema schema() {
        return schema;
    }

    /**
     * @param bytes a record, its Avro body starting at {@code offset} and running to the end
     * @param offset where the body starts
     * @return the record with its fields located, valid until the next call
     * @throws IllegalArgumentException naming the field whose bytes are not what its schema says
     */
    public LocatedRecord locate(byte[] bytes, int offset) {
        var cursor = new Cursor(bytes, offset);
        int[] ends = current.reset(bytes, offset);
        for (int field = 0; field < fieldSchemas.length; field++) {
            try {
                cursor.skip(fieldSchemas[field]);
            } catch (IllegalArgumentException | AvroRuntimeException | UnsupportedOperationException e) {
                // Avro's limit checks throw the latter two (SystemLimitException is an AvroRuntimeException)
                throw new IllegalArgumentException("field " + fields.get(field).name() + ": " + e.getMessage(), e);
            }
            ends[field] = cursor.position;
        }
        return current;
    }

    /**
     * Decodes one field's bytes as Avro's reader for the whole record would have. Numbers and
     * plain strings are read straight from the bytes, which {@link #locate} has checked: Avro's
     * reader costs more to set up for one value than the value costs to read.
     */
    Object read(int field, byte[] bytes, int start, int end) {
        switch (decodings[field]) {
            case INT:
                return new Cursor(bytes, start).varInt();
            case LONG:
                return new Cursor(bytes, start).varLong();
            case FLOAT:
                return Float.intBitsToFloat((int) littleEndian(bytes, start, 4));
            case DOUBLE:
                return Double.longBitsToDouble(littleEndian(bytes, start, 8));
            case BOOLEAN:
                return bytes[start] == 1;
            case UTF8:
                return new Utf8(Arrays.copyOfRange(bytes, new Cursor(bytes, start).afterLength(), end));
            case STRING:
                int text = new Cursor(bytes, start).afterLength();
                return new String(bytes, text, end - text, StandardCharsets.UTF_8);
            default:
                break;
        }
        if (readers[field] == null) {
            readers[field] = new GenericDatumReader<>(fields.get(field).schema());
        }
        try {
            decoder = DecoderFactory.get().binaryDecoder(bytes, start, end - start, decoder);
            return readers[field].read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("field " + fields.get(field).name() + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** How a field's value is decoded: straight from its bytes, or by Avro's reader. */
    private enum Decoding {
        INT, LONG, FLOAT, DOUBLE, BOOLEAN, UTF8, STRING, READER;

        static Decoding of(Schema schema, boolean javaStrings) {
            return switch (schema.getType()) {
                case INT -> INT;
                case LONG -> LONG;
                case FLOAT -> FLOAT;
                case DOUBLE -> DOUBLE;
                case BOOLEAN -> BOOLEAN;
                // a java-class property makes Avro's reader build that class from the text
                case STRING -> schema.getProp(SpecificData.CLASS_PROP) != null ? READER
                        : javaStrings || GenericData.StringType.String.name().equals(schema.getProp(GenericData.STRING_PROP)) ? STRING : UTF8;
                default -> READER;
            };
        }
    }

    private static long littleEndian(byte[] bytes, int start, int length) {
        long value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = value << 8 | bytes[start + i] & 0xff;
        }
        return value;
    }

    /** A position in a record's bytes, moved forward over values of a schema. */
    private static final class Cursor {
        /**
         * The most items without content (nulls, records of nulls) one record may hold: they take
         * no bytes, and a consumer's reader allocates room for every one claimed.
         */
        private static final int MAX_EMPTY_ITEMS = 1 << 16;

        private final byte[] bytes;
        private int position;
        private long emptyItems;

        Cursor(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        void skip(Schema schema) {
            switch (schema.getType()) {
                case NULL -> { }
                case BOOLEAN -> advance(1);
                case INT -> varInt();
                case LONG -> varLong();
                case FLOAT -> advance(4);
                case DOUBLE -> advance(8);
                case STRING -> advance(SystemLimitException.checkMaxStringLength(length()));
                case BYTES -> advance(SystemLimitException.checkMaxBytesLength(length()));
                case FIXED -> advance(schema.getFixedSize());
                case ENUM -> index(schema.getEnumSymbols().size(), "enum symbol");
                case UNION -> skip(schema.getTypes().get(index(schema.getTypes().size(), "union branch")));
                case RECORD -> schema.getFields().forEach(field -> skip(field.schema()));
                case ARRAY -> blocks(schema.getElementType(), false);
                case MAP -> blocks(schema.getValueType(), true);
            }
        }

        /**
         * Arrays and maps come in blocks: a count (negative when followed by the block's size in
         * bytes), then the items; 0 ends. A block's size must be exactly its items': Avro's reader
         * reads the items and ignores the size, so bytes it claims beyond them would be read as
         * the fields after the collection by every consumer, and as something else here.
         */
        private void blocks(Schema items, boolean keyed) {
            long total = 0;
            for (long count = varLong(); count != 0; count = varLong()) {
                long size = -1;
                if (count < 0) {
                    count = -count;
                    size = varLong();
                }
                total = SystemLimitException.checkMaxCollectionLength(total, count);
                int start = position;
                if (!keyed && empty(items)) {
                    // nothing to skip, but every consumer's reader allocates the claimed items
                    emptyItems += count;
                    if (emptyItems > MAX_EMPTY_ITEMS) {
                        throw new IllegalArgumentException("more than " + MAX_EMPTY_ITEMS + " items without content");
                    }
                } else {
                    for (long i = 0; i < count; i++) {
                        if (keyed) {
                            advance(SystemLimitException.checkMaxStringLength(length()));
                        }
                        skip(items);
                    }
                }
                if (size >= 0 && position - start != size) {
                    throw new IllegalArgumentException("a block of " + count + " items says it is " + size + " bytes long, its items are "
                            + (position - start));
                }
            }
        }

        /** Items with nothing to skip: looping over a claimed billion of them would only burn time. */
        private static boolean empty(Schema schema) {
            return schema.getType() == Schema.Type.NULL
                    || schema.getType() == Schema.Type.RECORD && schema.getFields().stream().allMatch(field -> empty(field.schema()));
        }

        /** A string's or bytes' length: Avro's limit checks take a negative one for too long, not for malformed. */
        private long length() {
            long length = varLong();
            if (length < 0) {
                throw new IllegalArgumentException("a length of " + length);
            }
            return length;
        }

        private int index(int size, String what) {
            long index = varInt();
            if (index < 0 || index >= size) {
                throw new IllegalArgumentException(what + " " + index + " of " + size);
            }
            return (int) index;
        }

        private void advance(long length) {
            if (length < 0 || length > bytes.length - position) {
                throw new IllegalArgumentException("the record ends before its " + length + " bytes");
            }
            position += (int) length;
        }

        /**
         * Avro's zig-zag variable-length int as its decoder reads it: at most 5 bytes, the bits
         * beyond 32 dropped.
         */
        private int varInt() {
            int raw = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (position >= bytes.length) {
                    throw new IllegalArgumentException("the record ends inside a number");
                }
                byte b = bytes[position++];
                raw |= (b & 0x7f) << shift;
                if (b >= 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new IllegalArgumentException("an int longer than 5 bytes");
        }

        /** @return where a string's bytes start, after its length */
        int afterLength() {
            varLong();
            return position;
        }

        /** Avro's zig-zag variable-length long. */
        private long varLong() {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= bytes.length) {
                    throw new IllegalArgumentException("the record ends inside a number");
                }
                byte b = bytes[position++];
                raw |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new IllegalArgumentException("a number longer than 10 bytes");
        }
    }
}
