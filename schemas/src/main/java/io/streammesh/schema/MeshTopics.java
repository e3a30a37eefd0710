package io.streammesh.schema;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Names of the platform's own topics. Everything under {@code mesh.} is written only by
 * platform principals; see ARCHITECTURE.md for keys, values and cleanup policies.
 */
public final class MeshTopics {

    /** What every platform topic starts with; no product topic does. */
    public static final String PLATFORM_PREFIX = "mesh.";
    /** What a dead-letter topic adds to the name of the topic whose records it holds. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";
    /**
     * The most partitions a topic may have: a product's registration (contract validation and
     * governance) and any topic a client creates (the broker's {@code MeshTopicPolicy}). The gate
     * and the views run one task per partition number of their widest source, shared by every
     * domain, so no domain may make them wider than this.
     */
    public static final int MAX_PARTITIONS = 1000;

    /** Address → {@code DataProduct}, compacted; written by catalog-stream. */
    public static final String CATALOG = "mesh.catalog";
    /** Address → {@code Rejection}; written by catalog-stream. */
    public static final String CATALOG_REJECTIONS = "mesh.catalog.rejections";
    /**
     * The shared request topic of meshes before per-principal request topics: no longer read or
     * written; {@code mesh up} takes away the WRITE every principal had on it.
     */
    public static final String ACCESS_REQUESTS = "mesh.access.requests";
    /** Prefix of the per-principal request topics, {@code mesh.access.requests.<principal>}. */
    public static final String ACCESS_REQUESTS_PREFIX = "mesh.access.requests.";
    /** Every per-principal request topic. */
    public static final Pattern ACCESS_REQUEST_TOPICS = Pattern.compile(Pattern.quote(ACCESS_REQUESTS_PREFIX) + MeshNames.REGEX);
    /** Grant id → {@code Grant}, compacted; written by catalog-stream. */
    public static final String ACCESS_GRANTS = "mesh.access.grants";
    /** Address → {@code ProductStats}, compacted. */
    public static final String PRODUCT_STATS = "mesh.product.stats";
    /**
     * {@link #viewStatusKey View key} → {@code ViewStatus}, compacted; written by the
     * policy-enforcer, read by catalog-stream. Under {@link #VIEW_PREFIX} but never a view: a view
     * topic has an address (three parts) and a view name after the prefix.
     */
    public static final String VIEW_STATUS = "mesh.view.status";
    /** Principal → {@code AuthorizationEvent}; written by the broker's authorizer. */
    public static final String AUDIT_RAW = "mesh.audit.raw";
    /** Principal → hash-chained {@code AuditEvent}, kept forever; written by audit-sink. */
    public static final String AUDIT = "mesh.audit";
    /**
     * {@code <address>|<group>} → {@code ProductConsumption}, compacted: how much each group has
     * read of each product, summed by audit-sink from its consumption ledger; read by catalog-stream.
     */
    public static final String CONSUMPTION = "mesh.consumption";
    /**
     * {@code mesh.audit} → {@code AuditChainStatus}, compacted: audit-sink's last check of the
     * audit chains; read by catalog-stream.
     */
    public static final String AUDIT_CHAIN = "mesh.audit.chain";
    /** Prefix of every view topic, {@code mesh.view.<address>.<view>}. */
    public static final String VIEW_PREFIX = "mesh.view.";
    /** Prefix of the per-domain registration topics. */
    public static final String REGISTRATIONS_PREFIX = "mesh.registrations.";
    /** Prefix of the per-principal decision topics: a domain's, and a second-level approver's. */
    public static final String DECISIONS_PREFIX = "mesh.decisions.";
    /**
     * Prefix of the per-domain key topics, {@code mesh.keys.<domain>}: compacted, subject id →
     * that data subject's data key wrapped by the domain's key-encryption key. Only the platform
     * principals that encrypt or decrypt read them; domains never do.
     */
    public static final String KEYS_PREFIX = "mesh.keys.";
    /**
     * Prefix of the per-domain erasure topics, {@code mesh.erasures.<domain>}: subject id → why it
     * is erased. Only the domain (and the platform) writes its own, so the topic says who asked;
     * the contract gate destroys the subject's data key, audit-sink records SUBJECT_ERASED.
     */
    public static final String ERASURES_PREFIX = "mesh.erasures.";
    /** Every per-domain erasure topic. */
    public static final Pattern ERASURE_TOPICS = Pattern.compile(Pattern.quote(ERASURES_PREFIX) + MeshNames.REGEX);
    /** Every per-domain registration topic. */
    public static final Pattern REGISTRATION_TOPICS = Pattern.compile(Pattern.quote(REGISTRATIONS_PREFIX) + MeshNames.REGEX);
    /** Every per-principal decision topic. */
    public static final Pattern DECISION_TOPICS = Pattern.compile(Pattern.quote(DECISIONS_PREFIX) + MeshNames.REGEX);
    /**
     * Every product topic: exactly the names that {@link ProductAddress#parse} accepts, never a
     * platform topic.
     */
    public static final Pattern PRODUCT_TOPICS = Pattern.compile(notPlatform() + ProductAddress.REGEX);
    /** Every product topic and its dead-letter topic, {@code <address>[.dlq]}. */
    public static final Pattern PRODUCT_AND_DEAD_LETTER_TOPICS = Pattern.compile(
            notPlatform() + ProductAddress.REGEX + "(?:" + Pattern.quote(DEAD_LETTER_SUFFIX) + ")?");
    /**
     * A product's three topics, {@code <address>}, {@code <address>.dlq} and {@code <address>.ingest}:
     * the names the platform's shared apps subscribe to, which only the platform creates.
     */
    public static final Pattern PRODUCT_FAMILY_TOPICS = Pattern.compile(notPlatform() + ProductAddress.REGEX
            + "(?:" + Pattern.quote(DEAD_LETTER_SUFFIX) + "|" + Pattern.quote(ProductAddress.INGEST_SUFFIX) + ")?");

    /** The platform topics that exist once, whatever the domains. */
    public static final List<String> PLATFORM = List.of(
            CATALOG, CATALOG_REJECTIONS, ACCESS_GRANTS, PRODUCT_STATS, VIEW_STATUS, AUDIT_RAW, AUDIT, CONSUMPTION, AUDIT_CHAIN);

    private MeshTopics() {
    }

    private static String notPlatform() {
        return "(?!" + Pattern.quote(PLATFORM_PREFIX) + ")";
    }

    /**
     * @param topic a product, view or platform app's topic
     * @return the topic its dead letters go to, {@code <topic>.dlq}
     */
    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }

    /**
     * @param address a product
     * @param view one of its views
     * @return the view's key on {@link #VIEW_STATUS}, {@code <address>/<view>}
     */
    public static String viewStatusKey(ProductAddress address, String view) {
        return viewStatusPrefix(address) + view;
    }

    /**
     * @param address a product
     * @return what the keys of its views on {@link #VIEW_STATUS} start with
     */
    public static String viewStatusPrefix(ProductAddress address) {
        return address + "/";
    }

    /**
     * @param topic a topic
     * @return the registry subject of its record values, {@code <topic>-value} (TopicIdStrategy)
     */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    /**
     * @param domain a domain name
     * @return the topic only that domain (and the platform) writes its subjects' erasures to
     */
    public static String erasures(String domain) {
        ProductAddress.checkName("domain", domain);
        return ERASURES_PREFIX + domain;
    }

    /**
     * @param domain a domain name
     * @return the compacted topic holding the domain's wrapped data keys, one per data subject
     */
    public static String keys(String domain) {
        ProductAddress.checkName("domain", domain);
        return KEYS_PREFIX + domain;
    }

    /**
     * @param domain a domain name
     * @return the topic only that domain's principal may write its registrations to
     */
    public static String registrations(String domain) {
        ProductAddress.checkName("domain", domain);
        return REGISTRATIONS_PREFIX + domain;
    }

    /**
     * @param domain a domain's (or any principal's) name
     * @return the topic only that principal may write its access decisions to: as the owning
     *         domain, or as a second-level approver a view names
     */
    public static String decisions(String domain) {
        ProductAddress.checkName("domain", domain);
        return DECISIONS_PREFIX + domain;
    }

    /**
     * @param principal a principal's bare name, e.g. {@code analytics}
     * @return the topic only that principal (and the platform) may write its access requests to:
     *         the broker, not a field of the request, says who asked
     */
    public static String accessRequests(String principal) {
        ProductAddress.checkName("principal", principal);
        return ACCESS_REQUESTS_PREFIX + principal;
    }

    /**
     * @param topic a topic name
     * @return the principal, {@code User:<name>}, whose request topic it is; empty if it is none
     */
    public static Optional<String> requester(String topic) {
        return topic != null && ACCESS_REQUEST_TOPICS.matcher(topic).matches()
                ? Optional.of(MeshNames.kafkaPrincipal(topic.substring(ACCESS_REQUESTS_PREFIX.length())))
                : Optional.empty();
    }
}
