package io.streammesh.catalog;

import java.util.OptionalLong;

/**
 * How many records of each product's ingest topic the contract gate has not processed yet, as
 * last measured. Read by the health punctuation on the stream thread; measured elsewhere
 * ({@link GateLagPoller}), since Admin calls must not block a stream thread.
 */
@FunctionalInterface
interface GateLags {

    /**
     * @param address a product's address
     * @return records in {@code <address>.ingest} past the gate's committed offsets, or empty while unknown
     */
    OptionalLong of(String address);
}
