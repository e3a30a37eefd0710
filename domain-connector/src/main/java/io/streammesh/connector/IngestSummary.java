package io.streammesh.connector;

import java.util.List;
import java.util.Map;

/**
 * What a file ingest did with each input line. Every line is in exactly one of the counts:
 * {@code lines == sent + deadLettered + errors.size() + inDoubt.size()}. Sent and dead-lettered
 * lines are in committed batches on the ingest topic, visible to the contract gate, which writes
 * them to the product or its dead-letter topic as the producer's verdict says; the lines in
 * {@code errors} are in no topic.
 *
 * @param lines the data lines read (a CSV header not included)
 * @param sent lines that passed the contract: the gate writes them to the product topic
 * @param deadLetteredByRule lines that broke a rule, by rule: the gate writes them to the
 *        dead-letter topic
 * @param errors lines that are in neither topic, with their line numbers and why
 * @param inDoubt lines of a batch whose commit the broker never confirmed: they are on the
 *        ingest topic, or not
 * @param stoppedBy why the ingest stopped sending before the end of the file (the broker failed a
 *        batch), or null if it did not
 */
public record IngestSummary(long lines, long sent, Map<String, Long> deadLetteredByRule, List<LineError> errors,
                            List<LineError> inDoubt, String stoppedBy) {

    /**
     * @param line the line's number in the file, from 1
     * @param reason why it is in no topic
     */
    public record LineError(long line, String reason) {
    }

    /** @return lines dead-lettered, whatever the rule */
    public long deadLettered() {
        return deadLetteredByRule.values().stream().mapToLong(Long::longValue).sum();
    }

    /** @return whether every line passed the contract, on its way to the product topic */
    public boolean allSent() {
        return sent == lines;
    }
}
