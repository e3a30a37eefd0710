package io.streammesh.connector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

/**
 * Writes records of one registered schema in the mesh's wire format (magic byte 0, the schema's
 * 4-byte contentId, the Avro body), the bytes Apicurio's serializer writes for them. The id and
 * schema come from the product's registration, read once when its producer opens, so sending a
 * record never calls the registry: a registry outage cannot turn a good record into a failure,
 * and a record that cannot be written fails for what it holds, never for the infrastructure.
 */
final class WireWriter {

    private static final byte MAGIC = 0;

    private final byte[] header;
    private final DatumWriter<Object> generic;
    private final DatumWriter<Object> specific;

    /**
     * @param schema the registered schema records are written with
     * @param contentId its id, as records carry it
     */
    WireWriter(Schema schema, long contentId) {
        int id = Math.toIntExact(contentId);
        this.header = new byte[] {MAGIC, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        this.generic = new GenericDatumWriter<>(schema);
        // A generated class brings its own conversions (Instant for timestamp-millis), found by the schema's name.
        this.specific = new SpecificDatumWriter<>(schema);
    }

    /**
     * @param record a record
     * @return its bytes
     * @throws RuntimeException (Avro's, or a ClassCastException or NullPointerException) if the
     *         record does not fit the schema
     */
    byte[] write(GenericRecord record) {
        // Kafka's stream, not the JDK's: every write to a ByteArrayOutputStream takes its lock, one a field
        var out = new ByteBufferOutputStream(128);
        out.write(header, 0, header.length);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            (record instanceof SpecificRecord ? specific : generic).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.copyOf(out.buffer().array(), out.position());
    }
}
