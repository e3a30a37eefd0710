package io.streammesh.connector.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A data contract as written in its descriptor YAML, before validation: every field may be
 * missing or wrong here; {@link ContractValidator} says which.
 *
 * @param domain the owning domain, e.g. {@code orders}
 * @param name the product's name within the domain, e.g. {@code order-placed}
 * @param version {@code major.minor.patch}; the major is part of the address
 * @param owner who answers for the product
 * @param description what the product is, for people searching the catalog
 * @param classification {@code public}, {@code internal}, {@code confidential} or {@code restricted}
 * @param tags free search terms
 * @param schema the Avro schema file, relative to the descriptor
 * @param key the schema field whose value keys each record (optional)
 * @param topic partitions and retention of the product topic
 * @param ingest retention of the product's ingest topic, {@code <address>.ingest}
 * @param slo freshness and largest acceptable dead-letter rate
 * @param quality CEL rules every record must pass; failures go to the dead-letter topic
 * @param views the access levels consumers may ask for
 * @param lineage the products this one is derived from
 * @param encryption the fields the contract gate encrypts, per data subject (optional)
 */
public record DataContract(
        String domain,
        String name,
        String version,
        Owner owner,
        String description,
        String classification,
        List<String> tags,
        String schema,
        String key,
        Topic topic,
        Ingest ingest,
        Slo slo,
        List<QualityRule> quality,
        List<View> views,
        Lineage lineage,
        Encryption encryption) {

    /** Empty lists instead of nulls. */
    public DataContract {
        tags = tags == null ? List.of() : tags;
        quality = quality == null ? List.of() : quality;
        views = views == null ? List.of() : views;
    }

    /**
     * @param team the owning team
     * @param principal its mesh principal, {@code User:<domain>} (the default)
     * @param contact how to reach it
     */
    public record Owner(String team, String principal, String contact) {
    }

    /**
     * @param partitions how many partitions the product topic has (default 1)
     * @param retention how long records are kept, e.g. {@code 30d}, or {@code forever}
     */
    public record Topic(Integer partitions, String retention) {
    }

    /**
     * @param retention how long raw records wait on the ingest topic for the contract gate, e.g.
     *        {@code 1d} (the default); the gate deletes what it has processed before that
     */
    public record Ingest(String retention) {
    }

    /**
     * @param freshness longest acceptable time without a record, e.g. {@code 5m}
     * @param maxViolationRate largest acceptable share of dead-lettered records, 0 to 1
     */
    public record Slo(String freshness, Double maxViolationRate) {
    }

    /**
     * @param name the rule's name, named in dead-letter headers
     * @param rule CEL over {@code record}, true for a good record
     */
    public record QualityRule(String name, String rule) {
    }

    /**
     * @param name the view's name, part of its topic {@code mesh.view.<address>.<view>}
     * @param access {@code auto} (granted at once) or {@code owner-approval} (the default)
     * @param filter CEL over {@code record}: the rows the view keeps
     * @param mask field name to {@code redact}, {@code hash} or {@code truncate(n)}
     * @param secondLevelApprovers principals ({@code User:<name>}, comma-separated) of whom one
     *        approves after the owner before a grant goes ACTIVE (ODCS
     *        {@code roles[].secondLevelApprovers})
     */
    public record View(String name, String access, String filter, Map<String, String> mask, String secondLevelApprovers) {
        /** An empty mask instead of null. */
        public View {
            mask = mask == null ? Map.of() : mask;
        }
    }

    /** @param inputs addresses of the products this one is derived from */
    public record Lineage(@JsonProperty("inputs") List<String> inputs) {
        /** An empty list instead of null. */
        public Lineage {
            inputs = inputs == null ? List.of() : inputs;
        }
    }

    /**
     * Which fields the contract gate encrypts, each with the data key of the person the record is
     * about, so that destroying that key erases the person from every copy (crypto-shredding).
     *
     * @param subject the schema field naming the data subject, e.g. {@code customerId}
     * @param fields the string or bytes fields encrypted
     */
    public record Encryption(String subject, List<String> fields) {
        /** An empty list instead of null. */
        public Encryption {
            fields = fields == null ? List.of() : fields;
        }
    }
}
