package io.streammesh.catalog;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The portal's live health charts open now (a product page each, a push every
 * {@link Portal#HEALTH_PUSH_INTERVAL} on one thread): at most {@code perPrincipal} of one
 * principal and {@code total} in all, so that no tenant opening streams without end slows every
 * other page's charts and the catalog's health sampling. Thread-safe.
 */
final class HealthStreams {

    private final int perPrincipal;
    private final int total;
    /** Guarded by {@code this}. */
    private final Map<String, Integer> open = new HashMap<>();
    private int openInAll;

    /**
     * @param perPrincipal the most streams one principal may have open
     * @param total the most streams open in all
     */
    HealthStreams(int perPrincipal, int total) {
        this.perPrincipal = perPrincipal;
        this.total = total;
    }

    /**
     * @param principal who opens a stream, {@code User:<name>}
     * @return why it may not, empty if it is counted open: {@link #close} it once it ends
     */
    synchronized Optional<String> open(String principal) {
        int own = open.getOrDefault(principal, 0);
        if (own >= perPrincipal) {
            return Optional.of(principal + " has " + perPrincipal + " live health charts open, the most it may; close a product page first");
        }
        if (openInAll >= total) {
            return Optional.of("the catalog shows " + total + " live health charts now, the most it may; reload later");
        }
        open.put(principal, own + 1);
        openInAll++;
        return Optional.empty();
    }

    /** @param principal whose stream, counted by {@link #open}, ended */
    synchronized void close(String principal) {
        Integer own = open.get(principal);
        if (own == null) {
            return;
        }
        if (own == 1) {
            open.remove(principal);
        } else {
            open.put(principal, own - 1);
        }
        openInAll--;
    }
}
