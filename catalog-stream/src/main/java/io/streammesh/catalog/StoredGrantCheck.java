package io.streammesh.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Confirms a key-service refusal in the access tasks' stores, where a grant approved a moment ago
 * is before it reaches {@link DecryptGrants}: at most once every {@link #REFUSAL_KEPT} per
 * principal. A read of the stores decodes every grant of every catalog instance (and asks each
 * other instance for its own); a principal asking again and again for keys it may not have would
 * otherwise make each of its fetches do so, holding the API's few threads from every tenant.
 * Thread-safe: REST threads share it.
 */
final class StoredGrantCheck {

    /** How long a refusal the stores confirmed answers the principal's next refusals without reading them again. */
    static final Duration REFUSAL_KEPT = Duration.ofSeconds(1);

    /** Per principal, when the stores last confirmed a refusal of its; one entry per authenticated principal at most. */
    private final Map<String, Instant> refusedAt = new ConcurrentHashMap<>();

    /**
     * @param principal who asks, {@code User:<name>}, authenticated
     * @param address the product
     * @param storedGrants every grant of the access tasks' stores, as the API serves them
     * @param now the caller's clock
     * @return whether a stored grant lets the principal decrypt the product; false without reading the stores if
     *         they refused the principal less than {@link #REFUSAL_KEPT} ago
     */
    boolean allows(String principal, ProductAddress address, Supplier<List<ObjectNode>> storedGrants, Instant now) {
        Instant refused = refusedAt.get(principal);
        if (refused != null && now.isBefore(refused.plus(REFUSAL_KEPT))) {
            return false;
        }
        boolean allowed = storedGrants.get().stream().anyMatch(grant -> allowsDecryption(grant, principal, address, now));
        if (allowed) {
            refusedAt.remove(principal);
        } else {
            refusedAt.put(principal, now);
        }
        return allowed;
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
