package io.streammesh.keys;

import java.nio.ByteBuffer;

/**
 * A data subject's data key as {@code mesh.keys.<domain>} holds it: the Tink keyset encrypted by
 * the domain's KEK, with associated data {@code mesh.keys|<domain>|<subject>} so that a wrapped key
 * copied to another subject's entry does not unwrap. Bytes: format byte {@code 1}, the KEK version
 * (the KEK keyset's primary key id when it wrapped) as 4 bytes, then the wrapped keyset.
 *
 * @param kekVersion the KEK key that wrapped it
 * @param wrapped the encrypted keyset
 */
public record WrappedKey(int kekVersion, byte[] wrapped) {

    private static final byte FORMAT = 1;

    /** @return the record value */
    public byte[] toBytes() {
        return ByteBuffer.allocate(5 + wrapped.length).put(FORMAT).putInt(kekVersion).put(wrapped).array();
    }

    /**
     * @param bytes a record value of a key topic
     * @return the wrapped key
     * @throws IllegalArgumentException if the bytes are not a wrapped key
     */
    public static WrappedKey fromBytes(byte[] bytes) {
        if (bytes.length < 6 || bytes[0] != FORMAT) {
            throw new IllegalArgumentException("not a wrapped data key (format " + (bytes.length == 0 ? "none" : bytes[0]) + ")");
        }
        var buffer = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        int version = buffer.getInt();
        byte[] wrapped = new byte[buffer.remaining()];
        buffer.get(wrapped);
        return new WrappedKey(version, wrapped);
    }

    /**
     * @param domain the key topic's domain
     * @param subject the subject id
     * @return the associated data binding a wrapped key to its entry
     */
    static byte[] associatedData(String domain, String subject) {
        return ("mesh.keys|" + domain + "|" + subject).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
