package io.streammesh.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The hash chain of {@code mesh.audit}: on each partition, every event carries the hash of the
 * one before it ({@code prevHash}) and its own {@code hash = SHA-256(prevHash ‖ canonical bytes)},
 * where the canonical bytes are the event's Avro binary encoding, by its own schema, with
 * {@code hash} set to the empty string. Changing, removing or inserting an event breaks every
 * hash after it; the first event of a partition follows {@link #GENESIS}.
 */
public final class AuditChain {

    /** The {@code prevHash} of a partition's first event. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /**
     * @param event an audit event (a generated {@code AuditEvent} or a record read by its writer's schema)
     * @return the hash it must carry, given the {@code prevHash} it carries
     */
    public static String hashOf(GenericRecord event) {
        // Generated records carry java.time values: copy and write them with their own model.
        GenericData model = event instanceof SpecificRecord ? SpecificData.getForSchema(event.getSchema()) : GenericData.get();
        GenericRecord unsealed = model.deepCopy(event.getSchema(), event);
        unsealed.put("hash", "");
        String prevHash = String.valueOf(event.get("prevHash"));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash.getBytes(StandardCharsets.UTF_8));
            sha.update(canonicalBytes(unsealed, model));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static byte[] canonicalBytes(GenericRecord record, GenericData model) {
        var out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(record.getSchema(), model).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
