package io.streammesh.catalog;

/**
 * How many access records one writer (one principal's request or decision topic) may put through
 * the access task every principal shares ({@link AccessOrder}): a token bucket of {@link CatalogConfig.AccessRate#burst}
 * records, refilled at {@link CatalogConfig.AccessRate#recordsPerSecond}. It runs on the records'
 * timestamps, which the broker sets on those topics (log append time), so a writer cannot fake
 * them, and records the catalog reads late, after an outage, count at the rate they were written.
 * Thread safe: the access task may move between stream threads.
 */
final class WriterRate {

    private final CatalogConfig.AccessRate limit;
    private double tokens;
    private long last = Long.MIN_VALUE;

    WriterRate(CatalogConfig.AccessRate limit) {
        this.limit = limit;
        this.tokens = limit.burst();
    }

    /**
     * @param timestamp the record's (broker) timestamp
     * @return whether the record is within the writer's rate; if so, it is counted
     */
    synchronized boolean take(long timestamp) {
        if (last != Long.MIN_VALUE && timestamp > last) {
            tokens = Math.min(limit.burst(), tokens + (timestamp - last) * limit.recordsPerSecond() / 1_000.0);
        }
        last = Math.max(last, timestamp);
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
