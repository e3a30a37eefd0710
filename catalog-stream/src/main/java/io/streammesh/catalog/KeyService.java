package io.streammesh.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.SubjectId;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The catalog's key service: {@code GET /api/products/{address}/keys/{subject}} hands the data key
 * of one data subject (a Tink JSON keyset) to a principal holding an ACTIVE, unexpired grant with
 * {@code decrypt} on that product, and to no one else, the platform included. The key is the
 * subject's in the product's domain ({@link SubjectKeys}: one per (domain, subject)). A holder
 * keeps it at most {@link #TTL_SECONDS}: after an erasure, the service answers "erased" (no key,
 * the erased keys' ids) within {@link SubjectKeys#REFRESH_MS} and every cache has let the key go
 * within the TTL. Every fetch, served or refused, is audited ({@link RestAccessLog#keyAccess},
 * KEY_ACCESS in {@code mesh.audit}); an erased answer, which hands out no key, as one refused. A key
 * is handed out only once the broker has its fetch's audit event (else 503).
 */
final class KeyService implements AutoCloseable {

    /** What joins a product's address and a subject id in the service's path and in the audit's resource name. */
    static final String PATH_PART = "/keys/";
    /** How long a holder may keep a served key before it asks again. */
    static final int TTL_SECONDS = 2;
    /** How long a fetch waits for its audit event to be written before the key is refused. */
    static final Duration AUDIT_WAIT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SubjectKeys keys;
    private final RestAccessLog accessLog;
    private final Clock clock;

    /**
     * @param keys the mesh's data keys, read with the catalog's rights on {@code mesh.keys.<domain>} and the domains' KEKs
     * @param accessLog where every fetch is reported
     * @param clock for the grants' expiry
     */
    KeyService(SubjectKeys keys, RestAccessLog accessLog, Clock clock) {
        this.keys = keys;
        this.accessLog = accessLog;
        this.clock = clock;
    }

    /**
     * @param caller who asks
     * @param clientAddress from where, for the audit
     * @param address the product
     * @param subject the subject id
     * @param latest whether to read the key log to its end first (the caller's key did not open a ciphertext: it may be the
     *        subject's fresh key, written less than a second ago), as a subject the service has no key for is looked for
     * @param product the product as the catalog has it
     * @param grants the grants that allow decryption, as the global thread last read them
     * @param storedGrants every grant of the access tasks' stores (as the API serves them), which
     *        confirm a refusal: a grant approved a moment ago may not have reached the index yet
     * @return the key: {@code {product, subject, keyset, ttlSeconds, erasedKeyIds}}, the last the ids of the
     *         subject's erased keys (what they encrypted reads as erased, not as forged); for an erased subject
     *         {@code erased: true} and no keyset
     * @throws ApiError 400 for a path that names no subject id (the platform's own keys included), 403 without a
     *         decrypt grant, 404 for an unknown product or a subject never seen
     */
    ObjectNode fetch(CatalogApi.Caller caller, String clientAddress, ProductAddress address, String subject, boolean latest,
                     Optional<DataProduct> product, DecryptGrants grants, Supplier<List<ObjectNode>> storedGrants) {
        ObjectNode key;
        try {
            key = serve(caller, address, subject, latest, product, grants, storedGrants);
        } catch (RuntimeException | Error refused) {
            audit(caller, clientAddress, address, subject, false);
            throw refused;
        }
        // an erased subject's answer hands out no key: audited as no key served, as the 404 for a subject never seen
        boolean served = key.has("keyset");
        Future<RecordMetadata> audited = audit(caller, clientAddress, address, subject, served);
        if (served) {
            awaitAudited(audited, address);
        }
        return key;
    }

    private Future<RecordMetadata> audit(CatalogApi.Caller caller, String clientAddress, ProductAddress address, String subject,
                                         boolean served) {
        // the audit keeps forever what it is given: a path that names no subject id is recorded as such, not as written
        String audited = SubjectId.problem("subject", subject).isPresent() ? "(invalid subject id)" : subject;
        return accessLog.keyAccess(caller.principal().kafkaPrincipal(), clientAddress, address.toString(), audited, served);
    }

    /** A key leaves the service only once its fetch is on the audit trail: a fetch the trail would not show is refused. */
    private static void awaitAudited(Future<RecordMetadata> audited, ProductAddress address) {
        try {
            audited.get(AUDIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiError(503, "the key of a subject of " + address + " is not served: its fetch could not be written to the audit "
                    + "trail (" + (e instanceof ExecutionException ? e.getCause().getMessage() : "no answer within " + AUDIT_WAIT.toSeconds()
                    + " s") + "); try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the key service is stopping; try again");
        }
    }

    private ObjectNode serve(CatalogApi.Caller caller, ProductAddress address, String subject, boolean latest, Optional<DataProduct> product,
                             DecryptGrants grants, Supplier<List<ObjectNode>> storedGrants) {
        DataProduct found = product.orElseThrow(() -> new ApiError(404, "no product " + address + " in the catalog"));
        // the platform's own keys (a product's dead-letter key, subject "mesh.dead-letters|<address>") are no subject's
        SubjectId.problem("the subject in the path", subject).ifPresent(problem -> {
            throw new ApiError(400, problem);
        });
        String principal = caller.principal().kafkaPrincipal();
        // The index answers nearly every fetch; a refusal is rare and is confirmed in the stores the access tasks write.
        if (!grants.allow(principal, address.toString(), clock.instant())
                && storedGrants.get().stream().noneMatch(grant -> allowsDecryption(grant, principal, address))) {
            throw new ApiError(403, principal + " holds no ACTIVE grant with decrypt on " + address
                    + "; request one with: mesh access request " + address + " --view <view> --group <group> --purpose <why> --decrypt");
        }
        ProductEncryption encryption = found.getRegistration().getEncryption();
        if (encryption == null) {
            throw new ApiError(404, "product " + address + " encrypts no field");
        }
        SubjectKeys.Keyset key = (latest ? keys.latestServedKey(found.getDomain(), subject) : keys.servedKey(found.getDomain(), subject))
                .orElseThrow(() -> new ApiError(404, "subject " + subject + " has no data key in domain " + found.getDomain()
                        + ": never seen"));
        ObjectNode served = JSON.createObjectNode()
                .put("product", address.toString())
                .put("subject", subject);
        key.keyset().ifPresentOrElse(keyset -> served.put("keyset", json(keyset)), () -> served.put("erased", true));
        served.put("ttlSeconds", TTL_SECONDS);
        key.erasedKeyIds().stream().sorted().forEach(served.putArray("erasedKeyIds")::add);
        return served;
    }

    private boolean allowsDecryption(JsonNode grant, String principal, ProductAddress address) {
        return grant.path("principal").asText().equals(principal)
                && grant.path("product").asText().equals(address.toString())
                && grant.path("status").asText().equals(GrantStatus.ACTIVE.name())
                && grant.path("decrypt").asBoolean(false)
                && unexpired(grant.path("expiresAt"));
    }

    private boolean unexpired(JsonNode expiresAt) {
        return !expiresAt.isTextual() || Instant.parse(expiresAt.asText()).isAfter(clock.instant());
    }

    private static String json(KeysetHandle keyset) {
        try {
            return TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a data key does not serialise: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        keys.close();
    }
}
