package io.streammesh.keys;

import java.util.Map;

/**
 * Where wrapped data keys are kept, per domain: {@code mesh.keys.<domain>} ({@link KafkaKeyLog}).
 * Not thread-safe: {@link SubjectKeys} calls it under its lock.
 */
public interface KeyLog extends AutoCloseable {

    /** One entry seen on a domain's key log. */
    @FunctionalInterface
    interface Entry {
        /**
         * @param domain the domain whose log it is on
         * @param subject the subject id
         * @param value a {@link KeyEntry}'s bytes (null: a subject erased before erasures were entries)
         */
        void accept(String domain, String subject, byte[] value);
    }

    /**
     * Reads what was written on {@code domain}'s log since the last call for it (from the start the
     * first time). Other domains' logs may be read too, or not: a domain's long log must not keep
     * another's reader waiting.
     *
     * @param domain a domain that is about to be used
     * @param entries receives each entry, in log order
     */
    void catchUp(String domain, Entry entries);

    /**
     * Writes durably (acknowledged by every in-sync replica) before it returns: no value is ever
     * encrypted with a key that is not on the log.
     *
     * @param domain the domain
     * @param subject the subject id
     * @param value a {@link KeyEntry}'s bytes
     */
    void write(String domain, String subject, byte[] value);

    /**
     * Writes as {@link #write} does, and says whether the entry is the next one a read of the
     * log would see: nothing else reached its partition since this log last read it. Then the
     * holder knows the log up to and including its own entry without reading it (the read
     * position moves past it), which spares a round trip per new data key.
     *
     * @param domain the domain
     * @param subject the subject id
     * @param value a {@link KeyEntry}'s bytes
     * @return true if the entry followed what this log had read, false if the log must be read to know
     */
    default boolean writeNext(String domain, String subject, byte[] value) {
        write(domain, subject, value);
        return false;
    }

    /**
     * Writes several entries as {@link #write} does, sent together and acknowledged together, and
     * says whether they are the next ones a read of the log would see, in their order: nothing
     * else reached their partitions since this log last read them.
     *
     * @param domain the domain
     * @param entries each subject's {@link KeyEntry}'s bytes, in the order written
     * @return true if the entries followed what this log had read, false if the log must be read to know
     */
    default boolean writeAllNext(String domain, Map<String, byte[]> entries) {
        entries.forEach((subject, value) -> write(domain, subject, value));
        return false;
    }

    /** @return whether this log is written by its holder (a reader-only holder never writes, not even to repair an entry) */
    default boolean writes() {
        return true;
    }

    @Override
    void close();
}
