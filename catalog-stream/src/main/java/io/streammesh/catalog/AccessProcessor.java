package io.streammesh.catalog;

import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AccessRequestState;
import io.streammesh.schema.AvroBytes;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.FreeText;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.RequestDecision;
import io.streammesh.schema.RequestStatus;
import io.streammesh.schema.RuleViolation;
import io.streammesh.schema.SourcedRecord;
import io.streammesh.schema.ViewAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The access workflow, per request id: a request is checked against the catalog, then either
 * granted at once ({@code access: auto} views) or waits for the owning domain's decision, which
 * counts only when it arrives on that domain's {@code mesh.decisions.<domain>} topic. A view
 * naming second-level approvers then waits (AWAITING_SECOND_APPROVAL) for one of them to decide
 * on its own {@code mesh.decisions.<principal>} ({@link SecondApproval}). Grants are ACTIVE,
 * then REVOKED by the owner or EXPIRED on time by a wall-clock punctuation. The requester may
 * withdraw its request while it waits (WITHDRAWN), or give up its grant (REVOKED by it).
 *
 * <p>Who wrote a record is known only from the topic Kafka read it from ({@link SourceStamp}):
 * a request counts only on its principal's own {@code mesh.access.requests.<principal>}, a
 * decision only on the owner's decision topic (a second approval on a named approver's, a
 * withdrawal on the requester's). Everything else is refused and audited, naming
 * the writer. Grants go to the child named {@link #GRANTED}, rejections to the one named
 * {@link #REJECTED}.
 */
final class AccessProcessor implements Processor<String, SourcedRecord, String, SpecificRecord> {

    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Duration MIN_DURATION = Duration.ofSeconds(1);

    /** The child that writes grants, as they start and end, to {@code mesh.access.grants}. */
    static final String GRANTED = "grants-sink";
    /** The child that writes refused requests and decisions to {@code mesh.catalog.rejections}. */
    static final String REJECTED = "access-rejections-sink";

    private final Deserializer<AccessRequest> requests;
    private final Deserializer<AccessDecision> decisions;
    private final CatalogConfig config;
    private final Stores stores;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, AccessRequestState> states;
    private KeyValueStore<String, Grant> grants;
    private KeyValueStore<String, Rejection> rejections;
    private KeyValueStore<String, String> forgotten;
    private TimestampedKeyValueStore<String, DataProduct> catalog;
    /**
     * The active grants of this task by expiry, so that the check every second reads only the ones
     * due instead of decoding every grant (at 20,000 grants that scan held the stream thread);
     * built from the grants store when the task starts, kept with every grant written.
     */
    private final NavigableSet<Expiry> expiries = new TreeSet<>();
    /**
     * Per principal, its requests of this task waiting for a decision, and its ACTIVE grants: what
     * {@link CatalogConfig.AccessQuota} bounds. Built from the stores when the task starts, kept
     * with every state and grant written.
     */
    private final Map<String, Integer> openRequests = new HashMap<>();
    private final Map<String, Integer> activeGrants = new HashMap<>();

    /**
     * The stores the processor reads and writes, by name.
     *
     * @param requests each request's state, by request id
     * @param grants grants, by grant id (= request id)
     * @param rejections each request's latest rejection
     * @param forgotten the ids of requests forgotten after the access history, with the principal each named
     * @param globalCatalog the global table over {@code mesh.catalog}
     */
    record Stores(String requests, String grants, String rejections, String forgotten, String globalCatalog) {
    }

    /** When an active grant expires. */
    private record Expiry(long at, String grantId) implements Comparable<Expiry> {

        private static final Comparator<Expiry> ORDER = Comparator.comparingLong(Expiry::at).thenComparing(Expiry::grantId);

        /** @return the grant's expiry, empty if it is not active or never expires */
        static Optional<Expiry> of(Grant grant) {
            return grant.getStatus() == GrantStatus.ACTIVE && grant.getExpiresAt() != null
                    ? Optional.of(new Expiry(grant.getExpiresAt().toEpochMilli(), grant.getGrantId())) : Optional.empty();
        }

        @Override
        public int compareTo(Expiry other) {
            return ORDER.compare(this, other);
        }
    }

    /**
     * @param requests reads a request's Avro
     * @param decisions reads a decision's Avro
     * @param config the grant durations, the expiry check's interval and the access history
     * @param stores the stores' names
     */
    AccessProcessor(Deserializer<AccessRequest> requests, Deserializer<AccessDecision> decisions, CatalogConfig config, Stores stores) {
        this.requests = requests;
        this.decisions = decisions;
        this.config = config;
        this.stores = stores;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.states = context.getStateStore(stores.requests());
        this.grants = context.getStateStore(stores.grants());
        this.rejections = context.getStateStore(stores.rejections());
        this.forgotten = context.getStateStore(stores.forgotten());
        this.catalog = context.getStateStore(stores.globalCatalog());
        // init runs again when Streams revives a task: the index is the store's as restored, nothing kept from before
        expiries.clear();
        openRequests.clear();
        activeGrants.clear();
        try (var all = grants.all()) {
            all.forEachRemaining(entry -> {
                Expiry.of(entry.value).ifPresent(expiries::add);
                count(activeGrants, activeOf(entry.value), 1);
            });
        }
        try (var all = states.all()) {
            all.forEachRemaining(entry -> count(openRequests, openOf(entry.value), 1));
        }
        context.schedule(config.expiryCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
        context.schedule(config.accessHistorySweep(), PunctuationType.WALL_CLOCK_TIME, this::forget);
    }

    @Override
    public void process(Record<String, SourcedRecord> stamped) {
        Record<String, SourcedRecord> record = SourceStamp.NO_KEY.equals(stamped.key()) ? stamped.withKey(null) : stamped;
        String topic = record.value().getSourceTopic();
        byte[] payload = AvroBytes.copyOf(record.value().getPayload());
        Optional<String> requester = MeshTopics.requester(topic);
        if (record.value().getOversized() != null) {
            // Cut by SourceStamp, refused by its size alone: nothing of it is quoted but its cut key.
            reject(record, record.key(), null, topic, writerOf(topic, requester), "record-size", "record on " + topic + " has "
                    + record.value().getOversized() + "; ignored");
            return;
        }
        if (record.value().getOverRate() != null) {
            // RateReport's count of the records SourceStamp dropped over their writer's rate, keyed by the first one.
            reject(record, record.key(), null, topic, writerOf(topic, requester), "record-rate", "refused unread: " + record.value().getOverRate());
            return;
        }
        if (requester.isPresent()) {
            onRequest(record, topic, requester.get(), payload);
        } else if (topic.startsWith(MeshTopics.DECISIONS_PREFIX)) {
            onDecision(record, topic, topic.substring(MeshTopics.DECISIONS_PREFIX.length()), payload);
        } else {
            reject(record, record.key(), null, topic, null, "access-topic", "records on " + topic + " are neither requests nor decisions; ignored");
        }
    }

    /** Who wrote a record refused before it was read: a request topic's principal, or a decision topic's. */
    private static String writerOf(String topic, Optional<String> requester) {
        return requester.orElseGet(() -> topic.startsWith(MeshTopics.DECISIONS_PREFIX)
                ? MeshNames.kafkaPrincipal(topic.substring(MeshTopics.DECISIONS_PREFIX.length())) : null);
    }

    private void onRequest(Record<String, SourcedRecord> record, String topic, String writer, byte[] payload) {
        String id = record.key();
        AccessRequest written;
        try {
            written = requests.deserialize(topic, payload);
        } catch (RuntimeException e) {
            reject(record, id, null, topic, writer, "avro", "record by " + writer + " on " + topic + " is not an AccessRequest in the mesh's"
                    + " Avro wire format (decisions count only on the owning domain's " + MeshTopics.DECISIONS_PREFIX + "<domain>); ignored");
            return;
        }
        Optional<String> badIdentity = FreeText.controlProblem("record key", id)
                .or(() -> FreeText.controlProblem("requestId", written.getRequestId()))
                .or(() -> FreeText.controlProblem("principal", written.getPrincipal()));
        if (badIdentity.isPresent()) {
            // Nothing of the request is echoed: its text is what is refused.
            reject(record, id, null, topic, writer, "free-text", badIdentity.get());
            return;
        }
        if (id == null || !id.equals(written.getRequestId())) {
            reject(record, id, null, topic, writer, "key-matches-request", "record key '" + id + "' is not the request id " + written.getRequestId());
            return;
        }
        if (!writer.equals(written.getPrincipal())) {
            reject(record, id, null, topic, writer, "requester", writer + " wrote request " + id + " in the name of " + written.getPrincipal()
                    + "; a principal asks only for itself, on its own " + MeshTopics.ACCESS_REQUESTS_PREFIX + "<principal>");
            return;
        }
        if (states.get(id) != null) {
            reject(record, id, null, topic, writer, "unique-request-id", "request " + id + " exists already; a new request needs a new id");
            return;
        }
        if (forgotten.get(id) != null) {
            // the audit trail and the grants' history name requests by id: an id means one request, however long ago
            reject(record, id, null, topic, writer, "unique-request-id", "request " + id + " existed before (the catalog forgot it after its "
                    + "access history); a new request needs a new id");
            return;
        }
        // Who asked is what Kafka proves, whatever the client wrote in the field.
        AccessRequest request = AccessRequest.newBuilder(written).setRequestedBy(writer).build();
        Optional<DataProduct> product = product(request.getProduct());
        Optional<String> badText = textProblem(request);
        if (badText.isPresent()) {
            // The one reason, so that no other message echoes the refused text.
            String domain = product.map(DataProduct::getDomain).orElse(null);
            putState(id, state(request, domain, RequestStatus.REJECTED, null, badText.get(), record.timestamp()));
            reject(record, id, domain, topic, writer, "free-text", badText.get());
            return;
        }
        List<RuleViolation> violations = new ArrayList<>();
        Optional<ProductView> view = product.flatMap(p -> view(p, request.getView()));
        if (product.isEmpty()) {
            violations.add(Governance.violation("product-exists", "no product " + request.getProduct() + " in the catalog"));
        } else if (product.get().getStatus() == ProductStatus.RETIRED) {
            violations.add(Governance.violation("product-active", "product " + request.getProduct() + " is retired"));
        } else if (view.isEmpty()) {
            violations.add(Governance.violation("view-exists", "product " + request.getProduct() + " has no view '" + request.getView()
                    + "' (views: " + String.join(", ", product.get().getRegistration().getViews().stream().map(ProductView::getName).toList()) + ")"));
        }
        String grantee = MeshNames.withoutKafkaPrefix(request.getPrincipal());
        if (!GROUP.matcher(request.getConsumerGroup()).matches() || platformGroup(request.getConsumerGroup())) {
            violations.add(Governance.violation("consumer-group", "'" + request.getConsumerGroup()
                    + "' is not a consumer group a team may own (letters, digits, . _ -; not the platform's mesh, mesh-* or mesh.*)"));
        } else if (!MeshNames.isGroupOf(request.getConsumerGroup(), grantee)) {
            // READ on a group lets its holder join it and commit its offsets: another team's group is never granted
            violations.add(Governance.violation("consumer-group", "'" + request.getConsumerGroup() + "' is not a consumer group of "
                    + grantee + ": it reads with its own, " + grantee + " or " + grantee + ".<name>"));
        }
        durationProblem(request.getDurationMs()).ifPresent(violations::add);
        quotaProblem(request).ifPresent(violations::add);
        decryptProblem(request, product).ifPresent(violations::add);
        String domain = product.map(DataProduct::getDomain).orElse(null);
        if (!violations.isEmpty()) {
            AccessRequestState rejected = state(request, domain, RequestStatus.REJECTED, null, violations.get(0).getMessage(), record.timestamp());
            putState(id, AccessRequestState.newBuilder(rejected).setReasons(violations.stream().map(RuleViolation::getMessage).toList()).build());
            reject(record, id, domain, topic, writer, violations);
            return;
        }
        // Decryption is the owner's decision on every view: an auto view's rows are open, its keys are not.
        if (view.get().getAccess() == ViewAccess.AUTO && !request.getDecrypt()) {
            // The grant first: the REST API reads the two stores while this thread writes them, and APPROVED shows its grant.
            grant(record, request, product.get(), "platform (access: auto)", null, request.getDurationMs());
            putState(id, state(request, domain, RequestStatus.APPROVED, "platform", "view is granted automatically", record.timestamp()));
        } else {
            // The approvers see the request while the owner decides.
            putState(id, AccessRequestState.newBuilder(state(request, domain, RequestStatus.PENDING, null, null, record.timestamp()))
                    .setSecondLevelApprovers(view.get().getSecondLevelApprovers()).build());
        }
    }

    private void onDecision(Record<String, SourcedRecord> record, String topic, String decider, byte[] payload) {
        String id = record.key();
        String writer = MeshNames.kafkaPrincipal(decider);
        AccessDecision decision;
        try {
            decision = decisions.deserialize(topic, payload);
        } catch (RuntimeException e) {
            reject(record, id, decider, topic, writer, "avro", "record by " + writer + " on " + topic
                    + " is not an AccessDecision in the mesh's Avro wire format; ignored");
            return;
        }
        if (id == null || !id.equals(decision.getRequestId())) {
            reject(record, id, decider, topic, writer, "key-matches-request", "decision keyed '" + id + "' names request "
                    + decision.getRequestId() + "; a decision's key is the request id it decides; ignored");
            return;
        }
        Optional<String> badReason = FreeText.problem("reason", decision.getReason());
        if (badReason.isPresent()) {
            reject(record, id, decider, topic, writer, "free-text", badReason.get() + "; the decision is ignored");
            return;
        }
        AccessRequestState state = states.get(id);
        if (state == null) {
            reject(record, id, decider, topic, writer, "request-exists", "decision for unknown request " + id + "; ignored");
            return;
        }
        if (decision.getLevel() != null && decision.getLevel() != 1 && decision.getLevel() != 2) {
            reject(record, id, decider, topic, writer, "decision-level", "decision level " + decision.getLevel()
                    + " is neither 1 (the owning domain) nor 2 (a second-level approver); ignored");
            return;
        }
        if (decision.getDecision() == DecisionKind.WITHDRAWN) {
            onWithdrawal(record, topic, writer, decision, state);
            return;
        }
        if (ownerWithdraws(decider, decision, state)) {
            conclude(id, state, 1, writer, false, decision.getReason(), record.timestamp());
            return;
        }
        if (secondLevel(decision, state)) {
            onSecondDecision(record, topic, writer, decision, state);
            return;
        }
        if (!decider.equals(state.getDomain())) {
            reject(record, id, decider, topic, writer, "owner-decides", "decision for request " + id + " arrived on " + topic + ", but product "
                    + state.getRequest().getProduct() + " belongs to domain " + state.getDomain() + "; ignored");
            return;
        }
        switch (decision.getDecision()) {
            case APPROVED, DENIED -> {
                if (state.getStatus() != RequestStatus.PENDING) {
                    reject(record, id, decider, topic, writer, "request-pending", "request " + id + " is " + state.getStatus()
                            + ", not PENDING; the decision is ignored");
                    return;
                }
                Long duration = decision.getDurationMs() != null ? decision.getDurationMs() : state.getRequest().getDurationMs();
                Optional<RuleViolation> badDuration = durationProblem(duration);
                if (badDuration.isPresent()) {
                    reject(record, id, decider, topic, writer, List.of(badDuration.get()));
                    return;
                }
                boolean approved = decision.getDecision() == DecisionKind.APPROVED;
                RequestDecision first = RequestDecision.newBuilder().setLevel(1).setDecidedBy(writer).setApproved(approved)
                        .setReason(decision.getReason()).setDurationMs(decision.getDurationMs()).setDecidedAt(Instant.ofEpochMilli(record.timestamp()))
                        .build();
                List<String> approvers = product(state.getRequest().getProduct()).flatMap(p -> view(p, state.getRequest().getView()))
                        .map(ProductView::getSecondLevelApprovers).orElse(List.of());
                if (approved && !approvers.isEmpty()) {
                    // No grant yet: the view names who approves second.
                    putState(id, AccessRequestState.newBuilder(state(state.getRequest(), decider, RequestStatus.AWAITING_SECOND_APPROVAL, writer,
                            decision.getReason(), record.timestamp())).setSecondLevelApprovers(approvers).setDecisions(List.of(first)).build());
                    return;
                }
                if (approved) {
                    // The grant before the state, as for an automatic view.
                    product(state.getRequest().getProduct()).ifPresentOrElse(
                            product -> grant(record, state.getRequest(), product, writer, null, duration),
                            () -> reject(record, id, decider, topic, writer, "product-exists", "product " + state.getRequest().getProduct()
                                    + " left the catalog before the approval"));
                }
                putState(id, AccessRequestState.newBuilder(state(state.getRequest(), decider, approved ? RequestStatus.APPROVED : RequestStatus.DENIED,
                        writer, decision.getReason(), record.timestamp())).setSecondLevelApprovers(state.getSecondLevelApprovers())
                        .setDecisions(List.of(first)).build());
            }
            case REVOKED -> {
                Grant grant = grants.get(id);
                if (grant == null || grant.getStatus() != GrantStatus.ACTIVE) {
                    reject(record, id, decider, topic, writer, "grant-active", "request " + id + " has no ACTIVE grant to revoke");
                    return;
                }
                end(grant, GrantStatus.REVOKED, writer, record.timestamp());
            }
        }
    }

    /**
     * The principal a request names takes it back, on its own decision topic: a request still
     * waiting for a decision ends WITHDRAWN (no longer counted against its quota), an active grant
     * is REVOKED, ended by the requester. Anyone else's withdrawal, or one of a request that
     * neither waits nor holds an active grant, is rejected.
     */
    private void onWithdrawal(Record<String, SourcedRecord> record, String topic, String writer, AccessDecision decision, AccessRequestState state) {
        String id = state.getRequest().getRequestId();
        if (!writer.equals(state.getRequest().getPrincipal())) {
            reject(record, id, state.getDomain(), topic, writer, "requester-withdraws", writer + " may not withdraw request " + id
                    + ": only the principal it names withdraws it, on its own " + MeshTopics.DECISIONS_PREFIX + "<principal>");
            return;
        }
        if (decision.getLevel() != null || decision.getDurationMs() != null) {
            reject(record, id, state.getDomain(), topic, writer, "withdrawal", "a withdrawal of request " + id
                    + " names no level and no duration; ignored");
            return;
        }
        if (openOf(state) != null) {
            putState(id, AccessRequestState.newBuilder(state).setStatus(RequestStatus.WITHDRAWN).setDecidedBy(writer)
                    .setReason(decision.getReason()).setUpdatedAt(Instant.ofEpochMilli(record.timestamp())).build());
            return;
        }
        Grant grant = grants.get(id);
        if (grant == null || grant.getStatus() != GrantStatus.ACTIVE) {
            reject(record, id, state.getDomain(), topic, writer, "request-open", "request " + id + " is " + state.getStatus()
                    + (grant == null ? "" : " and its grant " + grant.getStatus()) + ": nothing to withdraw");
            return;
        }
        end(grant, GrantStatus.REVOKED, writer, record.timestamp());
    }

    /** The owning domain may still deny a request it approved while the second approval is awaited. */
    private static boolean ownerWithdraws(String decider, AccessDecision decision, AccessRequestState state) {
        return state.getStatus() == RequestStatus.AWAITING_SECOND_APPROVAL && decider.equals(state.getDomain())
                && decision.getDecision() == DecisionKind.DENIED && (decision.getLevel() == null || decision.getLevel() == 1);
    }

    /**
     * A decision is the second level when it says so, or, saying nothing, when the request waits
     * for it: so the owner's second "approve" is refused as a second approval, never counted twice.
     */
    private static boolean secondLevel(AccessDecision decision, AccessRequestState state) {
        if (decision.getLevel() != null) {
            return decision.getLevel() == 2;
        }
        return state.getStatus() == RequestStatus.AWAITING_SECOND_APPROVAL && decision.getDecision() != DecisionKind.REVOKED;
    }

    /** A second-level approver's decision: counted only from a principal the view names, other than the first approver. */
    private void onSecondDecision(Record<String, SourcedRecord> record, String topic, String writer, AccessDecision decision,
                                  AccessRequestState state) {
        String id = state.getRequest().getRequestId();
        Optional<RuleViolation> problem = SecondApproval.problem(writer, decision, state);
        if (problem.isPresent()) {
            reject(record, id, state.getDomain(), topic, writer, List.of(problem.get()));
            return;
        }
        boolean approved = decision.getDecision() == DecisionKind.APPROVED;
        RequestDecision first = state.getDecisions().get(0);
        if (approved) {
            Optional<DataProduct> product = product(state.getRequest().getProduct()).filter(p -> view(p, state.getRequest().getView()).isPresent());
            if (product.isEmpty()) {
                reject(record, id, state.getDomain(), topic, writer, "product-exists", "product " + state.getRequest().getProduct()
                        + " or its view '" + state.getRequest().getView() + "' left the catalog before the second approval");
                return;
            }
            Long duration = first.getDurationMs() != null ? first.getDurationMs() : state.getRequest().getDurationMs();
            grant(record, state.getRequest(), product.get(), first.getDecidedBy(), writer, duration);
        }
        conclude(id, state, 2, writer, approved, decision.getReason(), record.timestamp());
    }

    /** Ends a request awaiting its second approval: the decision joins the others and decides the request. */
    private void conclude(String id, AccessRequestState state, int level, String writer, boolean approved, String reason, long timestamp) {
        List<RequestDecision> decided = new ArrayList<>(state.getDecisions());
        decided.add(RequestDecision.newBuilder().setLevel(level).setDecidedBy(writer).setApproved(approved).setReason(reason)
                .setDecidedAt(Instant.ofEpochMilli(timestamp)).build());
        putState(id, AccessRequestState.newBuilder(state).setStatus(approved ? RequestStatus.APPROVED : RequestStatus.DENIED)
                .setDecidedBy(writer).setReason(reason).setDecisions(decided).setUpdatedAt(Instant.ofEpochMilli(timestamp)).build());
    }

    private void grant(Record<String, SourcedRecord> record, AccessRequest request, DataProduct product, String approvedBy,
                       String secondApprovedBy, Long durationMs) {
        ProductAddress address = ProductAddress.parse(product.getAddress());
        ProductView view = view(product, request.getView()).orElseThrow();
        boolean transformed = view.getFilter() != null || !view.getMasks().isEmpty();
        long duration = durationMs != null ? durationMs : config.maxGrantDuration().toMillis();
        Grant grant = Grant.newBuilder()
                .setGrantId(request.getRequestId())
                .setRequestId(request.getRequestId())
                .setPrincipal(request.getPrincipal())
                .setProduct(product.getAddress())
                .setView(request.getView())
                .setConsumerGroup(request.getConsumerGroup())
                .setTopic(transformed ? address.viewTopic(view.getName()) : address.topic())
                .setPurpose(request.getPurpose())
                .setStatus(GrantStatus.ACTIVE)
                .setApprovedBy(approvedBy)
                .setSecondApprovedBy(secondApprovedBy)
                .setDecrypt(request.getDecrypt())
                .setGrantedAt(Instant.ofEpochMilli(record.timestamp()))
                .setExpiresAt(Instant.ofEpochMilli(record.timestamp() + duration))
                .build();
        put(grant);
        context.forward(new Record<>(grant.getGrantId(), grant, record.timestamp()), GRANTED);
    }

    private void expire(long now) {
        List<Grant> due = new ArrayList<>();
        while (!expiries.isEmpty() && expiries.first().at() <= now) {
            Grant grant = grants.get(expiries.pollFirst().grantId());
            if (grant != null && Expiry.of(grant).filter(expiry -> expiry.at() <= now).isPresent()) {
                due.add(grant);
            }
        }
        due.forEach(grant -> end(grant, GrantStatus.EXPIRED, "platform (expiry)", now));
    }

    /**
     * Forgets what the workflow concluded more than {@link CatalogConfig#accessHistory} ago: a
     * request rejected, denied or withdrawn, or approved with its grant ended (the grant too: a
     * tombstone on {@code mesh.access.grants}, which the enforcer, the catalog's global grants and
     * audit-sink take as gone), an ended grant whose request is gone, an access rejection. A
     * request waiting for a decision and an ACTIVE grant are never forgotten, so the quota counts
     * and the expiry index need no change. A forgotten request's id is kept, so it is never taken
     * again.
     */
    private void forget(long now) {
        long before = now - config.accessHistory().toMillis();
        Map<String, String> concluded = new HashMap<>();
        try (var all = states.all()) {
            all.forEachRemaining(entry -> {
                if (openOf(entry.value) == null && entry.value.getUpdatedAt().toEpochMilli() < before
                        && endedBefore(grants.get(entry.key), before)) {
                    concluded.put(entry.key, entry.value.getRequest().getPrincipal());
                }
            });
        }
        concluded.forEach((id, principal) -> {
            forgotten.put(id, principal);
            states.delete(id);
        });
        List<String> ended = new ArrayList<>();
        try (var all = grants.all()) {
            all.forEachRemaining(entry -> {
                if (endedBefore(entry.value, before) && states.get(entry.key) == null) {
                    ended.add(entry.key);
                }
            });
        }
        ended.forEach(id -> {
            grants.delete(id);
            context.forward(new Record<>(id, null, now), GRANTED);
        });
        CatalogTopology.forgetRejections(rejections, before);
    }

    /** @return whether there is no grant, or it ended before the time */
    private static boolean endedBefore(Grant grant, long before) {
        if (grant == null) {
            return true;
        }
        Instant ended = grant.getEndedAt() != null ? grant.getEndedAt() : grant.getGrantedAt();
        return grant.getStatus() != GrantStatus.ACTIVE && ended.toEpochMilli() < before;
    }

    private void end(Grant grant, GrantStatus status, String by, long at) {
        Grant ended = Grant.newBuilder(grant).setStatus(status).setEndedAt(Instant.ofEpochMilli(at)).setEndedBy(by).build();
        put(ended);
        context.forward(new Record<>(ended.getGrantId(), ended, at), GRANTED);
    }

    /** @return whether the group is the platform's: its apps' ({@code mesh-<app>}) or an auditor's prefix's ({@code mesh.}) */
    private static boolean platformGroup(String group) {
        return MeshNames.isPlatformName(group) || group.startsWith(MeshNames.PLATFORM_NAME + ".");
    }

    /** Every grant is written here, so that the expiry index and the active grants' counts stay the store's. */
    private void put(Grant grant) {
        Grant before = grants.get(grant.getGrantId());
        if (before != null) {
            Expiry.of(before).ifPresent(expiries::remove);
            count(activeGrants, activeOf(before), -1);
        }
        grants.put(grant.getGrantId(), grant);
        Expiry.of(grant).ifPresent(expiries::add);
        count(activeGrants, activeOf(grant), 1);
    }

    /** Every request's state is written here, so that the open requests' counts stay the store's. */
    private void putState(String id, AccessRequestState state) {
        count(openRequests, openOf(states.get(id)), -1);
        states.put(id, state);
        count(openRequests, openOf(state), 1);
    }

    /** @return the principal whose request waits for a decision in this state; null for none or another state */
    private static String openOf(AccessRequestState state) {
        return state != null && (state.getStatus() == RequestStatus.PENDING || state.getStatus() == RequestStatus.AWAITING_SECOND_APPROVAL)
                ? state.getRequest().getPrincipal() : null;
    }

    /** @return the principal of the grant if it is ACTIVE; null otherwise */
    private static String activeOf(Grant grant) {
        return grant.getStatus() == GrantStatus.ACTIVE ? grant.getPrincipal() : null;
    }

    private static void count(Map<String, Integer> counts, String principal, int change) {
        if (principal != null) {
            counts.merge(principal, change, (was, plus) -> was + plus == 0 ? null : was + plus);
        }
    }

    /** A principal holding its quota of open requests or active grants in this task asks for no more until some end. */
    private Optional<RuleViolation> quotaProblem(AccessRequest request) {
        CatalogConfig.AccessQuota quota = config.accessQuota();
        String principal = request.getPrincipal();
        int open = openRequests.getOrDefault(principal, 0);
        if (open >= quota.openRequests()) {
            return Optional.of(Governance.violation("principal-quota", principal + " has " + open + " requests waiting for a decision ("
                    + quota.openRequests() + " at most at once); ask again once owners decided some, or withdraw some (mesh access withdraw)"));
        }
        int active = activeGrants.getOrDefault(principal, 0);
        if (active >= quota.activeGrants()) {
            // an owner's approvals of open requests may take it past the bound; only new requests are held
            return Optional.of(Governance.violation("principal-quota", principal + " holds " + active + " active grants ("
                    + quota.activeGrants() + " at most); ask an owner to revoke those it no longer needs first"));
        }
        return Optional.empty();
    }

    /** Decryption is asked of the key service, which serves only the data keys of a product that encrypts fields. */
    private static Optional<RuleViolation> decryptProblem(AccessRequest request, Optional<DataProduct> product) {
        if (!request.getDecrypt() || product.isEmpty() || product.get().getRegistration().getEncryption() != null) {
            return Optional.empty();
        }
        return Optional.of(Governance.violation("decrypt", "product " + request.getProduct()
                + " encrypts no field (its contract has no encryption); request it without decrypt"));
    }

    private Optional<RuleViolation> durationProblem(Long durationMs) {
        if (durationMs == null) {
            return Optional.empty();
        }
        if (durationMs < MIN_DURATION.toMillis() || durationMs > config.maxGrantDuration().toMillis()) {
            return Optional.of(Governance.violation("duration", "duration " + durationMs + " ms must be between 1 s and "
                    + config.maxGrantDuration().toDays() + " days"));
        }
        return Optional.empty();
    }

    private static Optional<ProductView> view(DataProduct product, String name) {
        return product.getRegistration().getViews().stream().filter(v -> v.getName().equals(name)).findFirst();
    }

    private Optional<DataProduct> product(String address) {
        return Optional.ofNullable(address).map(catalog::get).map(ValueAndTimestamp::value);
    }

    private static AccessRequestState state(AccessRequest request, String domain, RequestStatus status, String by, String reason, long at) {
        return AccessRequestState.newBuilder().setRequest(request).setDomain(domain).setStatus(status).setDecidedBy(by)
                .setReason(reason).setUpdatedAt(Instant.ofEpochMilli(at)).build();
    }

    /**
     * The text fields others read of a request: a purpose or a name (product, view, group) over its
     * length limit, or control characters in any, refuse it; the names' limit also bounds what a
     * rejection quotes and what the request's state keeps.
     */
    private static Optional<String> textProblem(AccessRequest request) {
        return FreeText.problem("purpose", request.getPurpose())
                .or(() -> FreeText.nameProblem("product", request.getProduct()))
                .or(() -> FreeText.nameProblem("view", request.getView()))
                .or(() -> FreeText.nameProblem("consumerGroup", request.getConsumerGroup()));
    }

    private void reject(Record<String, SourcedRecord> record, String subject, String domain, String topic, String writer, String rule,
                        String message) {
        reject(record, subject, domain, topic, writer, List.of(Governance.violation(rule, message)));
    }

    private void reject(Record<String, SourcedRecord> record, String subject, String domain, String topic, String writer,
                        List<RuleViolation> reasons) {
        String key = subject == null ? "(no key)" : subject;
        Rejection rejection = Rejection.newBuilder().setSubject(key).setDomain(domain).setSourceTopic(topic).setReasons(reasons)
                .setRejectedAt(Instant.ofEpochMilli(record.timestamp())).setWriter(writer).build();
        rejections.put(CatalogTopology.rejectionKey(String.valueOf(writer), key), rejection);
        context.forward(new Record<>(key, rejection, record.timestamp()), REJECTED);
    }
}
