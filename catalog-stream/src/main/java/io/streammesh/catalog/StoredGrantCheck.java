package io.streammesh.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Confirms a key-service refusal in the access tasks' stores, where a grant approved a moment ago
 * is before it reaches {@link DecryptGrants}: at most once every {@link #REFUSAL_KEPT} per
 * principal and product, and at most {@link #READS_PER_PRINCIPAL} times in that while per
 * principal. A read of the stores decodes every grant of every catalog instance (and asks each
 * other instance for its own); a principal asking again and again for keys it may not have would
 * otherwise make each of its fetches do so, holding the API's few threads from every tenant.
 * Thread-safe: REST threads share it.
 */
final class StoredGrantCheck {

    /** How long a refusal the stores confirmed answers the principal's next refusals without reading them again. */
    static final Duration REFUSAL_KEPT = Duration.ofSeconds(1);
    /** The most reads of the stores for one principal within {@link #REFUSAL_KEPT}, across its products. */
    static final int READS_PER_PRINCIPAL = 10;

    /** Per principal and product, when the stores last confirmed a refusal; expired entries are dropped as refusals come. */
    private final Map<String, Instant> refusedAt = new ConcurrentHashMap<>();
    /** Per principal, when its last reads of the stores were made, the newest {@link #READS_PER_PRINCIPAL}. */
    private final Map<String, Deque<Instant>> readsOf = new ConcurrentHashMap<>();

    /**
     * @param principal who asks, {@code User:<name>}, authenticated
     * @param address the product
     * @param storedGrants every grant of the access tasks' stores, as the API serves them
     * @param now the caller's clock
     * @return whether a stored grant lets the principal decrypt the product; false without reading the stores if
     *         they refused the principal that product less than {@link #REFUSAL_KEPT} ago
     */
    boolean allows(String principal, ProductAddress address, Supplier<List<ObjectNode>> storedGrants, Instant now) {
        String key = principal + "|" + address;
        Instant refused = refusedAt.get(key);
        if (refused != null && now.isBefore(refused.plus(REFUSAL_KEPT)) || !mayRead(principal, now)) {
            return false;
        }
        boolean allowed = storedGrants.get().stream().anyMatch(grant -> allowsDecryption(grant, principal, address, now));
        if (allowed) {
            refusedAt.remove(key);
        } else {
            // refusals past their while answer nothing more: dropped, so that the map holds only the last one's
            refusedAt.values().removeIf(at -> !now.isBefore(at.plus(REFUSAL_KEPT)));
            refusedAt.put(key, now);
        }
        return allowed;
    }

    /** @return whether the principal may have the stores read now: fewer than its bound of reads within the last while */
    private boolean mayRead(String principal, Instant now) {
        boolean[] may = {false};
        readsOf.compute(principal, (p, reads) -> {
            Deque<Instant> recent = reads == null ? new ArrayDeque<>() : reads;
            while (!recent.isEmpty() && !now.isBefore(recent.peekFirst().plus(REFUSAL_KEPT))) {
                recent.removeFirst();
            }
            if (recent.size() < READS_PER_PRINCIPAL) {
                recent.addLast(now);
                may[0] = true;
            }
            return recent;
        });
        return may[0];
    }

    private static boolean allowsDecryption(JsonNode grant, String principal, ProductAddress address, Instant now) {
        JsonNode expiresAt = grant.path("expiresAt");
        return grant.path("principal").asText().equals(principal)
                && grant.path("product").asText().equals(address.toString())
                && grant.path("status").asText().equals(GrantStatus.ACTIVE.name())
                && grant.path("decrypt").asBoolean(false)
                && (!expiresAt.isTextual() || Instant.parse(expiresAt.asText()).isAfter(now));
    }
}
