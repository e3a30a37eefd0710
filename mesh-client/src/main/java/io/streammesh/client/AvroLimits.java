package io.streammesh.client;

import java.lang.reflect.Method;
import org.apache.avro.SystemLimitException;

/**
 * Avro's limits on what one record may claim, for every JVM that decodes records a client wrote.
 * Avro allocates a string, a byte array or a collection at the length the record declares, before
 * reading it, and by default allows two billion: a record of ten bytes claiming a two-gigabyte
 * string takes a shared app's heap (an {@link OutOfMemoryError}, which no record handler catches,
 * so the task reads it again after every restart). Under these limits it is an
 * {@link SystemLimitException}, the record's own failure, dead-lettered or rejected like any other.
 * The limits are far above any record a broker accepts (1 MB by default).
 */
public final class AvroLimits {

    /** The longest string or byte array a record may claim, in bytes. */
    public static final int MAX_BYTES = 8 << 20;
    /** The most items an array or map in a record may claim. */
    public static final int MAX_ITEMS = 2_000_000;

    private AvroLimits() {
    }

    /** Sets the limits as system properties unless the JVM was started with its own; call before Avro decodes anything. */
    public static void setUnlessSet() {
        setUnlessSet(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_BYTES);
        setUnlessSet(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_BYTES);
        setUnlessSet(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_ITEMS);
    }

    /**
     * Makes sure the limits are in force: set, and read by Avro. Avro reads them once, when it
     * first checks a length; if that happened before they were set (Avro used first by the
     * embedding application), it is made to read them again.
     *
     * @throws IllegalStateException if Avro cannot be made to apply them
     */
    public static void requireInForce() {
        setUnlessSet();
        if (inForce()) {
            return;
        }
        try {
            Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
            reset.setAccessible(true);
            reset.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Avro was used before its limits were set and cannot be made to read them again: start the JVM"
                    + " with -D" + SystemLimitException.MAX_STRING_LENGTH_PROPERTY + "=" + MAX_BYTES + " (and the bytes and collection limits)", e);
        }
        if (!inForce()) {
            throw new IllegalStateException("Avro's limits are not in force: " + SystemLimitException.MAX_STRING_LENGTH_PROPERTY + " is "
                    + System.getProperty(SystemLimitException.MAX_STRING_LENGTH_PROPERTY));
        }
    }

    /** @return whether Avro refuses a string longer than the limit (a JVM started with lower limits is fine too) */
    private static boolean inForce() {
        try {
            SystemLimitException.checkMaxStringLength(MAX_BYTES + 1L);
            return false;
        } catch (SystemLimitException refused) {
            return true;
        }
    }

    private static void setUnlessSet(String property, int limit) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(limit));
        }
    }
}
