package io.streammesh.keys;

import com.google.crypto.tink.proto.EncryptedKeyset;
import com.google.crypto.tink.proto.KeysetInfo;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A data subject's entry on {@code mesh.keys.<domain>}: its data key, a Tink keyset encrypted by
 * the domain's KEK (associated data {@code mesh.keys|<domain>|<subject>}, so that a wrapped key
 * copied to another subject's entry does not unwrap), or no key once the subject was erased; and
 * in both the ids of the subject's erased keys, so that what they encrypted reads as erased, not
 * forged, after the subject got a fresh key. An erasure is such an entry, not a tombstone: the key
 * material goes with compaction all the same, and the ids stay. The wrapped keyset carries its own
 * key ids in clear ({@link #keyIds}), so that an erasure made while the KMS does not unwrap the key
 * still names it.
 *
 * <p>Bytes: a format byte, then
 * <ul>
 *   <li>{@code 1}, a key of a subject with no erased key (what holders from before erased ids were
 *       kept read, so that they go on reading every key but those of erased subjects): the KEK version as 4 bytes, the wrapped keyset;
 *   <li>{@code 2}, a key of a subject with erased keys: the number of erased ids as 4 bytes, each as 4 bytes, the KEK
 *       version as 4 bytes, the wrapped keyset;
 *   <li>{@code 3}, an erasure: the number of erased ids as 4 bytes, each as 4 bytes.
 * </ul>
 *
 * @param kekVersion the KEK key that wrapped the key (the KEK keyset's primary key id when it wrapped); 0 for an erasure
 * @param wrapped the encrypted keyset, null for an erasure
 * @param erasedKeyIds the Tink key ids of the subject's erased data keys
 */
public record KeyEntry(int kekVersion, byte[] wrapped, Set<Integer> erasedKeyIds) {

    private static final byte FORMAT_KEY = 1;
    private static final byte FORMAT_KEY_AND_ERASED = 2;
    private static final byte FORMAT_ERASED = 3;

    /** Copies the ids. */
    public KeyEntry {
        erasedKeyIds = Set.copyOf(erasedKeyIds);
    }

    /**
     * @param erasedKeyIds the ids of every key the subject had
     * @return the entry of an erased subject
     */
    public static KeyEntry erasure(Set<Integer> erasedKeyIds) {
        return new KeyEntry(0, null, erasedKeyIds);
    }

    /**
     * The ids of the wrapped key, as its encrypted keyset states them in clear (Tink's
     * {@code keyset_info}, which {@link SubjectKeys} sets when it wraps a key, and Tink ignores when
     * it decrypts one, so that every holder reads the entry as before): no KMS is asked. Key ids are
     * no secret: every ciphertext starts with its key's.
     *
     * @return the ids; empty for an erasure, or for a key wrapped before they were stated
     */
    public Set<Integer> keyIds() {
        if (erased()) {
            return Set.of();
        }
        try {
            return EncryptedKeyset.parseFrom(wrapped, ExtensionRegistryLite.getEmptyRegistry()).getKeysetInfo().getKeyInfoList().stream()
                    .map(KeysetInfo.KeyInfo::getKeyId).collect(Collectors.toUnmodifiableSet());
        } catch (InvalidProtocolBufferException e) {
            // no encrypted keyset: nothing is stated, and unwrapping it says what is wrong
            return Set.of();
        }
    }

    /** @return whether this is an erasure: no key */
    public boolean erased() {
        return wrapped == null;
    }

    /** @return the record value */
    public byte[] toBytes() {
        if (!erased() && erasedKeyIds.isEmpty()) {
            return ByteBuffer.allocate(5 + wrapped.length).put(FORMAT_KEY).putInt(kekVersion).put(wrapped).array();
        }
        int ids = 4 + 4 * erasedKeyIds.size();
        ByteBuffer bytes = ByteBuffer.allocate(1 + ids + (erased() ? 0 : 4 + wrapped.length));
        bytes.put(erased() ? FORMAT_ERASED : FORMAT_KEY_AND_ERASED).putInt(erasedKeyIds.size());
        erasedKeyIds.forEach(bytes::putInt);
        if (!erased()) {
            bytes.putInt(kekVersion).put(wrapped);
        }
        return bytes.array();
    }

    /**
     * @param bytes a record value of a key topic
     * @return the entry
     * @throws IllegalArgumentException if the bytes are not a key entry
     */
    public static KeyEntry fromBytes(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] < FORMAT_KEY || bytes[0] > FORMAT_ERASED) {
            throw new IllegalArgumentException("not a data key entry (format " + (bytes.length == 0 ? "none" : bytes[0]) + ")");
        }
        var buffer = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        try {
            Set<Integer> erasedIds = new LinkedHashSet<>();
            if (bytes[0] != FORMAT_KEY) {
                int count = buffer.getInt();
                if (count < 0 || count > buffer.remaining() / 4) {
                    throw new IllegalArgumentException("not a data key entry (" + count + " erased key ids)");
                }
                for (int i = 0; i < count; i++) {
                    erasedIds.add(buffer.getInt());
                }
            }
            if (bytes[0] == FORMAT_ERASED) {
                if (buffer.hasRemaining()) {
                    throw new IllegalArgumentException("not a data key entry (" + buffer.remaining() + " bytes after an erasure)");
                }
                return erasure(erasedIds);
            }
            int version = buffer.getInt();
            if (!buffer.hasRemaining()) {
                throw new IllegalArgumentException("not a data key entry (no wrapped key)");
            }
            byte[] wrapped = new byte[buffer.remaining()];
            buffer.get(wrapped);
            return new KeyEntry(version, wrapped, erasedIds);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("not a data key entry (cut short)", e);
        }
    }

    /**
     * @param domain the key topic's domain
     * @param subject the subject id
     * @return the associated data binding a wrapped key to its entry
     */
    static byte[] associatedData(String domain, String subject) {
        return ("mesh.keys|" + domain + "|" + subject).getBytes(StandardCharsets.UTF_8);
    }
}
