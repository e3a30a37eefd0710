package io.streammesh.catalog;

import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KeyValue;

/**
 * The ACTIVE grants that allow decryption, by holder and product: what the key service asks on
 * every fetch, answered by a lookup instead of decoding every grant of every catalog instance.
 * Fed by the global thread from {@code mesh.access.grants} ({@link GlobalStoreFeed}), so every
 * instance holds all of them; read by REST threads.
 *
 * <p>The topic is written in the same transaction as the access task's grant store, so this
 * index follows the decisions as soon as they are committed; an expiry is checked against the
 * caller's clock as well, for a grant whose EXPIRED state the access task has not written yet.
 */
final class DecryptGrants {

    /** @param principal the grantee, {@code User:<name>} @param product the product's address */
    private record Holder(String principal, String product) {
    }

    /** Guarded by {@code this}; written by the global thread only. */
    private final Map<String, Holder> holderOf = new HashMap<>();
    /** Per holder, its decrypting grants' expiry in epoch milliseconds ({@link Long#MAX_VALUE}: none); each inner map immutable. */
    private final Map<Holder, Map<String, Long>> byHolder = new ConcurrentHashMap<>();

    /**
     * @param principal who asks, {@code User:<name>}
     * @param product the product's address
     * @param now the caller's clock
     * @return whether the principal holds an ACTIVE grant with {@code decrypt} on the product, unexpired at {@code now}
     */
    boolean allow(String principal, String product, Instant now) {
        Map<String, Long> expiries = byHolder.get(new Holder(principal, product));
        return expiries != null && expiries.values().stream().anyMatch(expiresAt -> expiresAt > now.toEpochMilli());
    }

    /** What the grants' global store feeds: every grant by id. */
    GlobalStoreFeed.Target<Grant> feed() {
        return new GlobalStoreFeed.Target<>() {
            @Override
            public void reload(Iterator<KeyValue<String, Grant>> entries) {
                synchronized (DecryptGrants.this) {
                    holderOf.clear();
                    byHolder.clear();
                    entries.forEachRemaining(entry -> put(entry.key, entry.value));
                }
            }

            @Override
            public void apply(String grantId, Grant grant) {
                synchronized (DecryptGrants.this) {
                    put(grantId, grant);
                }
            }
        };
    }

    private void put(String grantId, Grant grant) {
        remove(grantId);
        if (grant == null || grant.getStatus() != GrantStatus.ACTIVE || !grant.getDecrypt()) {
            return;
        }
        var holder = new Holder(grant.getPrincipal(), grant.getProduct());
        holderOf.put(grantId, holder);
        long expiresAt = grant.getExpiresAt() == null ? Long.MAX_VALUE : grant.getExpiresAt().toEpochMilli();
        byHolder.compute(holder, (h, expiries) -> {
            Map<String, Long> next = expiries == null ? new HashMap<>() : new HashMap<>(expiries);
            next.put(grantId, expiresAt);
            return Map.copyOf(next);
        });
    }

    private void remove(String grantId) {
        Holder holder = holderOf.remove(grantId);
        if (holder == null) {
            return;
        }
        byHolder.computeIfPresent(holder, (h, expiries) -> {
            Map<String, Long> next = new HashMap<>(expiries);
            next.remove(grantId);
            return next.isEmpty() ? null : Map.copyOf(next);
        });
    }
}
