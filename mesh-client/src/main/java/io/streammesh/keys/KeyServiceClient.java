package io.streammesh.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import io.streammesh.client.CatalogClient;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The catalog's key service as a decrypting holder sees it: {@code GET
 * /api/products/<address>/keys/<subject>} as the holder's principal, each answer kept for the
 * {@code ttlSeconds} the service gives (a subject never seen, 404, for as long), so that a key
 * erased on the mesh is let go within that time. The answer names the ids of the subject's erased
 * keys too ({@code erasedKeyIds}), and no key once it is erased. {@link #latest} asks past this
 * cache and the service's. Thread-safe.
 */
public final class KeyServiceClient implements ProductKeys {

    /** How long a subject the service has never seen is remembered as such, and the TTL of an answer that names none: the service's TTL for a key. */
    static final long UNKNOWN_TTL_MS = 2_000;
    /** How often, at most, answers past their TTL are dropped (on a fetch): as often as the service's TTL lets them expire. */
    private static final long SWEEP_EVERY_MS = 2_000;

    private record Cached(SubjectKey key, long until) {
    }

    private final CatalogClient catalog;
    private final ProductAddress product;
    private final LongSupplier clock;
    private final Map<String, Cached> cache = new HashMap<>();
    /**
     * When answers past their TTL are next dropped: a consumer reads subject after subject, and
     * an answer past its TTL is never used again, so keeping it would grow the heap with every
     * subject the product ever had.
     */
    private long nextSweep;

    /**
     * @param catalog the catalog API, as the principal holding a grant with decrypt on the product
     * @param product the product whose keys are asked for
     * @param clock milliseconds, for the keys' TTL
     */
    public KeyServiceClient(CatalogClient catalog, ProductAddress product, LongSupplier clock) {
        LocalKms.register();
        this.catalog = catalog;
        this.product = product;
        this.clock = clock;
    }

    @Override
    public synchronized SubjectKey key(String subject) {
        long now = clock.getAsLong();
        Cached cached = cache.get(subject);
        if (cached != null && now < cached.until()) {
            return cached.key();
        }
        return cached(subject, fetch(subject, now, false), now);
    }

    /** Asks the service past this cache, and the service past its own ({@code ?latest=true}: it reads the key log to its end). */
    @Override
    public synchronized SubjectKey latest(String subject) {
        long now = clock.getAsLong();
        return cached(subject, fetch(subject, now, true), now);
    }

    /** @return how many subjects' answers are held, expired or not (for tests) */
    synchronized int held() {
        return cache.size();
    }

    private SubjectKey cached(String subject, Cached fetched, long now) {
        if (now >= nextSweep) {
            cache.values().removeIf(old -> now >= old.until());
            nextSweep = now + SWEEP_EVERY_MS;
        }
        cache.put(subject, fetched);
        return fetched.key();
    }

    private Cached fetch(String subject, long now, boolean latest) {
        Optional<JsonNode> answer = catalog.find("/api/products/" + product + "/keys/" + URLEncoder.encode(subject, StandardCharsets.UTF_8)
                .replace("+", "%20") + (latest ? "?latest=true" : ""));
        if (answer.isEmpty()) {
            return new Cached(SubjectKey.NONE, now + UNKNOWN_TTL_MS);
        }
        long ttlMs = answer.get().path("ttlSeconds").asLong(UNKNOWN_TTL_MS / 1_000) * 1_000;
        Set<Integer> erased = new HashSet<>();
        answer.get().path("erasedKeyIds").forEach(id -> erased.add(id.asInt()));
        if (!answer.get().hasNonNull("keyset")) {
            return new Cached(SubjectKey.erased(erased), now + ttlMs);
        }
        try {
            KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(answer.get().path("keyset").asText(), InsecureSecretKeyAccess.get());
            return new Cached(SubjectKey.of(keyset, erased), now + ttlMs);
        } catch (GeneralSecurityException e) {
            throw new MeshException("the key service's data key of subject " + subject + " of " + product + " is not a Tink AEAD keyset: "
                    + e.getMessage(), e);
        }
    }
}
