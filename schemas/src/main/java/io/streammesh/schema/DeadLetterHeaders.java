package io.streammesh.schema;

/**
 * Headers of a record on a dead-letter topic ({@link MeshTopics#deadLetter}), saying why it is
 * there. On a product's ({@code <address>.dlq}, written by the domain's producer) the value is the
 * record as it would have been sent (Confluent-format Avro), or its JSON text when it does not fit
 * the schema at all, and every header but {@link #VIEW} is set; on a view's ({@code mesh.view.<address>.<view>.dlq},
 * written by the policy-enforcer) the value is the product record, with {@link #REASON} and {@link #VIEW}.
 */
public final class DeadLetterHeaders {

    /** The quality rule it broke, or {@value #SCHEMA_RULE}. */
    public static final String RULE = "mesh.error.rule";
    /** Why, in one line. */
    public static final String REASON = "mesh.error.reason";
    /** The contract version whose rules it was checked against. */
    public static final String CONTRACT_VERSION = "mesh.error.contract-version";
    /** When it was dead-lettered, ISO-8601. */
    public static final String TIME = "mesh.error.time";
    /** The product it was meant for. */
    public static final String PRODUCT = "mesh.error.product";
    /** The view topic it was meant for (a view's dead letters only). */
    public static final String VIEW = "mesh.error.view";
    /** The ingest partition the contract gate read the record from. */
    public static final String SOURCE_PARTITION = "mesh.error.source-partition";
    /** Its offset there. */
    public static final String SOURCE_OFFSET = "mesh.error.source-offset";
    /**
     * On a dead letter of a product with encrypted fields: the subject whose data key encrypted
     * the whole value (AEAD, associated data {@code <address>|*|<subject>}); the value is then that
     * ciphertext, never the cleartext the client sent.
     */
    public static final String ENCRYPTED_WITH = "mesh.error.encrypted-with";
    /** The rule name used when an encrypted product's record names no data subject. */
    public static final String SUBJECT_RULE = "subject";
    /** The rule name used when the data key of an encrypted product's record is unusable (its entry does not unwrap). */
    public static final String ENCRYPTION_RULE = "encryption";
    /** The rule name used when a record does not fit the product's schema. */
    public static final String SCHEMA_RULE = "schema";
    /** The rule name used when a record's value is over the contract gate's size limit. */
    public static final String SIZE_RULE = "size";
    /** The rule name used when a record has no value (a tombstone) and its product is not compacted. */
    public static final String TOMBSTONE_RULE = "tombstone";
    /** The rule name used when the product takes no records (not in the catalog, or retired). */
    public static final String PRODUCT_RULE = "product";
    /** What every header of this class starts with. */
    public static final String PREFIX = "mesh.error.";

    private DeadLetterHeaders() {
    }
}
