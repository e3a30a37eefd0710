package io.streammesh.connector;

import io.streammesh.client.RecordSerdes;
import io.streammesh.keys.SubjectKeys;
import java.time.Duration;
import java.util.Objects;

/**
 * What the contract gate's topology needs.
 *
 * @param serdes the serdes of the mesh's records (the catalog)
 * @param schemas where products' schemas are looked up
 * @param maxValueBytes the largest record value the gate checks; a larger one goes to the
 *        dead-letter topic (kept well below the broker's message size, so that it fits there
 *        with its reason headers)
 * @param pendingWait how long a record of a product the catalog does not have yet waits for it
 *        before it goes to the dead-letter topic
 * @param keys the data subjects' keys, with which the gate encrypts the fields contracts list
 */
public record GateConfig(RecordSerdes serdes, ProductSchemas schemas, int maxValueBytes, Duration pendingWait, SubjectKeys keys) {

    /** The default value size limit, 512 KiB. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 512 * 1024;
    /** How long a record waits by default for its product to be catalogued: publishing admits a product within seconds. */
    public static final Duration DEFAULT_PENDING_WAIT = Duration.ofMinutes(2);

    /** @throws IllegalArgumentException if the limit or the wait is not positive */
    public GateConfig {
        Objects.requireNonNull(serdes, "serdes");
        Objects.requireNonNull(schemas, "schemas");
        Objects.requireNonNull(keys, "keys");
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("the gate's value size limit must be positive, not " + maxValueBytes);
        }
        if (pendingWait == null || pendingWait.isNegative() || pendingWait.isZero()) {
            throw new IllegalArgumentException("the gate's pendingWait must be positive, not " + pendingWait);
        }
    }

    /**
     * @param serdes the serdes of the mesh's records
     * @param schemas where products' schemas are looked up
     * @param keys the data subjects' keys
     * @return a config with the default size limit and wait
     */
    public static GateConfig of(RecordSerdes serdes, ProductSchemas schemas, SubjectKeys keys) {
        return new GateConfig(serdes, schemas, DEFAULT_MAX_VALUE_BYTES, DEFAULT_PENDING_WAIT, keys);
    }
}
