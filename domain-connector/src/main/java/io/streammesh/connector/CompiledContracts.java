package io.streammesh.connector;

import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * What the contract gate's tasks share of each product's contract as the catalog last gave it:
 * its schema, the ids of its registered versions and its compiled quality rules, looked up and
 * compiled once per registration instead of once per task. Each task reads a partition of every
 * ingest topic, so a gate with many partitions compiled every contract, and asked the registry
 * for its versions, once per partition at each start. Thread-safe: the rules are immutable, and
 * two tasks that meet a new registration at once may both compile it, harmlessly.
 */
final class CompiledContracts {

    /**
     * One product's contract, compiled.
     *
     * @param registration the registration it was compiled from
     * @param current the product's current schema (the registration's)
     * @param versions the ids of the product's registered versions, as the registry gave them
     * @param rules its quality rules, compiled against {@code current}
     */
    record Compiled(ProductRegistration registration, Schema current, Set<Long> versions, QualityRules rules) {
    }

    private final ProductSchemas schemas;
    /** By product: its last registration's compilation, replaced when a task meets a newer one. */
    private final Map<ProductAddress, Compiled> latest = new ConcurrentHashMap<>();

    /** @param schemas where products' schemas and versions are looked up */
    CompiledContracts(ProductSchemas schemas) {
        this.schemas = schemas;
    }

    /**
     * @param address the product
     * @param registration its registration, as the catalog admitted it, naming a schema id
     * @return its compilation
     * @throws io.streammesh.schema.MeshException if a rule does not compile against the schema
     * @throws io.streammesh.client.SchemaRegistry.Unreachable if the registry does not answer
     */
    Compiled of(ProductAddress address, ProductRegistration registration) {
        Compiled held = latest.get(address);
        if (held != null && held.registration().equals(registration)) {
            return held;
        }
        Schema current = schemas.schema(registration.getSchemaContentId());
        var compiled = new Compiled(registration, current, schemas.versions(address.valueSubject()),
                QualityRules.compile(registration.getQualityRules(), current));
        latest.put(address, compiled);
        return compiled;
    }
}
