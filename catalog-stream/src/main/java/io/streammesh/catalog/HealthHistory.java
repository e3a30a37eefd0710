package io.streammesh.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@link #span} of each product's health as the portal's charts draw it: samples taken
 * by this catalog instance, in memory (a restarted instance starts a new hour). One sample per
 * product per sampling interval, so it is bounded by products × span / interval.
 */
final class HealthHistory {

    private final Duration span;
    private final Map<String, Deque<ObjectNode>> samples = new HashMap<>();

    /** @param span how far back samples are kept */
    HealthHistory(Duration span) {
        this.span = span;
    }

    /**
     * @param address a product
     * @param sample its health now; {@code at} (epoch milliseconds) is set here
     * @param at when it was taken
     */
    synchronized void add(String address, ObjectNode sample, Instant at) {
        Deque<ObjectNode> kept = samples.computeIfAbsent(address, a -> new ArrayDeque<>());
        kept.addLast(sample.put("at", at.toEpochMilli()));
        long oldest = at.minus(span).toEpochMilli();
        while (!kept.isEmpty() && kept.peekFirst().path("at").asLong() < oldest) {
            kept.removeFirst();
        }
    }

    /** @return a product's samples, oldest first; empty when none were taken */
    synchronized List<ObjectNode> of(String address) {
        return List.copyOf(samples.getOrDefault(address, new ArrayDeque<>()));
    }
}
