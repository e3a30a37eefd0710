package io.streammesh.connector;

import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;

/**
 * What the contract gate's tasks share of each product's contract as the catalog last gave it:
 * its schema, the ids of its registered versions and its compiled quality rules, looked up and
 * compiled once per registration instead of once per task. Each task reads a partition of every
 * ingest topic, so a gate with many partitions compiled every contract, and asked the registry
 * for its versions, once per partition at each start. Thread-safe: the rules are immutable, and
 * two tasks that meet a new registration at once may both compile it, harmlessly.
 *
 * <p>The versions are asked again for a task that starts more than {@link #VERSIONS_FRESH} after
 * they were, as each task asked before they were shared: an answer given while the registry was
 * down (the last one known) or a version deleted since does not stay for good.
 */
final class CompiledContracts {

    /** How long a product's registered versions, once asked, serve the tasks that start. */
    static final Duration VERSIONS_FRESH = Duration.ofMinutes(1);

    /**
     * One product's contract, compiled.
     *
     * @param registration the registration it was compiled from
     * @param current the product's current schema (the registration's)
     * @param versions the ids of the product's registered versions, as the registry gave them
     * @param rules its quality rules, compiled against {@code current}
     * @param versionsAt when the versions were asked (the clock's milliseconds)
     */
    record Compiled(ProductRegistration registration, Schema current, Set<Long> versions, QualityRules rules, long versionsAt) {
    }

    private final ProductSchemas schemas;
    private final LongSupplier clock;
    /** By product: its last registration's compilation, replaced when a task meets a newer one. */
    private final Map<ProductAddress, Compiled> latest = new ConcurrentHashMap<>();

    /** @param schemas where products' schemas and versions are looked up */
    CompiledContracts(ProductSchemas schemas) {
        this(schemas, System::currentTimeMillis);
    }

    /**
     * @param schemas where products' schemas and versions are looked up
     * @param clock milliseconds, for {@link #VERSIONS_FRESH}
     */
    CompiledContracts(ProductSchemas schemas, LongSupplier clock) {
        this.schemas = schemas;
        this.clock = clock;
    }

    /**
     * @param address the product
     * @param registration its registration, as the catalog admitted it, naming a schema id
     * @return its compilation
     * @throws io.streammesh.schema.MeshException if a rule does not compile against the schema
     * @throws io.streammesh.client.SchemaRegistry.Unreachable if the registry does not answer
     */
    Compiled of(ProductAddress address, ProductRegistration registration) {
        long now = clock.getAsLong();
        Compiled held = latest.get(address);
        Compiled compiled;
        if (held != null && held.registration().equals(registration)) {
            if (now - held.versionsAt() < VERSIONS_FRESH.toMillis()) {
                return held;
            }
            compiled = new Compiled(registration, held.current(), schemas.versions(address.valueSubject()), held.rules(), now);
        } else {
            Schema current = schemas.schema(registration.getSchemaContentId());
            compiled = new Compiled(registration, current, schemas.versions(address.valueSubject()),
                    QualityRules.compile(registration.getQualityRules(), current), now);
        }
        latest.put(address, compiled);
        return compiled;
    }
}
