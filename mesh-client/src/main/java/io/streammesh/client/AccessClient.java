package io.streammesh.client;

import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * How principals take part in the access workflow: consumers write requests to their own
 * {@code mesh.access.requests.<principal>}, which only they may write; owners, and the second-level approvers a view
 * names, write decisions to their own {@code mesh.decisions.<principal>}, which only they may write, as requesters
 * write their withdrawals there. catalog-stream does the rest.
 */
public final class AccessClient implements AutoCloseable {

    private final String principal;
    private final KafkaProducer<String, SpecificRecord> producer;

    /** @param clientConfig the acting principal's client config */
    public AccessClient(MeshClientConfig clientConfig) {
        this.principal = clientConfig.kafkaPrincipal();
        this.producer = RecordProducers.create(clientConfig, "mesh-access");
    }

    /**
     * Asks for access to one view of a product.
     *
     * @param product the product
     * @param view the view
     * @param grantee who will read, {@code User:<name>}; null for the acting principal
     * @param consumerGroup the consumer group it will read with
     * @param purpose why, for the owner and the audit
     * @param duration how long; null for the platform's maximum
     * @return the request's id
     */
    public String request(ProductAddress product, String view, String grantee, String consumerGroup, String purpose, Duration duration) {
        return request(product, view, grantee, consumerGroup, purpose, duration, false);
    }

    /**
     * Asks for access to one view of a product, and, with {@code decrypt}, for the data keys of
     * its encrypted fields from the catalog's key service while the grant is active.
     *
     * @param product the product
     * @param view the view
     * @param grantee who will read, {@code User:<name>}; null for the acting principal
     * @param consumerGroup the consumer group it will read with
     * @param purpose why, for the owner and the audit
     * @param duration how long; null for the platform's maximum
     * @param decrypt whether the grant should allow decryption (only for a product that encrypts fields)
     * @return the request's id
     */
    public String request(ProductAddress product, String view, String grantee, String consumerGroup, String purpose, Duration duration,
                          boolean decrypt) {
        String id = "r-" + UUID.randomUUID();
        var request = AccessRequest.newBuilder()
                .setRequestId(id)
                .setPrincipal(grantee == null ? principal : grantee)
                .setProduct(product.toString())
                .setView(view)
                .setConsumerGroup(consumerGroup)
                .setPurpose(purpose)
                .setDurationMs(duration == null ? null : duration.toMillis())
                .setDecrypt(decrypt)
                .setRequestedBy(principal)
                .setRequestedAt(Instant.now())
                .build();
        // Filed on the grantee's own topic: the broker lets only it (and the platform) write there.
        send(MeshTopics.accessRequests(MeshPrincipal.bareName(request.getPrincipal())), id, request);
        return id;
    }

    /**
     * Decides a request (or revokes its grant) as the owning domain.
     *
     * @param domain the domain owning the requested product; its decision topic is written
     * @param requestId the request
     * @param kind APPROVED, DENIED or REVOKED
     * @param reason why, shown to the requester
     * @param duration for an approval, how long the grant lasts instead of what was asked; may be null
     */
    public void decide(String domain, String requestId, DecisionKind kind, String reason, Duration duration) {
        decide(domain, requestId, kind, reason, duration, null);
    }

    /**
     * Decides a request on the acting principal's own decision topic, as the owning domain
     * (level 1) or as a second-level approver the requested view names (level 2).
     *
     * @param decider the acting principal's bare name; its decision topic is written, and only it may write there
     * @param requestId the request
     * @param kind APPROVED, DENIED, REVOKED (the owner only) or WITHDRAWN (the principal the request names)
     * @param reason why, shown to the requester
     * @param duration for the owner's approval, how long the grant lasts instead of what was asked; may be null
     * @param level 1 or 2; null lets catalog-stream infer it from where the request stands
     */
    public void decide(String decider, String requestId, DecisionKind kind, String reason, Duration duration, Integer level) {
        var decision = AccessDecision.newBuilder()
                .setRequestId(requestId)
                .setDecision(kind)
                .setDecidedBy(principal)
                .setReason(reason)
                .setDurationMs(duration == null ? null : duration.toMillis())
                .setDecidedAt(Instant.now())
                .setLevel(level)
                .build();
        send(MeshTopics.decisions(decider), requestId, decision);
    }

    /**
     * Withdraws a request the acting principal made (it is the principal the request names): one
     * still waiting for a decision ends WITHDRAWN, an approved one's active grant is REVOKED.
     * Written on the acting principal's own decision topic, which only it may write.
     *
     * @param requestId the request
     * @param reason why, for the owner and the audit; may be null
     */
    public void withdraw(String requestId, String reason) {
        decide(MeshPrincipal.bareName(principal), requestId, DecisionKind.WITHDRAWN, reason, null, null);
    }

    private void send(String topic, String key, SpecificRecord value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                throw new MeshException("refused by the broker: " + principal + " may not write " + topic + refusalHint(topic), e.getCause());
            }
            throw new MeshException("could not write to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new MeshException("could not write to " + topic + " within 30 s: is the mesh running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted", e);
        }
    }

    private static String refusalHint(String topic) {
        if (topic.startsWith(MeshTopics.DECISIONS_PREFIX)) {
            return " (a principal decides, or withdraws its own requests, only on its own " + MeshTopics.DECISIONS_PREFIX
                    + "<principal>: the domain owning the product, then a second-level approver the view names)";
        }
        return MeshTopics.requester(topic).map(owner -> " (only " + owner + " asks for access in its own name)").orElse("");
    }

    @Override
    public void close() {
        producer.close();
    }
}
