package io.streammesh.connector;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * @param cutFrom the length of the value the client wrote, if over the gate's limit: the record
 *        waits only for its dead letter's key, and {@code value} is its first bytes, as the
 *        dead-letter topic keeps them; 0 for a value kept whole
 */
record PendingRecord(int partition, long offset, long timestamp, long waitingSince, byte[] key, byte[] value, Headers headers,
                     byte[] sealedWith, boolean encrypted, int cutFrom) {

    /** A record whose value is as the client wrote it. */
    PendingRecord(int partition, long offset, long timestamp, long waitingSince, byte[] key, byte[] value, Headers headers,
                  boolean encrypted) {
        this(partition, offset, timestamp, waitingSince, key, value, headers, null, encrypted);
    }

    /** A record whose value is whole. */
    PendingRecord(int partition, long offset, long timestamp, long waitingSince, byte[] key, byte[] value, Headers headers,
                  byte[] sealedWith, boolean encrypted) {
        this(partition, offset, timestamp, waitingSince, key, value, headers, sealedWith, encrypted, 0);
    }

    /**
     * @param value its value instead
     * @param sealedWith the wrapped key that sealed that value, or null
     * @return the same record with another value
     */
    PendingRecord withValue(byte[] value, byte[] sealedWith) {
        return new PendingRecord(partition, offset, timestamp, waitingSince, key, value, headers, sealedWith, encrypted, cutFrom);
    }

    /**
     * @param limit the gate's limit on a value's bytes, which this record's value is over
     * @return the same record with its value cut to the limit, as its dead letter keeps it
     */
    PendingRecord cut(int limit) {
        return new PendingRecord(partition, offset, timestamp, waitingSince, key, Arrays.copyOf(value, limit), headers, sealedWith, encrypted,
                value.length);
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
            out.writeInt(cutFrom);
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
            // and those held before an oversized record could wait for its dead letter's key, with whether it was encrypted
            int cutFrom = in.available() > 0 ? in.readInt() : 0;
            return new PendingRecord(partition, offset, timestamp, waitingSince, key, value, new RecordHeaders(headers), sealedWith,
                    encrypted, cutFrom);
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
