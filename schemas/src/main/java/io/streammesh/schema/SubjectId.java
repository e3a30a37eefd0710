package io.streammesh.schema;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The rule for a data subject's id, the value of a contract's {@code encryption.subject} field:
 * the key of the subject's data key on {@code mesh.keys.<domain>}, of an erasure request on
 * {@code mesh.erasures.<domain>} and of the {@code SUBJECT_ERASED} audit event. Not empty, at most
 * {@value #MAX_LENGTH} characters, no control characters (it reaches terminals and the audit), and
 * not under {@link #RESERVED_PREFIX}, where the platform keeps its own keys (each product's
 * dead-letter key): a record or an erasure naming one would share or destroy it.
 */
public final class SubjectId {

    /** Longest subject id, in characters. */
    public static final int MAX_LENGTH = 256;
    /** What only the platform's own subjects start with. */
    public static final String RESERVED_PREFIX = MeshTopics.PLATFORM_PREFIX;

    private SubjectId() {
    }

    /**
     * The subject id a field's value gives: its text, or for a {@code bytes} field its bytes as
     * lower-case hex.
     *
     * @param value the field's value (a CharSequence, a ByteBuffer, or any other Avro value)
     * @return the subject id, empty for null
     */
    public static String of(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof ByteBuffer buffer) {
            return HexFormat.of().formatHex(AvroBytes.copyOf(buffer));
        }
        return value.toString();
    }

    /**
     * @param what what holds the id, for the message, e.g. {@code field customerId}
     * @param subject the id
     * @return why it is no subject id, naming {@code what} but never quoting the id (it may be
     *         personal data); empty if it is one
     */
    public static Optional<String> problem(String what, String subject) {
        if (subject == null || subject.isEmpty()) {
            return Optional.of(what + " is empty; a data subject id is required");
        }
        if (subject.length() > MAX_LENGTH) {
            return Optional.of(what + " is " + subject.length() + " characters long; a data subject id may be at most " + MAX_LENGTH);
        }
        if (subject.startsWith(RESERVED_PREFIX)) {
            return Optional.of(what + " starts with '" + RESERVED_PREFIX + "', which is reserved for the platform's own keys");
        }
        return FreeText.controlProblem(what, subject);
    }
}
