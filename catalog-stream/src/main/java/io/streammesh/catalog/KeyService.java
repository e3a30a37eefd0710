package io.streammesh.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.DataProduct;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's key service: {@code GET /api/products/{address}/keys/{subject}} hands the key of
 * one data subject for that product (a Tink JSON keyset, {@link ProductKey}) to a principal
 * holding an ACTIVE, unexpired grant with {@code decrypt} on that product, and to no one else, the
 * platform included. The key is derived from the subject's data key in the product's domain
 * ({@link SubjectKeys}: one per (domain, subject)) and opens that product's fields only. A holder
 * keeps it at most {@link #TTL_SECONDS}: after an erasure, the service answers "erased" (no key,
 * the erased keys' ids) within {@link SubjectKeys#REFRESH_MS} and every cache has let the key go
 * within the TTL. Every fetch, served or refused, is audited ({@link RestAccessLog#keyAccess},
 * KEY_ACCESS in {@code mesh.audit}), one the API refused before it reached the service included
 * ({@link #refusedUnread}); an erased answer, which hands out no key, as one refused. A key
 * is handed out only once the broker has its fetch's audit event (else 503).
 */
final class KeyService implements AutoCloseable {

    /** What joins a product's address and a subject id in the service's path and in the audit's resource name. */
    static final String PATH_PART = "/keys/";
    /** How long a holder may keep a served key before it asks again. */
    static final int TTL_SECONDS = 2;
    /** How long a fetch waits for its audit event to be written before the key is refused. */
    static final Duration AUDIT_WAIT = Duration.ofSeconds(10);
    /** How many fetches may wait for the audit trail at once; the API's other requests keep the rest of its threads. */
    static final int AUDIT_WAITS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(KeyService.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SubjectKeys keys;
    private final RestAccessLog accessLog;
    private final Clock clock;
    private final Semaphore auditWaits = new Semaphore(AUDIT_WAITS);
    private final StoredGrantCheck storedGrantCheck = new StoredGrantCheck();

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
     *         decrypt grant, 404 for an unknown product or a subject never seen, 503 for a key whose fetch's
     *         report the broker did not take (or while {@link #AUDIT_WAITS} fetches wait for theirs)
     */
    ObjectNode fetch(CatalogApi.Caller caller, String clientAddress, ProductAddress address, String subject, boolean latest,
                     Supplier<Optional<DataProduct>> product, Supplier<DecryptGrants> grants, Supplier<List<ObjectNode>> storedGrants) {
        ObjectNode key;
        try {
            // the catalog's stores may not answer (a rebalance): a refusal as any other, audited
            key = serve(caller, address, subject, latest, product.get(), grants.get(), storedGrants);
        } catch (RuntimeException | Error refused) {
            reportRefused(caller, clientAddress, address, subject);
            throw refused;
        }
        if (!key.has("keyset")) {
            // an erased subject's answer hands out no key: audited as no key served, as the 404 for a subject never seen
            reportRefused(caller, clientAddress, address, subject);
            return key;
        }
        // Jetty's few threads serve the whole API: only so many may wait for the audit trail at once
        if (!auditWaits.tryAcquire()) {
            reportRefused(caller, clientAddress, address, subject);
            throw new ApiError(503, "the key of a subject of " + address + " is not served now: " + AUDIT_WAITS
                    + " fetches already wait for the audit trail; try again");
        }
        try {
            awaitAudited(caller, clientAddress, address, subject);
        } finally {
            auditWaits.release();
        }
        return key;
    }

    /**
     * Reports a fetch refused before it reached {@link #fetch}: its path names no product address,
     * or it has a parameter the service does not take.
     *
     * @param caller who asked
     * @param clientAddress from where
     * @param address the path's product address as written
     * @param subject the path's subject id as written
     */
    void refusedUnread(CatalogApi.Caller caller, String clientAddress, String address, String subject) {
        // the audit keeps forever what it is given: an address that is none is recorded as such, not as written
        reportRefused(caller, clientAddress, ProductAddress.isValid(address) ? address : "(invalid address)", subject);
    }

    private Future<RecordMetadata> report(CatalogApi.Caller caller, String clientAddress, String address, String subject, boolean served) {
        // the audit keeps forever what it is given: a path that names no subject id is recorded as such, not as written
        String audited = SubjectId.problem("subject", subject).isPresent() ? "(invalid subject id)" : subject;
        return accessLog.keyAccess(caller.principal().kafkaPrincipal(), clientAddress, address, audited, served);
    }

    /** A refusal's report is sent, not awaited: its failure is logged, and the answer stays the refusal it is. */
    private void reportRefused(CatalogApi.Caller caller, String clientAddress, ProductAddress address, String subject) {
        reportRefused(caller, clientAddress, address.toString(), subject);
    }

    private void reportRefused(CatalogApi.Caller caller, String clientAddress, String address, String subject) {
        try {
            report(caller, clientAddress, address, subject, false);
        } catch (RuntimeException e) {
            LOG.error("Could not report a refused key fetch by {} on {}: {}", caller.principal().kafkaPrincipal(), address, e.getMessage());
        }
    }

    /**
     * A key leaves the service only once the broker has its fetch's report: a fetch the trail would
     * not show is refused. A report that the broker takes after the wait gave up shows a key served
     * that was refused: the trail may show more fetches than keys handed out, never fewer.
     */
    private void awaitAudited(CatalogApi.Caller caller, String clientAddress, ProductAddress address, String subject) {
        try {
            report(caller, clientAddress, address.toString(), subject, true).get(AUDIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unaudited(address, e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw unaudited(address, "no answer within " + AUDIT_WAIT.toSeconds() + " s");
        } catch (RuntimeException e) {
            throw unaudited(address, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the key service is stopping; try again");
        }
    }

    private static ApiError unaudited(ProductAddress address, String why) {
        return new ApiError(503, "the key of a subject of " + address + " is not served: its fetch could not be written to the audit trail ("
                + why + "); try again");
    }

    private ObjectNode serve(CatalogApi.Caller caller, ProductAddress address, String subject, boolean latest, Optional<DataProduct> product,
                             DecryptGrants grants, Supplier<List<ObjectNode>> storedGrants) {
        DataProduct found = product.orElseThrow(() -> new ApiError(404, "no product " + address + " in the catalog"));
        // the platform's own keys (a product's dead-letter key, subject "mesh.dead-letters|<address>") are no subject's
        SubjectId.problem("the subject in the path", subject).ifPresent(problem -> {
            throw new ApiError(400, problem);
        });
        String principal = caller.principal().kafkaPrincipal();
        // The index answers nearly every fetch; a refusal is confirmed in the stores the access tasks write.
        Instant now = clock.instant();
        if (!grants.allow(principal, address.toString(), now) && !storedGrantCheck.allows(principal, address, storedGrants, now)) {
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
        key.keyset().ifPresentOrElse(keyset -> served.put("keyset", json(forProduct(keyset, address))), () -> served.put("erased", true));
        served.put("ttlSeconds", TTL_SECONDS);
        key.erasedKeyIds().stream().sorted().forEach(served.putArray("erasedKeyIds")::add);
        return served;
    }

    /** A grantee gets the subject's key for the product its grant names, which opens no other product's fields ({@link ProductKey}). */
    private static KeysetHandle forProduct(KeysetHandle dataKey, ProductAddress address) {
        try {
            return ProductKey.of(dataKey, address.toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a data key of " + address.domain() + " is not one the mesh makes: " + e.getMessage(), e);
        }
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
