package io.streammesh.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The demo's records in the shape of a product's published schema: a user may have evolved a demo
 * product (a newer minor version with a field added, say), and the demo then writes to it as
 * published, by Avro's schema resolution (added fields take their defaults).
 */
final class RecordFit {

    private final Schema published;
    private final boolean same;

    /**
     * @param demo the schema of the demo's generated records
     * @param published the product's registered schema
     */
    RecordFit(Schema demo, Schema published) {
        this.published = published;
        this.same = demo.equals(published);
    }

    /**
     * @param record a demo record
     * @return the record itself when the schemas are the same, else it read with the published schema
     * @throws org.apache.avro.AvroRuntimeException if the published schema cannot read it
     */
    GenericRecord apply(SpecificRecord record) {
        if (same) {
            return (GenericRecord) record;
        }
        try {
            var out = new ByteArrayOutputStream(128);
            var encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            var reader = new GenericDatumReader<GenericRecord>(record.getSchema(), published);
            return reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
