package io.streammesh.catalog;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.FreeText;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.RuleViolation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Registrations → governed catalog entries or rejections. The domain is the registration
 * topic's ({@code mesh.registrations.<domain>}), never the payload's. A rejected registration
 * leaves the product's catalog entry as it was. Admitted products go to the child named
 * {@link #ADMITTED}, rejections to the one named {@link #REJECTED}. A rejection stays in the
 * store (for {@code mesh catalog rejections}) until the address is admitted or for the catalog's
 * history ({@link CatalogConfig#accessHistory}), so that a domain writing ever new refused keys
 * cannot grow it for good.
 */
final class GovernanceProcessor implements Processor<String, byte[], String, SpecificRecord> {

    /** The child that writes admitted products to {@code mesh.catalog}. */
    static final String ADMITTED = "catalog-sink";
    /** The child that writes refused registrations to {@code mesh.catalog.rejections}. */
    static final String REJECTED = "registration-rejections-sink";
    /**
     * The largest registration admitted: its catalog entry adds little to it, and must fit
     * {@code mesh.catalog} and the producer's request limit (1 MiB by default) with room to spare.
     */
    static final int MAX_REGISTRATION_BYTES = 512 * 1024;
    /** The longest subject a rejection names: more than any address has. */
    static final int MAX_SUBJECT_LENGTH = 300;
    /** The longest reason a rejection gives. */
    static final int MAX_REASON_LENGTH = 1_000;
    /** The most reasons a rejection gives, the last saying how many more there were. */
    static final int MAX_REASONS = 50;

    private final Governance governance;
    private final GovernancePolicy quota;
    private final Deserializer<ProductRegistration> registrations;
    private final String catalogStore;
    private final String rejectionsStore;
    private final String globalCatalogStore;
    private final CatalogConfig config;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, DataProduct> catalog;
    private KeyValueStore<String, Rejection> rejections;
    private TimestampedKeyValueStore<String, DataProduct> globalCatalog;

    /**
     * @param governance the global rules
     * @param quota the policy whose domain quotas apply
     * @param registrations reads a registration's Avro
     * @param catalogStore the store of admitted products, by address
     * @param rejectionsStore the store of each address's latest rejection
     * @param globalCatalogStore the global table over {@code mesh.catalog}
     * @param config how long rejections are kept, and how often they are swept
     */
    GovernanceProcessor(Governance governance, GovernancePolicy quota, Deserializer<ProductRegistration> registrations,
                        String catalogStore, String rejectionsStore, String globalCatalogStore, CatalogConfig config) {
        this.governance = governance;
        this.quota = quota;
        this.registrations = registrations;
        this.catalogStore = catalogStore;
        this.rejectionsStore = rejectionsStore;
        this.globalCatalogStore = globalCatalogStore;
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.catalog = context.getStateStore(catalogStore);
        this.rejections = context.getStateStore(rejectionsStore);
        this.globalCatalog = context.getStateStore(globalCatalogStore);
        context.schedule(config.accessHistorySweep(), PunctuationType.WALL_CLOCK_TIME, this::forget);
    }

    private void forget(long now) {
        CatalogTopology.forgetRejections(rejections, now - config.accessHistory().toMillis());
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
        if (record.value().length > MAX_REGISTRATION_BYTES) {
            reject(record, subject, domain, topic, List.of(Governance.violation("size", "the registration is " + record.value().length
                    + " bytes; at most " + MAX_REGISTRATION_BYTES + " are allowed (its catalog entry must fit mesh.catalog)")));
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
        int decoded = encodedSize(registration);
        if (decoded > MAX_REGISTRATION_BYTES) {
            // Bytes that are not UTF-8 decode as U+FFFD, three bytes each once written again: within the limit as
            // written, a registration could make a catalog entry too big for mesh.catalog.
            reject(record, subject, domain, topic, List.of(Governance.violation("size", "the registration is " + decoded
                    + " bytes once decoded (text that is not UTF-8 grows); at most " + MAX_REGISTRATION_BYTES
                    + " are allowed (its catalog entry must fit mesh.catalog)")));
            return;
        }
        List<RuleViolation> violations = new ArrayList<>(governance.check(record.key(), registration, domain, this::inCatalog));
        DataProduct current = catalog.get(registration.getAddress());
        // Only once it is this domain's own product: the address was checked above.
        if (current != null && violations.isEmpty()) {
            violations.addAll(governance.checkEvolution(registration, current.getRegistration()));
        }
        if (violations.isEmpty()) {
            withinQuota(registration, domain, violations);
        }
        if (!violations.isEmpty()) {
            reject(record, registration.getAddress(), domain, topic, violations);
            return;
        }
        admit(record, registration, domain);
    }

    /**
     * The domain's other products, retired ones included (their topics stay), and this one as
     * registered must fit the domain's quota: a version that keeps the product's partitions always
     * does, so a domain over a lowered quota can still update what it has.
     */
    private void withinQuota(ProductRegistration registration, String domain, List<RuleViolation> violations) {
        int products = 0;
        long partitions = 0;
        int currentPartitions = 0;
        try (KeyValueIterator<String, DataProduct> all = catalog.prefixScan(domain + ".", new StringSerializer())) {
            while (all.hasNext()) {
                DataProduct product = all.next().value;
                if (product.getAddress().equals(registration.getAddress())) {
                    currentPartitions = product.getRegistration().getPartitions();
                } else {
                    products++;
                    partitions += product.getRegistration().getPartitions();
                }
            }
        }
        boolean isNew = currentPartitions == 0;
        if (isNew && products >= quota.domainMaxProducts()) {
            violations.add(Governance.violation("domain-quota", "domain " + domain + " has " + products + " products in the catalog, the most "
                    + "a domain may have; retired ones count (their topics stay): ask a platform engineer to raise domain-max-products"));
        }
        int asked = registration.getPartitions();
        if (asked > currentPartitions && partitions + asked > quota.domainMaxPartitions()) {
            violations.add(Governance.violation("domain-quota", "domain " + domain + "'s products would have " + (partitions + asked)
                    + " partitions, over the " + quota.domainMaxPartitions() + " a domain may have; retired products count (their topics stay): "
                    + "ask a platform engineer to raise domain-max-partitions"));
        }
    }

    private static int encodedSize(ProductRegistration registration) {
        try {
            return registration.toByteBuffer().remaining();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a registration in memory", e);
        }
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
        rejections.delete(CatalogTopology.rejectionKey(domain, address));
        // Meshes before rejections were kept per writer keyed them by address alone.
        rejections.delete(address);
        if (product.equals(existing)) {
            return;
        }
        product.setUpdatedAt(at);
        catalog.put(address, product);
        context.forward(new Record<>(address, product, record.timestamp()), ADMITTED);
    }

    /**
     * A domain writes its registrations topic with any client, so the key and the fields a reason
     * quotes may be of any length: the rejection is cut to fit {@code mesh.catalog.rejections}, as
     * one the catalog cannot write would fail the task every domain's registrations share.
     */
    private void reject(Record<String, byte[]> record, String fullSubject, String domain, String topic, List<RuleViolation> violations) {
        String subject = FreeText.cut(fullSubject, MAX_SUBJECT_LENGTH);
        List<RuleViolation> reasons = new ArrayList<>();
        for (RuleViolation violation : violations.subList(0, Math.min(violations.size(), MAX_REASONS))) {
            reasons.add(Governance.violation(FreeText.cut(violation.getRule(), MAX_SUBJECT_LENGTH),
                    FreeText.cut(violation.getMessage(), MAX_REASON_LENGTH)));
        }
        if (violations.size() > MAX_REASONS) {
            reasons.set(MAX_REASONS - 1, Governance.violation("more", "and " + (violations.size() - MAX_REASONS + 1) + " more reason(s)"));
        }
        violations = reasons;
        Rejection rejection = Rejection.newBuilder()
                .setSubject(subject)
                .setDomain(domain)
                .setSourceTopic(topic)
                .setReasons(violations)
                .setRejectedAt(Instant.ofEpochMilli(record.timestamp()))
                .build();
        rejections.put(CatalogTopology.rejectionKey(domain, subject), rejection);
        context.forward(new Record<>(subject, rejection, record.timestamp()), REJECTED);
    }

    private boolean inCatalog(String address) {
        return catalog.get(address) != null || globalCatalog.get(address) != null;
    }
}
