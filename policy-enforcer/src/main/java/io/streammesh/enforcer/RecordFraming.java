package io.streammesh.enforcer;

import io.streammesh.client.WireAvro;
import org.apache.avro.Schema;

/**
 * What surrounds the Avro body of product and view records: in the mesh, the wire format's
 * magic byte and schema id ({@link #wire}); in topology tests, nothing.
 */
interface RecordFraming {

    /**
     * @param record a product record
     * @return the schema it was written with, the same instance for every record of that schema
     * @throws IllegalArgumentException if the record is not framed as expected
     */
    Schema writer(byte[] record);

    /** @return where a product record's Avro body starts */
    int bodyOffset();

    /**
     * @param subject the subject the schema is registered under (on first use)
     * @param schema a view's schema
     * @return what each view record of that schema starts with
     */
    byte[] header(String subject, Schema schema);

    /** @return the mesh's wire format, schemas looked up and registered through {@code wire} */
    static RecordFraming wire(WireAvro wire) {
        return new RecordFraming() {
            @Override
            public Schema writer(byte[] record) {
                return wire.writerSchema(record);
            }

            @Override
            public int bodyOffset() {
                return WireAvro.HEADER_LENGTH;
            }

            @Override
            public byte[] header(String subject, Schema schema) {
                return wire.header(subject, schema);
            }
        };
    }
}
