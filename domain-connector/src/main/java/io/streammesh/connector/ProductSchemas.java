package io.streammesh.connector;

import io.streammesh.client.SchemaRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Where the contract gate finds products' schemas: in the mesh, the registry ({@link #registry});
 * in topology tests, a map. The gate asks once per product's contract version and once per
 * schema id, never per record.
 */
public interface ProductSchemas {

    /**
     * @param contentId an id records carry
     * @return its schema
     * @throws SchemaRegistry.Unreachable if the registry does not answer
     */
    Schema schema(long contentId);

    /**
     * @param subject a product's value subject, {@code <address>-value}
     * @return the ids of its registered versions
     * @throws SchemaRegistry.Unreachable if the registry does not answer
     */
    Set<Long> versions(String subject);

    /**
     * @param registry a registry client
     * @return the registry's schemas, each id's parsed once; a subject's versions as last
     *         answered while the registry does not answer
     */
    static ProductSchemas registry(SchemaRegistry registry) {
        Map<Long, Schema> parsed = new ConcurrentHashMap<>();
        Map<String, Set<Long>> lastKnown = new ConcurrentHashMap<>();
        return new ProductSchemas() {
            @Override
            public Schema schema(long contentId) {
                Schema known = parsed.get(contentId);
                return known != null ? known
                        : parsed.computeIfAbsent(contentId, id -> new Schema.Parser().parse(registry.schemaById(id)));
            }

            @Override
            public Set<Long> versions(String subject) {
                try {
                    Set<Long> ids = Set.copyOf(registry.contentIds(subject));
                    lastKnown.put(subject, ids);
                    return ids;
                } catch (SchemaRegistry.Unreachable e) {
                    // Versions are added only through the registry, so while it is down the last
                    // answer stands; a gate task that starts during an outage keeps working.
                    Set<Long> known = lastKnown.get(subject);
                    if (known == null) {
                        throw e;
                    }
                    return known;
                }
            }
        };
    }
}
