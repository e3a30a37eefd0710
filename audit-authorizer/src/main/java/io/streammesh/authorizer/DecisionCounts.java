package io.streammesh.authorizer;

import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.FreeText;
import io.streammesh.schema.MeshNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Authorisation decisions counted per second and per (principal, client address, operation,
 * resource, decision): exact counts at the cost of one map update per decision on the broker's request
 * path. Memory is bounded: past {@code maxKeys} distinct keys in the open seconds, new allowed
 * keys are dropped; denials get twice the room, because losing one hides a refusal. Every drop
 * is counted and reported with the next event shipped.
 *
 * <p>One tenant principal holds at most a twentieth of {@code maxKeys}: past that, its further
 * decisions are counted under the resource name {@link #FOLDED} (per operation, resource type
 * and outcome), so that one asking for ever new names (a metadata request naming a hundred
 * thousand topics) keeps its counts but cannot fill the room every other principal's decisions
 * need. The platform's principals ({@code User:mesh-…}, names no tenant may take) are not held.
 */
final class DecisionCounts {

    /**
     * What one aggregated event stands for. A resource's name is cut to
     * {@link #MAX_RESOURCE_NAME} characters: a group or transactional id is any length a client
     * sends, and the counts hold up to {@code 3 × maxKeys} of them on the broker's heap; the event
     * shipped, and audit-sink's sealed copy of it, must fit a record.
     */
    record Key(long second, String principal, String clientAddress, String operation,
               String resourceType, String resourceName, boolean allowed, boolean probe) {

        Key {
            resourceName = FreeText.cut(resourceName, MAX_RESOURCE_NAME);
        }
    }

    /** The longest resource name counted; Kafka's topic names have at most 249 characters. */
    static final int MAX_RESOURCE_NAME = 1_000;

    /** The resource name of a principal's decisions past its share of the keys. */
    static final String FOLDED = "(more resources than a principal's share of the audit's keys)";

    private final ConcurrentHashMap<Key, Long> counts = new ConcurrentHashMap<>();
    /** Per tenant principal, how many keys of its the counts hold. */
    private final ConcurrentHashMap<String, Integer> keysOf = new ConcurrentHashMap<>();
    private final int perPrincipal;
    private final AtomicLong dropped = new AtomicLong();
    private final int maxKeys;
    private final int brokerId;

    DecisionCounts(int maxKeys, int brokerId) {
        this.maxKeys = maxKeys;
        this.perPrincipal = Math.max(1, maxKeys / 20);
        this.brokerId = brokerId;
    }

    void add(Key decided) {
        Key key = withinShare(decided);
        int size = counts.size();
        if (size >= maxKeys && !counts.containsKey(key) && (key.allowed() || size >= 2 * maxKeys)) {
            dropped.incrementAndGet();
            return;
        }
        // compute() is atomic per key, and an update racing a drain lands in a fresh entry that
        // the next drain ships: counts are split across two events at worst, never lost.
        counts.compute(key, (k, count) -> {
            if (count == null && tenant(k.principal())) {
                keysOf.merge(k.principal(), 1, Integer::sum);
            }
            return count == null ? 1L : count + 1;
        });
    }

    /** @return the key, or its folded form once its tenant principal holds its share of keys (an approximate bound: adds race) */
    private Key withinShare(Key key) {
        if (!tenant(key.principal()) || keysOf.getOrDefault(key.principal(), 0) < perPrincipal || counts.containsKey(key)) {
            return key;
        }
        return new Key(key.second(), key.principal(), key.clientAddress(), key.operation(), key.resourceType(), FOLDED, key.allowed(),
                key.probe());
    }

    private static boolean tenant(String principal) {
        return !(principal.startsWith(MeshNames.KAFKA_USER_PREFIX) && MeshNames.isPlatformName(MeshNames.withoutKafkaPrefix(principal)));
    }

    /** A key drained: its principal holds one fewer. */
    private void released(Key key) {
        if (tenant(key.principal())) {
            keysOf.computeIfPresent(key.principal(), (p, held) -> held <= 1 ? null : held - 1);
        }
    }

    /** @return events for every second before {@code second}, removed from the counts */
    List<AuthorizationEvent> drainBefore(long second) {
        var events = new ArrayList<AuthorizationEvent>();
        for (Key key : counts.keySet()) {
            if (key.second() < second) {
                Long count = counts.remove(key);
                if (count != null) {
                    released(key);
                    events.add(event(key, count));
                }
            }
        }
        return events;
    }

    /** @return events for every second, the open one too (on close) */
    List<AuthorizationEvent> drainAll() {
        return drainBefore(Long.MAX_VALUE);
    }

    /** @return the decisions dropped since the last call, now reset */
    long takeDropped() {
        return dropped.getAndSet(0);
    }

    /** @param count drops taken but not reported after all (the event carrying them was not shipped) */
    void restoreDropped(long count) {
        dropped.addAndGet(count);
    }

    private AuthorizationEvent event(Key key, long count) {
        return AuthorizationEvent.newBuilder()
                .setWindowStart(Instant.ofEpochSecond(key.second()))
                .setPrincipal(key.principal())
                .setClientAddress(key.clientAddress())
                .setOperation(key.operation())
                .setResourceType(key.resourceType())
                .setResourceName(key.resourceName())
                .setDecision(key.allowed() ? Decision.ALLOWED : Decision.DENIED)
                .setCount(count)
                .setProbe(key.probe())
                .setBrokerId(brokerId)
                .build();
    }
}
