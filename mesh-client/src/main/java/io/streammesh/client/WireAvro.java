package io.streammesh.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * GenericRecords in the mesh's wire format (magic byte 0, 4-byte contentId, Avro binary) for
 * hot paths that handle every record of many products: readers are made once per schema id and
 * headers once per schema. Apicurio's serdes (2.6) rebuild the schema's JSON and re-resolve a
 * reader for each record, which cost a view five times the work of a plain copy; the bytes are
 * the same.
 */
public final class WireAvro {

    /** Bytes before a record's Avro body: the magic byte and the 4-byte schema id. */
    public static final int HEADER_LENGTH = 5;
    private static final byte MAGIC = 0;

    private final SchemaRegistry registry;
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();
    private final Map<Registered, byte[]> headers = new ConcurrentHashMap<>();
    private final ThreadLocal<Decoding> decodings = ThreadLocal.withInitial(Decoding::new);
    private volatile LastReader lastReader;

    /**
     * A schema under one subject: the same schema under two subjects is registered under each (and
     * Avro's equality ignores docs, so two views' schemas that differ only there are still two).
     */
    private record Registered(String subject, Schema schema) {
    }

    /** @param registry where schemas are looked up and registered */
    public WireAvro(SchemaRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param bytes a record in the wire format
     * @return it, read with its writer's schema
     * @throws IllegalArgumentException if the bytes are not in the wire format
     */
    public GenericRecord decode(byte[] bytes) {
        int id = schemaId(bytes);
        var reader = reader(id);
        try {
            Decoding reuse = decodings.get();
            reuse.decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, reuse.decoder);
            return reader.read(null, reuse.decoder);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read it with schema id " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param bytes a record in the wire format
     * @return the schema it was written with, the same instance for every record of that schema
     * @throws IllegalArgumentException if the bytes are not in the wire format
     */
    public Schema writerSchema(byte[] bytes) {
        return reader(schemaId(bytes)).getSchema();
    }

    /**
     * The bytes a record of this schema starts with, for callers that write the Avro body
     * themselves.
     *
     * @param subject the subject the schema is registered under (once, on first use)
     * @param schema the schema
     * @return the magic byte and the schema's id
     */
    public byte[] header(String subject, Schema schema) {
        return headers.computeIfAbsent(new Registered(subject, schema), key -> {
            int id = Math.toIntExact(registry.register(key.subject(), key.schema().toString()).contentId());
            return new byte[] {MAGIC, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        }).clone();
    }

    private static int schemaId(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_LENGTH || bytes[0] != MAGIC) {
            throw new IllegalArgumentException("not in the Confluent wire format (magic byte 0 and a 4-byte schema id)");
        }
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    /**
     * The last reader asked for first (a product's records come with one schema id for long runs;
     * the map's look-up boxes the id), then a get: the computeIfAbsent's lambda would be made for
     * every record.
     */
    private GenericDatumReader<GenericRecord> reader(int id) {
        LastReader last = lastReader;
        if (last != null && last.id() == id) {
            return last.reader();
        }
        var reader = readers.get(id);
        if (reader == null) {
            reader = readers.computeIfAbsent(id, key -> new GenericDatumReader<>(new Schema.Parser().parse(registry.schemaById(key))));
        }
        lastReader = new LastReader(id, reader);
        return reader;
    }

    /** A schema id and its reader, read and replaced whole by any thread. */
    private record LastReader(int id, GenericDatumReader<GenericRecord> reader) {
    }

    /** A thread's decoder, reused from record to record. */
    private static final class Decoding {
        private BinaryDecoder decoder;
    }
}
