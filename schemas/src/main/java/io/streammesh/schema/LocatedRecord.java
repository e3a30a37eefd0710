package io.streammesh.schema;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * One product record's bytes with its top-level fields located ({@link ProductFields#locate}):
 * each field's bytes can be copied as they are, and a field is decoded only when something asks
 * for its value, at most once however many views ask. One instance per writer schema serves
 * record after record, as a stream task handles its records one at a time.
 */
public final class LocatedRecord {

    private final ProductFields fields;
    private final int[] ends;
    private final boolean[] read;
    private final GenericData.Record decoded;
    private byte[] bytes;
    private int offset;

    LocatedRecord(ProductFields fields) {
        this.fields = fields;
        this.ends = new int[fields.schema().getFields().size()];
        this.read = new boolean[ends.length];
        this.decoded = new GenericData.Record(fields.schema());
    }

    /** Starts on another record; its fields' ends are set next. */
    int[] reset(byte[] bytes, int offset) {
        this.bytes = bytes;
        this.offset = offset;
        for (int field = 0; field < read.length; field++) {
            if (read[field]) {
                decoded.put(field, null);
                read[field] = false;
            }
        }
        return ends;
    }

    /** @return the schema it was written with */
    public Schema schema() {
        return fields.schema();
    }

    /** @return the bytes the fields lie in */
    public byte[] bytes() {
        return bytes;
    }

    /** @return where a field's bytes start */
    public int start(int field) {
        return field == 0 ? offset : ends[field - 1];
    }

    /** @return where a field's bytes end (exclusive) */
    public int end(int field) {
        return ends[field];
    }

    /** @return where the record's last field ends (exclusive): bytes after it are no part of the record */
    public int end() {
        return ends.length == 0 ? offset : ends[ends.length - 1];
    }

    /**
     * @param field a field's position
     * @return its value, as Avro's reader of the whole record would have given it
     */
    public Object value(int field) {
        if (!read[field]) {
            decoded.put(field, fields.read(field, bytes, start(field), end(field)));
            read[field] = true;
        }
        return decoded.get(field);
    }

    /**
     * Sets a field's value as decoding it would not give it: an encrypted field's cleartext,
     * decrypted in memory (the policy-enforcer's {@code ProductDecryption}), until the next record. Its bytes stay as they lie.
     *
     * @param field a field's position
     * @param value what {@link #value} gives for it from now on
     */
    public void open(int field, Object value) {
        decoded.put(field, value);
        read[field] = true;
    }

    /**
     * @param needed positions of the fields that will be read
     * @return the record with at least those fields decoded, the others unset
     */
    public GenericRecord with(int[] needed) {
        for (int field : needed) {
            value(field);
        }
        return decoded;
    }
}
