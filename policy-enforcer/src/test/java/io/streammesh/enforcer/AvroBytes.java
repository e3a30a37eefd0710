package io.streammesh.enforcer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;

/** Plain Avro binary (no wire-format header) for the topology and view record tests. */
final class AvroBytes {

    private AvroBytes() {
    }

    static byte[] encode(GenericRecord record) {
        return encode(record, false);
    }

    /** Blocked encoding writes arrays and maps as sized blocks (negative counts), as some writers do. */
    static byte[] encode(GenericRecord record, boolean blocked) {
        try {
            var out = new ByteArrayOutputStream();
            Encoder encoder = blocked ? EncoderFactory.get().blockingBinaryEncoder(out, null) : EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GenericRecord decode(byte[] bytes, Schema schema) {
        try {
            return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
