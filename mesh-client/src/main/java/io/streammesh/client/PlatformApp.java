package io.streammesh.client;

import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;

/**
 * The mesh's own applications. Each runs as its own principal, whose name is also its Kafka
 * Streams {@code application.id}, so that its internal topics, consumer group and
 * transactional ids all fall under one ACL prefix.
 */
public enum PlatformApp {
    /** catalog-stream: the governed catalog, product health and the access workflow. */
    CATALOG("mesh-catalog"),
    /** policy-enforcer: views and the broker ACLs of grants. */
    ENFORCER("mesh-enforcer"),
    /** audit-sink: the hash-chained audit topic. */
    AUDIT("mesh-audit"),
    /** domain-connector's contract gate: the only writer of product topics. */
    GATE("mesh-gate");

    private final String id;

    PlatformApp(String id) {
        this.id = id;
    }

    /** @return the app's principal */
    public MeshPrincipal principal() {
        return new MeshPrincipal(id, PrincipalKind.PLATFORM);
    }

    /** @return the app's Kafka Streams application id */
    public String applicationId() {
        return id;
    }
}
