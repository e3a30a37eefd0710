package io.streammesh.connector.contract;

import io.streammesh.schema.Classification;
import io.streammesh.schema.Mask;

import io.streammesh.schema.MeshNames;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.QualityRule;
import io.streammesh.schema.ViewAccess;
import io.streammesh.schema.cel.RecordExpression;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A data contract that passed validation: everything publishing and producing need, resolved.
 *
 * @param address the product's address, {@code <domain>.<name>.v<major>}
 * @param contract the contract as written
 * @param schema the product's Avro value schema
 * @param piiFields the schema's fields marked {@code "pii": true}
 * @param retention how long the topic keeps records; empty for forever
 * @param freshness the freshness SLO, if declared
 * @param qualityRules the quality rules, compiled
 * @param views the views, their filters compiled and masks parsed
 * @param lineageInputs the products this one derives from
 * @param descriptor the descriptor's text, kept in the registration
 */
public record ProductContract(
        ProductAddress address,
        DataContract contract,
        Schema schema,
        List<String> piiFields,
        Optional<Duration> retention,
        Optional<Duration> freshness,
        List<Rule> qualityRules,
        List<View> views,
        List<ProductAddress> lineageInputs,
        String descriptor) {

    /** Default retention of a product topic when the contract names none. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    /** Default retention of a product's ingest topic when the contract names none. */
    public static final Duration DEFAULT_INGEST_RETENTION = ProductAddress.DEFAULT_INGEST_RETENTION;

    /**
     * @param name the rule's name
     * @param expression its CEL, compiled against the schema
     */
    public record Rule(String name, RecordExpression expression) {
    }

    /**
     * @param name the view's name
     * @param access how access to it is granted
     * @param filter its row filter, if any
     * @param masks field name to mask
     * @param secondLevelApprovers principals ({@code User:<name>}) of whom one approves after the owner; empty for none
     */
    public record View(String name, ViewAccess access, Optional<RecordExpression> filter, Map<String, Mask> masks,
                       List<String> secondLevelApprovers) {
    }

    /** @return how sensitive the product's data is (validation checked the label) */
    public Classification classification() {
        return Classification.parse("classification", contract.classification());
    }

    /** @return the contract's version, {@code major.minor.patch} */
    public String version() {
        return contract.version();
    }

    /** @return the partitions of the product topic */
    public int partitions() {
        return contract.topic() == null || contract.topic().partitions() == null ? 1 : contract.topic().partitions();
    }

    /** @return the retention in milliseconds, -1 for forever */
    public long retentionMs() {
        return retention.map(Duration::toMillis).orElse(-1L);
    }

    /**
     * @return how long raw records wait on the ingest topic, in milliseconds: the contract's
     *         {@code ingest.retention} (validated), else {@link #DEFAULT_INGEST_RETENTION}
     */
    public long ingestRetentionMs() {
        var ingest = contract.ingest();
        return ingest == null || ingest.retention() == null ? DEFAULT_INGEST_RETENTION.toMillis()
                : DurationText.parse(ingest.retention()).toMillis();
    }

    /**
     * @param publishedBy the principal publishing
     * @param schemaVersion the registry version holding the schema
     * @param schemaContentId the id records carry
     * @param at when
     * @return the registration that claims this product in the catalog
     */
    public ProductRegistration toRegistration(String publishedBy, Integer schemaVersion, long schemaContentId, Instant at) {
        var owner = contract.owner();
        Map<String, ProductView> views = new LinkedHashMap<>();
        for (View view : this.views) {
            Map<String, String> masks = new LinkedHashMap<>();
            view.masks().forEach((field, mask) -> masks.put(field, mask.toString()));
            views.put(view.name(), ProductView.newBuilder().setName(view.name()).setAccess(view.access())
                    .setFilter(view.filter().map(RecordExpression::source).orElse(null)).setMasks(masks)
                    .setSecondLevelApprovers(view.secondLevelApprovers()).build());
        }
        return ProductRegistration.newBuilder()
                .setAddress(address.toString())
                .setDomain(address.domain())
                .setName(address.product())
                .setVersion(contract.version())
                .setOwner(Owner.newBuilder().setTeam(owner.team()).setPrincipal(ownerPrincipal()).setContact(owner.contact()).build())
                .setDescription(contract.description())
                .setClassification(classification().label())
                .setClassificationLevel(classification().level())
                .setTags(contract.tags())
                .setSchemaSubject(address.valueSubject())
                .setSchemaVersion(schemaVersion)
                .setSchemaContentId(schemaContentId)
                .setPiiFields(piiFields)
                .setKeyField(contract.key())
                .setPartitions(partitions())
                .setRetentionMs(retentionMs())
                .setIngestRetentionMs(ingestRetentionMs())
                .setFreshnessMs(freshness.map(Duration::toMillis).orElse(null))
                .setMaxViolationRate(contract.slo() == null ? null : contract.slo().maxViolationRate())
                .setQualityRules(qualityRules.stream().map(r -> new QualityRule(r.name(), r.expression().source())).toList())
                .setViews(List.copyOf(views.values()))
                .setLineageInputs(lineageInputs.stream().map(ProductAddress::toString).toList())
                .setEncryption(contract.encryption() == null ? null
                        : new ProductEncryption(contract.encryption().subject(), List.copyOf(contract.encryption().fields())))
                .setRetired(false)
                .setContract(descriptor)
                .setPublishedBy(publishedBy)
                .setPublishedAt(at)
                .build();
    }

    /** @return the owner's principal: as written, else the domain's */
    public String ownerPrincipal() {
        String written = contract.owner() == null ? null : contract.owner().principal();
        return written == null ? MeshNames.kafkaPrincipal(address.domain()) : written;
    }
}
