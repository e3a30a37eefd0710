package io.streammesh.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.SchemaRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * The value schemas of catalogued products, read from the registry as the catalog's principal
 * (which may read every schema) and kept by content id: a content id names one schema text for
 * good, so a product page needs the registry once per schema, not once per view.
 */
final class ProductSchemas {

    /** More schemas than a catalog holds products; past it the oldest are not worth tracking, so the cache starts over. */
    static final int MAX_CACHED = 20_000;

    private final MeshClientConfig clientConfig;
    private final Map<Long, Schema> byContentId = new ConcurrentHashMap<>();

    /** @param clientConfig the catalog's own client config: where the registry is, and the catalog's login to it */
    ProductSchemas(MeshClientConfig clientConfig) {
        this.clientConfig = clientConfig;
    }

    /**
     * @param product a product as {@link CatalogApi#product} answers it (schema content id, PII fields, contract)
     * @return its schema's top-level fields, in the schema's order, with the contract's pii and encrypted markers
     * @throws ApiError 404 if the product was registered without a schema id
     * @throws SchemaRegistry.Unreachable if the registry does not answer
     */
    List<SchemaField> fields(JsonNode product) {
        JsonNode contentId = product.at("/schema/contentId");
        if (!contentId.isNumber()) {
            throw new ApiError(404, "product " + product.path("address").asText() + " was registered without a schema id; republish its contract");
        }
        Set<String> pii = texts(product.path("piiFields"));
        Set<String> encrypted = texts(product.at("/contract/encryption/fields"));
        return schema(contentId.asLong()).getFields().stream()
                .map(f -> new SchemaField(f.name(), typeOf(f.schema()), f.doc() == null ? "" : f.doc(), pii.contains(f.name()),
                        encrypted.contains(f.name())))
                .toList();
    }

    private Schema schema(long contentId) {
        Schema cached = byContentId.get(contentId);
        if (cached != null) {
            return cached;
        }
        Schema schema;
        try (var registry = SchemaRegistry.connect(clientConfig)) {
            schema = new Schema.Parser().parse(registry.schemaById(contentId));
        }
        if (byContentId.size() >= MAX_CACHED) {
            byContentId.clear();
        }
        byContentId.put(contentId, schema);
        return schema;
    }

    /** @return a type as people read it, e.g. {@code null | string}, {@code array<string>}, {@code long (timestamp-millis)} */
    static String typeOf(Schema schema) {
        String type = switch (schema.getType()) {
            case UNION -> schema.getTypes().stream().map(ProductSchemas::typeOf).collect(Collectors.joining(" | "));
            case ARRAY -> "array<" + typeOf(schema.getElementType()) + ">";
            case MAP -> "map<" + typeOf(schema.getValueType()) + ">";
            case RECORD, ENUM, FIXED -> schema.getType().getName() + " " + schema.getName();
            default -> schema.getType().getName();
        };
        return schema.getLogicalType() == null ? type : type + " (" + schema.getLogicalType().getName() + ")";
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new HashSet<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
