package io.streammesh.cli;

import java.time.Duration;

/**
 * How the demo sends rule breakers without breaking its own SLO: the catalog judges a product's
 * dead-letter rate per wall-clock health window (records and dead letters counted together), so
 * the demo spends at most half of the product's {@code maxViolationRate} in each such window, and
 * none in a window's last seconds, whose records the catalog may count in the next window.
 */
final class BreakerBudget {

    /** The share of records that may break a rule when a product declares no dead-letter SLO. */
    static final double WITHOUT_SLO = 0.1;
    private static final Duration LAST_SECONDS = Duration.ofSeconds(5);

    private final double share;
    private final long window;
    private long windowStart = Long.MIN_VALUE;
    private long records;
    private long breakers;

    /**
     * @param maxViolationRate the product's SLO, or null when it declares none
     * @param window the catalog's health window
     */
    BreakerBudget(Double maxViolationRate, Duration window) {
        this.share = maxViolationRate == null ? WITHOUT_SLO : maxViolationRate / 2;
        this.window = window.toMillis();
    }

    /**
     * Counts the next record and says whether it may break a rule.
     *
     * @param now the wall clock, in epoch milliseconds
     * @return true if the record may break a rule and still keep the window within the SLO
     */
    synchronized boolean nextBreaks(long now) {
        long start = now - Math.floorMod(now, window);
        if (start != windowStart) {
            windowStart = start;
            records = 0;
            breakers = 0;
        }
        boolean breaks = now < start + window - LAST_SECONDS.toMillis() && breakers + 1 <= share * (records + 1);
        records++;
        if (breaks) {
            breakers++;
        }
        return breaks;
    }
}
