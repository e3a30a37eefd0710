package io.streammesh.schema;

/**
 * The resource types of the decisions the catalog reports beside the broker's on
 * {@code mesh.audit.raw} (an {@code AuthorizationEvent}'s {@code resourceType}): its REST reads
 * and its key service's fetches. Written by catalog-stream, read by audit-sink; Kafka's own
 * resource types ({@code TOPIC}, {@code GROUP}, {@code CLUSTER}, …) never take these names.
 */
public final class RestResources {

    /** A catalog REST call. */
    public static final String CATALOG = "CATALOG";
    /** A fetch of a data key from the catalog's key service. */
    public static final String KEY = "KEY";

    private RestResources() {
    }
}
