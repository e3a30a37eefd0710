package io.streammesh.catalog;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How much of something the API has only so much of (calls in flight, live health streams) each
 * principal holds now: at most {@code perPrincipal} of one principal and {@code total} in all, so
 * that no tenant takes what every other tenant needs. Thread-safe.
 */
final class PrincipalShares {

    /** Which bound a refused take met. */
    enum Full {
        /** The principal holds its share. */
        PRINCIPAL,
        /** All is taken. */
        ALL
    }

    private final int perPrincipal;
    private final int total;
    /** Guarded by {@code this}. */
    private final Map<String, Integer> held = new HashMap<>();
    private int heldInAll;

    /**
     * @param perPrincipal the most one principal may hold
     * @param total the most held in all
     */
    PrincipalShares(int perPrincipal, int total) {
        this.perPrincipal = perPrincipal;
        this.total = total;
    }

    /**
     * @param principal who takes one, {@code User:<name>}
     * @return which bound refused it, empty if it is taken: {@link #release} it once done
     */
    synchronized Optional<Full> take(String principal) {
        int own = held.getOrDefault(principal, 0);
        if (own >= perPrincipal) {
            return Optional.of(Full.PRINCIPAL);
        }
        if (heldInAll >= total) {
            return Optional.of(Full.ALL);
        }
        held.put(principal, own + 1);
        heldInAll++;
        return Optional.empty();
    }

    /** @param principal whose one, taken by {@link #take}, is done; nothing if it holds none */
    synchronized void release(String principal) {
        Integer own = held.get(principal);
        if (own == null) {
            return;
        }
        if (own == 1) {
            held.remove(principal);
        } else {
            held.put(principal, own - 1);
        }
        heldInAll--;
    }

    /** @return the most one principal may hold */
    int perPrincipal() {
        return perPrincipal;
    }

    /** @return the most held in all */
    int total() {
        return total;
    }
}
