package io.streammesh.catalog;

import io.streammesh.client.RecordProducers;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.RestResources;
import java.time.Instant;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports every catalog REST call to {@code mesh.audit.raw}, beside the broker's own
 * authorisation events, so that the audit trail shows who read the catalog: one event per
 * call, resource type {@value RestResources#CATALOG}, ALLOWED or DENIED; and every fetch of a data
 * key from the key service, resource type {@value RestResources#KEY}.
 */
final class RestAccessLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestAccessLog.class);

    private final KafkaProducer<String, AuthorizationEvent> producer;

    RestAccessLog(MeshClientConfig clientConfig) {
        this.producer = RecordProducers.create(clientConfig, "mesh-catalog-rest-audit");
    }

    void record(String principal, String clientAddress, String resource, boolean allowed) {
        send(principal, clientAddress, "READ", RestResources.CATALOG, resource, allowed);
    }

    /**
     * Reports one fetch of a data key from the key service, served or refused: resource type
     * {@value RestResources#KEY}, named {@code <address>/keys/<subject>}; audit-sink records it as KEY_ACCESS.
     *
     * @return the report's write to {@code mesh.audit.raw}, done once the broker has it
     */
    Future<RecordMetadata> keyAccess(String principal, String clientAddress, String address, String subject, boolean served) {
        return send(principal, clientAddress, "FETCH_KEY", RestResources.KEY, address + KeyService.PATH_PART + subject, served);
    }

    private Future<RecordMetadata> send(String principal, String clientAddress, String operation, String resourceType, String resource, boolean allowed) {
        var event = AuthorizationEvent.newBuilder()
                .setWindowStart(Instant.now())
                .setPrincipal(principal)
                .setClientAddress(clientAddress)
                .setClientId("catalog-rest")
                .setOperation(operation)
                .setResourceType(resourceType)
                .setResourceName(resource)
                .setDecision(allowed ? Decision.ALLOWED : Decision.DENIED)
                .setCount(1)
                .setBrokerId(-1)
                .build();
        return producer.send(new ProducerRecord<>(MeshTopics.AUDIT_RAW, principal, event), (metadata, error) -> {
            if (error != null) {
                LOG.error("Could not report a catalog read by {} of {} to {}: {}", principal, resource, MeshTopics.AUDIT_RAW, error.getMessage());
            }
        });
    }

    @Override
    public void close() {
        producer.close();
    }
}
