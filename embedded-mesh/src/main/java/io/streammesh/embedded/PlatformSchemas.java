package io.streammesh.embedded;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AuditChainStatus;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Grant;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductConsumption;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStats;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.ViewStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Registers the value schemas of the platform's own topics as mesh-admin, one at a time, before
 * any app or client writes them. The apps' serializers register what they do not find, and when
 * several register new subjects at once Apicurio 2.4 on H2 can time out on a lock half-way
 * through creating one: that subject then exists without a version, and every later
 * registration of it fails with "No artifact … was found". Registered here first, the
 * serializers only find what exists.
 */
final class PlatformSchemas {

    private final MeshClientConfig admin;

    /** @param admin mesh-admin's client config */
    PlatformSchemas(MeshClientConfig admin) {
        this.admin = admin;
    }

    /** Registers the schemas of the topics the mesh has whatever its domains. */
    void registerPlatform() {
        var schemas = new LinkedHashMap<String, Schema>();
        schemas.put(MeshTopics.CATALOG, DataProduct.getClassSchema());
        schemas.put(MeshTopics.CATALOG_REJECTIONS, Rejection.getClassSchema());
        schemas.put(MeshTopics.ACCESS_GRANTS, Grant.getClassSchema());
        schemas.put(MeshTopics.PRODUCT_STATS, ProductStats.getClassSchema());
        schemas.put(MeshTopics.VIEW_STATUS, ViewStatus.getClassSchema());
        schemas.put(MeshTopics.AUDIT, AuditEvent.getClassSchema());
        schemas.put(MeshTopics.CONSUMPTION, ProductConsumption.getClassSchema());
        schemas.put(MeshTopics.AUDIT_CHAIN, AuditChainStatus.getClassSchema());
        register(schemas);
    }

    /** @param domain a domain whose registration and decision topics get their schemas */
    void registerDomain(String domain) {
        register(Map.of(MeshTopics.registrations(domain), ProductRegistration.getClassSchema(),
                MeshTopics.decisions(domain), AccessDecision.getClassSchema()));
    }

    /** @param principal a principal whose request topic gets its schema */
    void registerRequests(String principal) {
        register(Map.of(MeshTopics.accessRequests(principal), AccessRequest.getClassSchema()));
    }

    /** @param team a team whose decision topic (as a second-level approver) gets its schema; a domain's comes with {@link #registerDomain} */
    void registerDecisions(String team) {
        register(Map.of(MeshTopics.decisions(team), AccessDecision.getClassSchema()));
    }

    private void register(Map<String, Schema> valueSchemas) {
        try (var registry = SchemaRegistry.connect(admin)) {
            valueSchemas.forEach((topic, schema) -> registry.register(topic + "-value", schema.toString()));
        }
    }
}
