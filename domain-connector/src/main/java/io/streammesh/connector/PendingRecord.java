package io.streammesh.connector;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An ingest record as the gate holds it while it waits (for its product's catalog entry, or its
 * data subject's key): everything the gate writes on (key, value, timestamp, headers), where it
 * came from, and since when it waits.
 *
 * @param partition its ingest partition
 * @param offset its ingest offset
 * @param timestamp its timestamp, kept on the product or dead-letter record
 * @param waitingSince when the gate first held it (the stream thread's wall clock)
 * @param key its key, or null
 * @param value its value, or null
 * @param headers its headers as the client wrote them
 * @param sealedWith the wrapped key that sealed {@code value} ({@link WaitingSeal}): every waiting
 *        record's, since the gate may not know yet whether its product encrypts fields, whose
 *        cleartext must not reach the store's changelog on the broker's disks; null for a value as
 *        the client wrote it
 * @param encrypted whether it started waiting under a contract that encrypts fields, so that its
 *        dead letter is encrypted even if its product left the catalog meanwhile
 * @param verdict why it goes to the dead-letter topic, if that is decided already: it waits only for
 *        its dead letter's key (an oversized one with its value cut as the dead-letter topic keeps
 *        it); null for a record yet to be checked
 */
record PendingRecord(int partition, long offset, long timestamp, long waitingSince, byte[] key, byte[] value, Headers headers,
                     byte[] sealedWith, boolean encrypted, DeadLetterReason verdict) {

    /** A record whose value is as the client wrote it. */
    PendingRecord(int partition, long offset, long timestamp, long waitingSince, byte[] key, byte[] value, Headers headers,
                  boolean encrypted) {
        this(partition, offset, timestamp, waitingSince, key, value, headers, null, encrypted);
    }

    /** A record whose value is whole. */
    PendingRecord(int partition, long offset, long timestamp, long waitingSince, byte[] key, byte[] value, Headers headers,
                  byte[] sealedWith, boolean encrypted) {
        this(partition, offset, timestamp, waitingSince, key, value, headers, sealedWith, encrypted, null);
    }

    /**
     * @param value its value instead
     * @param sealedWith the wrapped key that sealed that value, or null
     * @return the same record with another value
     */
    PendingRecord withValue(byte[] value, byte[] sealedWith) {
        return new PendingRecord(partition, offset, timestamp, waitingSince, key, value, headers, sealedWith, encrypted, verdict);
    }

    /**
     * @param reason why it goes to the dead-letter topic
     * @param value its value as its dead letter keeps it (an oversized one cut to the limit)
     * @return the same record, decided for the dead-letter topic, waiting only for its dead letter's key
     */
    PendingRecord deadLettered(DeadLetterReason reason, byte[] value) {
        return new PendingRecord(partition, offset, timestamp, waitingSince, key, value, headers, sealedWith, encrypted, reason);
    }

    /** @return whether its value is sealed */
    boolean sealed() {
        return sealedWith != null;
    }

    /** @return the record in the gate's store format */
    byte[] toBytes() {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeLong(timestamp);
            out.writeLong(waitingSince);
            writeBytes(out, key);
            writeBytes(out, value);
            Header[] all = headers.toArray();
            out.writeInt(all.length);
            for (Header header : all) {
                out.writeUTF(header.key());
                writeBytes(out, header.value());
            }
            writeBytes(out, sealedWith);
            out.writeBoolean(encrypted);
            out.writeBoolean(verdict != null);
            if (verdict != null) {
                out.writeUTF(verdict.rule());
                out.writeUTF(verdict.reason());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param bytes what {@link #toBytes()} wrote
     * @return the record
     */
    static PendingRecord fromBytes(byte[] bytes) {
        try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int partition = in.readInt();
            long offset = in.readLong();
            long timestamp = in.readLong();
            long waitingSince = in.readLong();
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            int count = in.readInt();
            List<Header> headers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                headers.add(new RecordHeader(in.readUTF(), readBytes(in)));
            }
            // records held before waiting records were sealed end with their headers; those held before every waiting
            // record was sealed, with their sealing key: then only those of products with encrypted fields were sealed
            byte[] sealedWith = in.available() > 0 ? readBytes(in) : null;
            boolean encrypted = in.available() > 0 ? in.readBoolean() : sealedWith != null;
            // and those held before a record could wait for its dead letter's key, with whether it was encrypted
            DeadLetterReason verdict = in.available() > 0 && in.readBoolean() ? new DeadLetterReason(in.readUTF(), in.readUTF()) : null;
            return new PendingRecord(partition, offset, timestamp, waitingSince, key, value, new RecordHeaders(headers), sealedWith,
                    encrypted, verdict);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        return length < 0 ? null : in.readNBytes(length);
    }
}
