package io.streammesh.enforcer;

import java.nio.ByteBuffer;

/**
 * A product record held back until its product's views are prepared, as it is kept in the
 * processor's store: timestamp, then key and value each with their length (-1 for null).
 *
 * @param key the record's key, or null
 * @param value the record's value, or null (a tombstone)
 * @param timestamp the record's timestamp
 */
record HeldRecord(byte[] key, byte[] value, long timestamp) {

    /** @return the stored form */
    byte[] bytes() {
        var buffer = ByteBuffer.allocate(Long.BYTES + 2 * Integer.BYTES + length(key) + length(value));
        buffer.putLong(timestamp);
        put(buffer, key);
        put(buffer, value);
        return buffer.array();
    }

    /**
     * @param bytes a stored form
     * @return the record it holds
     */
    static HeldRecord of(byte[] bytes) {
        var buffer = ByteBuffer.wrap(bytes);
        long timestamp = buffer.getLong();
        byte[] key = get(buffer);
        return new HeldRecord(key, get(buffer), timestamp);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static void put(ByteBuffer buffer, byte[] bytes) {
        buffer.putInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            buffer.put(bytes);
        }
    }

    private static byte[] get(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }
}
