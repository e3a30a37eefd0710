package io.streammesh.catalog;

import java.util.Optional;

/**
 * The portal's live health charts open now (a product page each, a push every
 * {@link Portal#HEALTH_PUSH_INTERVAL}, written by {@link HealthPushes}): at most {@code perPrincipal}
 * of one principal and {@code total} in all, so that no tenant opening streams without end slows
 * every other page's charts or takes every writer. Thread-safe.
 */
final class HealthStreams {

    private final PrincipalShares open;

    /**
     * @param perPrincipal the most streams one principal may have open
     * @param total the most streams open in all
     */
    HealthStreams(int perPrincipal, int total) {
        this.open = new PrincipalShares(perPrincipal, total);
    }

    /**
     * @param principal who opens a stream, {@code User:<name>}
     * @return why it may not, empty if it is counted open: {@link #close} it once it ends
     */
    Optional<String> open(String principal) {
        return open.take(principal).map(full -> switch (full) {
            case PRINCIPAL -> principal + " has " + open.perPrincipal()
                    + " live health charts open, the most it may; close a product page first";
            case ALL -> "the catalog shows " + open.total() + " live health charts now, the most it may; reload later";
        });
    }

    /** @param principal whose stream, counted by {@link #open}, ended */
    void close(String principal) {
        open.release(principal);
    }
}
