package io.streammesh.schema;

import java.util.List;

/**
 * Names of the platform's own topics. Everything under {@code mesh.} is written only by
 * platform principals; see ARCHITECTURE.md for keys, values and cleanup policies.
 */
public final class MeshTopics {

    /** Address → {@code DataProduct}, compacted; written by catalog-stream. */
    public static final String CATALOG = "mesh.catalog";
    /** Address → {@code Rejection}; written by catalog-stream. */
    public static final String CATALOG_REJECTIONS = "mesh.catalog.rejections";
    /** Request id → {@code AccessRequest}; any authenticated principal may write. */
    public static final String ACCESS_REQUESTS = "mesh.access.requests";
    /** Grant id → {@code Grant}, compacted; written by catalog-stream. */
    public static final String ACCESS_GRANTS = "mesh.access.grants";
    /** Address → {@code ProductStats}, compacted. */
    public static final String PRODUCT_STATS = "mesh.product.stats";
    /** Principal → {@code AuthorizationEvent}; written by the broker's authorizer. */
    public static final String AUDIT_RAW = "mesh.audit.raw";
    /** Principal → hash-chained {@code AuditEvent}, kept forever; written by audit-sink. */
    public static final String AUDIT = "mesh.audit";
    /** Prefix of every view topic, {@code mesh.view.<address>.<view>}. */
    public static final String VIEW_PREFIX = "mesh.view.";
    /** Prefix of the per-domain registration topics. */
    public static final String REGISTRATIONS_PREFIX = "mesh.registrations.";
    /** Prefix of the per-domain decision topics. */
    public static final String DECISIONS_PREFIX = "mesh.decisions.";

    /** The platform topics that exist once, whatever the domains. */
    public static final List<String> PLATFORM = List.of(
            CATALOG, CATALOG_REJECTIONS, ACCESS_REQUESTS, ACCESS_GRANTS, PRODUCT_STATS, AUDIT_RAW, AUDIT);

    private MeshTopics() {
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
     * @return the topic only that domain's principal may write its registrations to
     */
    public static String registrations(String domain) {
        ProductAddress.checkName("domain", domain);
        return REGISTRATIONS_PREFIX + domain;
    }

    /**
     * @param domain a domain name
     * @return the topic only that domain's principal may write its access decisions to
     */
    public static String decisions(String domain) {
        ProductAddress.checkName("domain", domain);
        return DECISIONS_PREFIX + domain;
    }
}
