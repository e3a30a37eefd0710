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
    /** The rule name used when a record does not fit the product's schema. */
    public static final String SCHEMA_RULE = "schema";

    private DeadLetterHeaders() {
    }
}
