package io.streammesh.schema;

import java.nio.ByteBuffer;

/** An Avro {@code bytes} value as Avro's Java API holds it, a {@link ByteBuffer}, read without moving it. */
public final class AvroBytes {

    private AvroBytes() {
    }

    /**
     * @param value a bytes field's value
     * @return a copy of its remaining bytes; the buffer's position stays where it was, so the next
     *         reader of the field (a serializer, another mask) still sees all of it
     */
    public static byte[] copyOf(ByteBuffer value) {
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        return bytes;
    }
}
