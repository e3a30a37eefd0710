package io.streammesh.enforcer;

import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * One writer schema of a product, for finding where each top-level field of a record lies in
 * its Avro binary body. A view copies the fields it keeps byte for byte and decodes only those
 * it filters on or masks: decoding and re-encoding every field cost a view more than all the
 * rest of its work.
 *
 * <p>Finding a field means skipping the ones before it. The skip checks what Avro's own does
 * not, so that bytes a view copies are as sound as bytes it decodes: lengths within the record,
 * union branches and enum symbols in range, collection sizes within Avro's limits. Used by one
 * stream thread at a time.
 */
final class ProductFields {

    private final Schema schema;
    private final List<Schema.Field> fields;
    private final GenericDatumReader<?>[] readers;
    private final ProductRecord current;
    private BinaryDecoder decoder;

    ProductFields(Schema schema) {
        this.schema = schema;
        this.fields = schema.getFields();
        this.readers = new GenericDatumReader<?>[fields.size()];
        this.current = new ProductRecord(this);
    }

    /** @return the writer schema */
    Schema schema() {
        return schema;
    }

    /**
     * @param bytes a record, its Avro body starting at {@code offset} and running to the end
     * @param offset where the body starts
     * @return the record with its fields located, valid until the next call
     * @throws IllegalArgumentException naming the field whose bytes are not what its schema says
     */
    ProductRecord locate(byte[] bytes, int offset) {
        var cursor = new Cursor(bytes, offset);
        int[] ends = current.reset(bytes, offset);
        for (Schema.Field field : fields) {
            try {
                cursor.skip(field.schema());
            } catch (IllegalArgumentException | SystemLimitException e) {
                throw new IllegalArgumentException("field " + field.name() + ": " + e.getMessage(), e);
            }
            ends[field.pos()] = cursor.position;
        }
        return current;
    }

    /** Decodes one field's bytes as Avro's reader for the whole record would have. */
    Object read(int field, byte[] bytes, int start, int end) {
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

    /** A position in a record's bytes, moved forward over values of a schema. */
    private static final class Cursor {
        private final byte[] bytes;
        private int position;

        Cursor(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        void skip(Schema schema) {
            switch (schema.getType()) {
                case NULL -> { }
                case BOOLEAN -> advance(1);
                case INT, LONG -> varLong();
                case FLOAT -> advance(4);
                case DOUBLE -> advance(8);
                case STRING, BYTES -> advance(varLong());
                case FIXED -> advance(schema.getFixedSize());
                case ENUM -> index(schema.getEnumSymbols().size(), "enum symbol");
                case UNION -> skip(schema.getTypes().get(index(schema.getTypes().size(), "union branch")));
                case RECORD -> schema.getFields().forEach(field -> skip(field.schema()));
                case ARRAY -> blocks(schema.getElementType(), false);
                case MAP -> blocks(schema.getValueType(), true);
            }
        }

        /** Arrays and maps come in blocks: a count (negative when followed by the block's size in bytes), then the items; 0 ends. */
        private void blocks(Schema items, boolean keyed) {
            long total = 0;
            for (long count = varLong(); count != 0; count = varLong()) {
                if (count < 0) {
                    count = -count;
                    total = SystemLimitException.checkMaxCollectionLength(total, count);
                    advance(varLong());
                    continue;
                }
                total = SystemLimitException.checkMaxCollectionLength(total, count);
                if (!keyed && empty(items)) {
                    continue;
                }
                for (long i = 0; i < count; i++) {
                    if (keyed) {
                        advance(varLong());
                    }
                    skip(items);
                }
            }
        }

        /** Items with nothing to skip: looping over a claimed billion of them would only burn time. */
        private static boolean empty(Schema schema) {
            return schema.getType() == Schema.Type.NULL
                    || schema.getType() == Schema.Type.RECORD && schema.getFields().stream().allMatch(field -> empty(field.schema()));
        }

        private int index(int size, String what) {
            long index = varLong();
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
