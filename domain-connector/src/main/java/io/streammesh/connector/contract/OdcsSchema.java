package io.streammesh.connector.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The official ODCS JSON Schemas, vendored in {@code odcs/} with their licence: v3.0.2 checks
 * documents of {@code apiVersion} v3.0.x, v3.1.0 those of v3.1.0.
 */
final class OdcsSchema {

    /**
     * Draft 2019-09, reading the schema's own grouping objects (e.g. {@code $defs/ServerSource/KafkaServer},
     * reached by {@code $ref}) as annotations: by default each is logged as an unknown keyword.
     */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(Dialect.builder(Dialects.getDraft201909())
            .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword)).build());
    private static final Schema V3_0 = load("odcs/odcs-json-schema-v3.0.2.json");
    private static final Schema V3_1 = load("odcs/odcs-json-schema-v3.1.0.json");

    private OdcsSchema() {
    }

    /**
     * @param document an ODCS v3 document
     * @return every place it breaks the standard's schema, each with its path
     */
    static List<ContractProblem> check(JsonNode document) {
        Schema schema = document.path("apiVersion").asText().startsWith("v3.0.") ? V3_0 : V3_1;
        List<Error> errors = schema.validate(document);
        return errors.stream().filter(error -> !cascaded(error, errors)).map(OdcsSchema::problem).distinct().toList();
    }

    /**
     * A subschema that fails forgets which properties it evaluated, so {@code unevaluatedProperties}
     * then reports every sibling of the real problem: such an error is left out when another error
     * stands at the same object or at one of its own properties.
     */
    private static boolean cascaded(Error error, List<Error> errors) {
        if (!"unevaluatedProperties".equals(error.getKeyword())) {
            return false;
        }
        String at = path(error.getInstanceLocation());
        return errors.stream().filter(other -> !"unevaluatedProperties".equals(other.getKeyword())).map(Error::getInstanceLocation)
                .anyMatch(other -> path(other).equals(at) || (other.getParent() != null && path(other.getParent()).equals(at)));
    }

    private static ContractProblem problem(Error error) {
        return new ContractProblem(path(error.getInstanceLocation()), "ODCS schema: " + error.getMessage());
    }

    /** {@code schema[0].properties[2].logicalType}, as the mesh names paths everywhere else. */
    static String path(NodePath location) {
        var path = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                path.append('[').append(index).append(']');
            } else {
                path.append(path.isEmpty() ? "" : ".").append(element);
            }
        }
        return path.toString();
    }

    private static Schema load(String resource) {
        try (InputStream in = OdcsSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the ODCS schema " + resource + " is missing from the classpath");
            }
            return REGISTRY.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ODCS schema " + resource, e);
        }
    }
}
