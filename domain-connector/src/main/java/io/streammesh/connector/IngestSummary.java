package io.streammesh.connector;

import java.util.List;
import java.util.Map;

/**
 * What a file ingest did with each input line. Every line is in exactly one of the counts:
 * {@code lines == sent + deadLettered + errors.size() + inDoubt.size()}. Sent and dead-lettered
 * lines are in committed batches, visible to every reader; the lines in {@code errors} are in no
 * topic.
 *
 * @param lines the data lines read (a CSV header not included)
 * @param sent lines that became records on the product topic
 * @param deadLetteredByRule lines dead-lettered, by the rule they broke
 * @param errors lines that are in neither topic, with their line numbers and why
 * @param inDoubt lines of a batch whose commit the broker never confirmed: they are on the
 *        product or its dead-letter topic, or in neither
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

    /** @return whether every line became a record on the product topic */
    public boolean allSent() {
        return sent == lines;
    }
}
