package io.streammesh.enforcer;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * One product record's bytes with its top-level fields located ({@link ProductFields#locate}):
 * each field's bytes can be copied as they are, and a field is decoded only when something asks
 * for its value, at most once however many views ask.
 */
final class ProductRecord {

    private final ProductFields fields;
    private final byte[] bytes;
    private final int offset;
    private final int[] ends;
    private final GenericData.Record decoded;
    private final boolean[] read;

    ProductRecord(ProductFields fields, byte[] bytes, int offset, int[] ends) {
        this.fields = fields;
        this.bytes = bytes;
        this.offset = offset;
        this.ends = ends;
        this.decoded = new GenericData.Record(fields.schema());
        this.read = new boolean[ends.length];
    }

    /** @return the schema it was written with */
    Schema schema() {
        return fields.schema();
    }

    /** @return the bytes the fields lie in */
    byte[] bytes() {
        return bytes;
    }

    /** @return where a field's bytes start */
    int start(int field) {
        return field == 0 ? offset : ends[field - 1];
    }

    /** @return where a field's bytes end (exclusive) */
    int end(int field) {
        return ends[field];
    }

    /**
     * @param field a field's position
     * @return its value, as Avro's reader of the whole record would have given it
     */
    Object value(int field) {
        if (!read[field]) {
            decoded.put(field, fields.read(field, bytes, start(field), end(field)));
            read[field] = true;
        }
        return decoded.get(field);
    }

    /**
     * @param needed positions of the fields that will be read
     * @return the record with at least those fields decoded, the others unset
     */
    GenericRecord with(int[] needed) {
        for (int field : needed) {
            value(field);
        }
        return decoded;
    }
}
