package io.streammesh.enforcer;

import io.streammesh.client.WireAvro;
import org.apache.avro.Schema;

/**
 * What surrounds the Avro body of product records: in the mesh, the wire format's magic byte
 * and schema id ({@link #wire}); in topology tests, nothing. (View records' headers come with
 * their schemas' registration, from {@link ViewPreparation}.)
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

    /** @return the mesh's wire format, schemas looked up through {@code wire} */
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
        };
    }
}
