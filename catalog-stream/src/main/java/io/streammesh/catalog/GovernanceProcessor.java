package io.streammesh.catalog;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.RuleViolation;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Registrations → governed catalog entries or rejections. The domain is the registration
 * topic's ({@code mesh.registrations.<domain>}), never the payload's. A rejected registration
 * leaves the product's catalog entry as it was.
 */
final class GovernanceProcessor implements Processor<String, byte[], String, SpecificRecord> {

    private final Governance governance;
    private final Deserializer<ProductRegistration> registrations;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, DataProduct> catalog;
    private KeyValueStore<String, Rejection> rejections;
    private TimestampedKeyValueStore<String, DataProduct> globalCatalog;

    GovernanceProcessor(Governance governance, Deserializer<ProductRegistration> registrations) {
        this.governance = governance;
        this.registrations = registrations;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.catalog = context.getStateStore(CatalogTopology.CATALOG_STORE);
        this.rejections = context.getStateStore(CatalogTopology.REJECTIONS_STORE);
        this.globalCatalog = context.getStateStore(CatalogTopology.GLOBAL_CATALOG);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElse(MeshTopics.REGISTRATIONS_PREFIX);
        String domain = topic.substring(MeshTopics.REGISTRATIONS_PREFIX.length());
        String subject = record.key() == null ? "(no key)" : record.key();
        if (record.value() == null) {
            reject(record, subject, domain, topic, List.of(Governance.violation("no-tombstones",
                    "a registration cannot be deleted; retire the product instead (mesh product retire)")));
            return;
        }
        ProductRegistration registration;
        try {
            registration = registrations.deserialize(topic, record.value());
        } catch (RuntimeException e) {
            reject(record, subject, domain, topic, List.of(Governance.violation("avro",
                    "not a ProductRegistration in the mesh's Avro wire format: " + e.getMessage())));
            return;
        }
        List<RuleViolation> violations = governance.check(record.key(), registration, domain, this::inCatalog);
        if (!violations.isEmpty()) {
            reject(record, registration.getAddress(), domain, topic, violations);
            return;
        }
        admit(record, registration, domain);
    }

    private void admit(Record<String, byte[]> record, ProductRegistration registration, String domain) {
        String address = registration.getAddress();
        DataProduct existing = catalog.get(address);
        Instant at = Instant.ofEpochMilli(record.timestamp());
        DataProduct product = DataProduct.newBuilder()
                .setAddress(address)
                .setDomain(domain)
                .setRegistration(registration)
                .setStatus(registration.getRetired() ? ProductStatus.RETIRED : ProductStatus.ACTIVE)
                .setFirstPublishedAt(existing == null ? at : existing.getFirstPublishedAt())
                .setUpdatedAt(existing == null ? at : existing.getUpdatedAt())
                .build();
        rejections.delete(address);
        if (product.equals(existing)) {
            return;
        }
        product.setUpdatedAt(at);
        catalog.put(address, product);
        context.forward(new Record<>(address, product, record.timestamp()));
    }

    private void reject(Record<String, byte[]> record, String subject, String domain, String topic, List<RuleViolation> violations) {
        Rejection rejection = Rejection.newBuilder()
                .setSubject(subject)
                .setDomain(domain)
                .setSourceTopic(topic)
                .setReasons(violations)
                .setRejectedAt(Instant.ofEpochMilli(record.timestamp()))
                .build();
        rejections.put(subject, rejection);
        context.forward(new Record<>(subject, rejection, record.timestamp()));
    }

    private boolean inCatalog(String address) {
        return catalog.get(address) != null || globalCatalog.get(address) != null;
    }
}
