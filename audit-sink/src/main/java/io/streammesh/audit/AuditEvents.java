package io.streammesh.audit;

import io.streammesh.schema.MeshPrincipal;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuditEventType;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.ConsumerOffsets;
import io.streammesh.schema.Decision;
import io.streammesh.schema.FreeText;
import io.streammesh.schema.Grant;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.SubjectId;
import io.streammesh.schema.RestResources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every source of the audit, normalised into {@link AuditEvent}s (still unsealed: the chain sets
 * {@code prevHash} and {@code hash}). Principals are always {@code User:<name>}; product and view
 * are filled in wherever the resource is a product or view topic.
 */
final class AuditEvents {

    private static final String KEY_PATH = "/keys/";

    private AuditEvents() {
    }

    /**
     * A broker decision (or a catalog REST call), plus an AUDIT_GAP when the authorizer had to
     * drop some; nothing for the platform's own plumbing ({@link PlatformPlumbing}), a gap still.
     */
    static List<AuditEvent> of(AuthorizationEvent event) {
        boolean catalog = RestResources.CATALOG.equals(event.getResourceType());
        boolean key = RestResources.KEY.equals(event.getResourceType());
        var normalised = base(event.getWindowStart(), key ? AuditEventType.KEY_ACCESS : catalog ? AuditEventType.CATALOG_READ : AuditEventType.AUTHORIZATION,
                event.getPrincipal())
                .setClientAddress(event.getClientAddress())
                .setOperation(event.getOperation())
                .setResourceType(event.getResourceType())
                .setResourceName(event.getResourceName())
                .setDecision(event.getDecision())
                .setCount(event.getCount())
                .setReason(event.getProbe() ? "probe: Kafka checked this permission and fell back to another; the request was not refused for it" : null);
        productOf(event.getResourceType(), event.getResourceName(), normalised);
        if (key) {
            keyOf(event, normalised);
        }
        var events = new ArrayList<AuditEvent>(2);
        if (!PlatformPlumbing.isPlumbing(event)) {
            events.add(normalised.build());
        }
        if (event.getDropped() > 0) {
            events.add(base(event.getWindowStart(), AuditEventType.AUDIT_GAP, MeshPrincipal.ADMIN.kafkaPrincipal())
                    .setCount(event.getDropped())
                    .setResourceType("BROKER")
                    .setResourceName(String.valueOf(event.getBrokerId()))
                    .setReason("the broker's authorizer dropped " + event.getDropped() + " decisions (memory bound reached) before "
                            + event.getWindowStart())
                    .build());
        }
        return events;
    }

    /** A key service's fetch, named {@code <address>/keys/<subject>}: the product, and the outcome in words. */
    private static void keyOf(AuthorizationEvent event, AuditEvent.Builder builder) {
        String name = event.getResourceName();
        int at = name.indexOf(KEY_PATH);
        if (at < 0) {
            return;
        }
        String subject = name.substring(at + KEY_PATH.length());
        builder.setProduct(name.substring(0, at))
                .setReason("data key of subject " + subject + (event.getDecision() == Decision.ALLOWED ? " served" : " refused"));
    }

    /**
     * A range of offsets a consumer group committed on a product or view topic, and how many
     * records it held (fewer than offsets on transactional topics).
     */
    static AuditEvent consumption(ConsumerOffsets offsets, long fromOffset, long records) {
        var builder = base(offsets.getObservedAt(), AuditEventType.CONSUMPTION, offsets.getPrincipal())
                .setOperation("READ")
                .setResourceType("TOPIC")
                .setResourceName(offsets.getTopic())
                .setDecision(Decision.ALLOWED)
                .setConsumerGroup(offsets.getConsumerGroup())
                .setPartition(offsets.getPartition())
                .setFromOffset(fromOffset)
                .setToOffset(offsets.getCommittedOffset())
                .setCount(records);
        productOf("TOPIC", offsets.getTopic(), builder);
        return builder.build();
    }

    /**
     * A request on {@code mesh.access.requests.<principal>}: only that principal can write there,
     * whatever requestedBy says; its time is the broker's (the topic keeps LogAppendTime), not the
     * requestedAt a client sets.
     */
    static AuditEvent of(AccessRequest request, AuditTopology.Origin origin) {
        String requester = MeshTopics.requester(origin.topic())
                .orElseThrow(() -> new IllegalArgumentException(origin.topic() + " is not a per-principal request topic"));
        // every field is the requester's text, cut as a registration's: one request nearly filling its topic would not fit the
        // repartition topic, and would fail, on every attempt, the task that seals every principal's events
        String product = request.getProduct();
        boolean valid = ProductAddress.isValid(product);
        return base(origin.time(), AuditEventType.ACCESS_REQUEST, requester)
                .setOperation("REQUEST")
                .setResourceType("PRODUCT")
                .setResourceName(valid ? product : FreeText.cut(product, MAX_QUOTED_LENGTH))
                .setProduct(valid ? product : null)
                .setView(FreeText.cut(request.getView(), MAX_QUOTED_LENGTH))
                .setConsumerGroup(FreeText.cut(request.getConsumerGroup(), MAX_QUOTED_LENGTH))
                .setReason("request " + FreeText.cut(request.getRequestId(), MAX_QUOTED_LENGTH) + " for "
                        + FreeText.cut(user(request.getPrincipal()), MAX_QUOTED_LENGTH) + ": " + FreeText.cut(request.getPurpose(), FreeText.MAX_LENGTH))
                .build();
    }

    /**
     * A decision on {@code mesh.decisions.<principal>} (the owning domain's, or a second-level
     * approver's): only that principal can write there, whatever decidedBy says. It decides the request its key names (as the catalog applies it), at the
     * broker's time, whatever its requestId and decidedAt fields say.
     */
    static AuditEvent of(AccessDecision decision, AuditTopology.Origin origin) {
        String topic = origin.topic();
        Decision outcome = switch (decision.getDecision()) {
            case APPROVED -> Decision.ALLOWED;
            case DENIED -> Decision.DENIED;
            default -> null;
        };
        return base(origin.time(), AuditEventType.ACCESS_DECISION, topic.substring(MeshTopics.DECISIONS_PREFIX.length()))
                .setOperation(decision.getDecision().name())
                .setResourceType("ACCESS_REQUEST")
                .setResourceName(origin.key() == null ? "(no key)" : FreeText.cut(origin.key(), MAX_QUOTED_LENGTH))
                .setDecision(outcome)
                .setReason(FreeText.cut(decision.getReason(), FreeText.MAX_LENGTH))
                .build();
    }

    /**
     * An erasure on {@code mesh.erasures.<domain>}: only that domain (or the platform) can write
     * there, so the domain is who asked; its key is the subject, its value why, the broker's time when.
     */
    static AuditEvent erasure(String reason, AuditTopology.Origin origin) {
        String domain = origin.topic().substring(MeshTopics.ERASURES_PREFIX.length());
        // the gate erases no subject whose id breaks the rule: recorded as refused, with why, never the id as written
        Optional<String> invalid = SubjectId.problem("the subject id", origin.key());
        return base(origin.time(), AuditEventType.SUBJECT_ERASED, domain)
                .setOperation("ERASE")
                .setResourceType("SUBJECT")
                .setResourceName(domain + "/" + (invalid.isPresent() ? "(invalid subject id)" : origin.key()))
                .setDecision(invalid.isPresent() ? Decision.DENIED : Decision.ALLOWED)
                // the reason is a client's free text: refused text is recorded as why it was refused, never as written
                .setReason(invalid.orElseGet(() -> FreeText.problem("reason", reason).orElse(reason)))
                .build();
    }

    static AuditEvent of(Grant grant, Instant recordTime) {
        boolean active = grant.getStatus().name().equals("ACTIVE");
        String by = active ? grant.getApprovedBy() + (grant.getSecondApprovedBy() == null ? "" : " and " + grant.getSecondApprovedBy())
                : grant.getEndedBy();
        return base(active ? grant.getGrantedAt() : (grant.getEndedAt() == null ? recordTime : grant.getEndedAt()),
                AuditEventType.GRANT, grant.getPrincipal())
                .setOperation(grant.getStatus().name())
                .setResourceType("TOPIC")
                .setResourceName(grant.getTopic())
                .setDecision(active ? Decision.ALLOWED : null)
                .setProduct(grant.getProduct())
                .setView(grant.getView())
                .setConsumerGroup(grant.getConsumerGroup())
                .setReason("grant " + grant.getGrantId() + (by == null ? "" : " by " + by)
                        + (active && grant.getExpiresAt() != null ? ", expires " + grant.getExpiresAt() : ""))
                .build();
    }

    /**
     * A registration on {@code mesh.registrations.<domain>}: only that domain can write there, with
     * any client, so its address and version may be of any length. They are cut: an event made of
     * a registration that nearly fills its topic, quoting its address twice, would not fit the
     * repartition topic, and would fail the task every domain's registrations share on every attempt.
     */
    static AuditEvent of(ProductRegistration registration, String topic, Instant recordTime) {
        String domain = topic.substring(MeshTopics.REGISTRATIONS_PREFIX.length());
        String address = registration.getAddress();
        boolean valid = ProductAddress.isValid(address);
        return base(recordTime, AuditEventType.REGISTRATION, domain)
                .setOperation(registration.getRetired() ? "RETIRE" : "PUBLISH")
                .setResourceType("PRODUCT")
                .setResourceName(valid ? address : FreeText.cut(address, MAX_QUOTED_LENGTH))
                .setProduct(valid ? address : null)
                .setReason("version " + FreeText.cut(registration.getVersion(), MAX_QUOTED_LENGTH))
                .build();
    }

    /** The longest text of a client's an event quotes where the client's record sets no bound. */
    static final int MAX_QUOTED_LENGTH = 300;

    /** A refused registration, request or decision: on the principal who wrote it, where Kafka proves who did. */
    static AuditEvent of(Rejection rejection) {
        String principal = rejection.getWriter() != null ? rejection.getWriter()
                : rejection.getDomain() != null ? rejection.getDomain() : PlatformApp.CATALOG.principal().kafkaPrincipal();
        return base(rejection.getRejectedAt(), AuditEventType.REJECTION, principal)
                .setOperation("REJECT")
                .setResourceType(rejection.getSourceTopic())
                .setResourceName(rejection.getSubject())
                .setDecision(Decision.DENIED)
                .setProduct(ProductAddress.isValid(rejection.getSubject()) ? rejection.getSubject() : null)
                .setReason(rejection.getReasons().stream().map(v -> v.getRule() + ": " + v.getMessage()).collect(Collectors.joining("; ")))
                .build();
    }

    private static AuditEvent.Builder base(Instant time, AuditEventType type, String principal) {
        return AuditEvent.newBuilder()
                .setEventTime(time)
                .setType(type)
                .setPrincipal(user(principal))
                .setCount(1)
                .setPrevHash("")
                .setHash("");
    }

    private static String user(String principal) {
        return MeshNames.asKafkaPrincipal(principal);
    }

    /** Fills in product (and view) when the resource is a product, DLQ or view topic. */
    private static void productOf(String resourceType, String name, AuditEvent.Builder builder) {
        if ("TOPIC".equals(resourceType) && name != null) {
            ProductTopic.of(name).ifPresent(topic -> builder.setProduct(topic.product()).setView(topic.view()));
        }
    }
}
