package io.streammesh.catalog;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.RuleViolation;
import java.time.Instant;
import java.util.ArrayList;
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
 * leaves the product's catalog entry as it was. Admitted products go to the child named
 * {@link #ADMITTED}, rejections to the one named {@link #REJECTED}.
 */
final class GovernanceProcessor implements Processor<String, byte[], String, SpecificRecord> {

    /** The child that writes admitted products to {@code mesh.catalog}. */
    static final String ADMITTED = "catalog-sink";
    /** The child that writes refused registrations to {@code mesh.catalog.rejections}. */
    static final String REJECTED = "registration-rejections-sink";

    private final Governance governance;
    private final Deserializer<ProductRegistration> registrations;
    private final String catalogStore;
    private final String rejectionsStore;
    private final String globalCatalogStore;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, DataProduct> catalog;
    private KeyValueStore<String, Rejection> rejections;
    private TimestampedKeyValueStore<String, DataProduct> globalCatalog;

    /**
     * @param governance the global rules
     * @param registrations reads a registration's Avro
     * @param catalogStore the store of admitted products, by address
     * @param rejectionsStore the store of each address's latest rejection
     * @param globalCatalogStore the global table over {@code mesh.catalog}
     */
    GovernanceProcessor(Governance governance, Deserializer<ProductRegistration> registrations, String catalogStore, String rejectionsStore,
                        String globalCatalogStore) {
        this.governance = governance;
        this.registrations = registrations;
        this.catalogStore = catalogStore;
        this.rejectionsStore = rejectionsStore;
        this.globalCatalogStore = globalCatalogStore;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.catalog = context.getStateStore(catalogStore);
        this.rejections = context.getStateStore(rejectionsStore);
        this.globalCatalog = context.getStateStore(globalCatalogStore);
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
        List<RuleViolation> violations = new ArrayList<>(governance.check(record.key(), registration, domain, this::inCatalog));
        DataProduct current = catalog.get(registration.getAddress());
        // Only once it is this domain's own product: the address was checked above.
        if (current != null && violations.isEmpty()) {
            violations.addAll(governance.checkEvolution(registration, current.getRegistration()));
        }
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
        context.forward(new Record<>(address, product, record.timestamp()), ADMITTED);
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
        context.forward(new Record<>(subject, rejection, record.timestamp()), REJECTED);
    }

    private boolean inCatalog(String address) {
        return catalog.get(address) != null || globalCatalog.get(address) != null;
    }
}
