package io.streammesh.connector;

/**
 * Where the contract gate will put one record sent through a {@link ProductProducer}: the
 * producer's verdict, reached with the same contract as the gate's.
 *
 * @param destination the product topic or its dead-letter topic
 * @param rule the broken rule, for a dead-lettered record; null otherwise
 * @param reason why it was dead-lettered; null otherwise
 * @param partition the partition of the ingest topic it was written to
 * @param offset its offset there
 */
public record Delivery(Destination destination, String rule, String reason, int partition, long offset) {

    /** Where a record goes. */
    public enum Destination {
        /** The product topic: it passed every rule. */
        PRODUCT,
        /** {@code <address>.dlq}: it broke a rule or does not fit the schema. */
        DEAD_LETTER
    }

    /** @return whether it goes to the dead-letter topic */
    public boolean deadLettered() {
        return destination == Destination.DEAD_LETTER;
    }
}
