package io.streammesh.embedded;

import io.streammesh.authorizer.AuditAuthorizerConfig;
import io.streammesh.authorizer.AuditingAuthorizer;
import io.streammesh.client.ClientConfigs;
import io.streammesh.schema.MeshPrincipal;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.apache.kafka.server.authorizer.Authorizer;

/**
 * Which authorizer the embedded broker runs, and its settings. Both choices deny by default
 * (ACLs in KRaft); the auditing one also reports every decision to {@code mesh.audit.raw}.
 *
 * @param type the authorizer class the broker instantiates
 * @param settings its broker settings, added to the broker's config
 */
record BrokerAuthorizer(Class<? extends Authorizer> type, Map<String, String> settings) {

    BrokerAuthorizer {
        settings = Map.copyOf(settings);
    }

    /** @return Kafka's authorizer alone, for a benchmark's baseline */
    static BrokerAuthorizer standard() {
        return new BrokerAuthorizer(StandardAuthorizer.class, Map.of());
    }

    /**
     * @param state the mesh's state: mesh-admin's client config (the shipper writes as the super
     *        user)
     * @param spool the broker's own spool directory
     * @return the authorizer that audits every decision
     */
    static BrokerAuthorizer auditing(StateDirectory state, java.nio.file.Path spool) {
        return new BrokerAuthorizer(AuditingAuthorizer.class, Map.of(
                AuditAuthorizerConfig.CLIENT_CONFIG,
                new ClientConfigs(state.clients()).propertiesFile(MeshPrincipal.ADMIN.name()).toString(),
                AuditAuthorizerConfig.SPOOL_DIR, spool.toString()));
    }

    /** @param props the broker's config, which gets this authorizer and its settings */
    void applyTo(Properties props) {
        props.put("authorizer.class.name", type.getName());
        props.putAll(settings);
    }
}
