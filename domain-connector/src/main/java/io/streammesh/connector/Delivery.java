package io.streammesh.connector;

/**
 * Where one record sent through a {@link ProductProducer} ended up.
 *
 * @param destination the product topic or its dead-letter topic
 * @param rule the broken rule, for a dead-lettered record; null otherwise
 * @param reason why it was dead-lettered; null otherwise
 * @param partition the partition it was written to (the ingest topic's, through the contract gate)
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

    /** @return whether it went to the dead-letter topic */
    public boolean deadLettered() {
        return destination == Destination.DEAD_LETTER;
    }
}
