package io.streammesh.connector.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Data contracts in the Open Data Contract Standard (ODCS v3.x): a document with
 * {@code kind: DataContract} and {@code apiVersion: v3.x} is checked against the standard's own
 * JSON Schema, mapped onto the mesh's contract and then held to the mesh's own rules, every problem
 * with its path in the document. {@link #write} is the way back.
 */
public final class OdcsContracts {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    private OdcsContracts() {
    }

    /**
     * @param yaml a contract's text
     * @return its document if it is an ODCS one ({@code kind: DataContract} or an {@code apiVersion}, which the mesh's
     *         own YAML never has); empty for the mesh's own YAML (or text that is no YAML)
     */
    static Optional<JsonNode> document(String yaml) {
        try {
            JsonNode node = YAML.readTree(yaml);
            boolean odcs = node != null && node.isObject() && ("DataContract".equals(node.path("kind").asText()) || node.has("apiVersion"));
            return odcs ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty(); // the mesh's own reader reports the syntax error with its line
        }
    }

    /**
     * @param document an ODCS document
     * @param yaml its text, kept in the registration
     * @param source how to name it in errors
     * @return the validated contract
     * @throws InvalidContractException naming every problem with its path in the document
     */
    static ProductContract parse(JsonNode document, String yaml, String source) {
        String apiVersion = document.path("apiVersion").asText();
        if (!apiVersion.startsWith("v3.")) {
            throw new InvalidContractException(source, List.of(new ContractProblem("apiVersion",
                    "the mesh reads ODCS v3.x (v3.0.x, v3.1.0), got '" + apiVersion + "'")));
        }
        List<ContractProblem> problems = OdcsSchema.check(document);
        if (!problems.isEmpty()) {
            throw new InvalidContractException(source, problems);
        }
        OdcsReader.Mapped mapped = OdcsReader.read(document);
        List<ContractProblem> all = new ArrayList<>(mapped.problems());
        try {
            ProductContract contract = ContractValidator.validate(mapped.contract(), yaml, source, name -> mapped.avroSchema());
            if (all.isEmpty()) {
                return contract;
            }
        } catch (InvalidContractException e) {
            // without a schema the mapping has said why; the mesh's rules would only add "schema: is required"
            e.problems().stream().filter(p -> mapped.avroSchema() != null || !p.field().equals("schema"))
                    .map(mapped.paths()::translate).filter(p -> !all.contains(p)).forEach(all::add);
        }
        throw new InvalidContractException(source, all);
    }

    /**
     * @param contract a validated contract, from either format
     * @param kafkaHost the bootstrap servers to name in the document's kafka server
     * @return it as an ODCS v3.1.0 document, which validates against the standard's schema and publishes back unchanged
     */
    public static String write(ProductContract contract, String kafkaHost) {
        return write(contract, kafkaHost, false);
    }

    /**
     * @param contract a validated contract, from either format
     * @param kafkaHost the bootstrap servers to name in the document's kafka server
     * @param retired whether the product is retired: its {@code status} is then {@code retired}
     *        (which publishing refuses: a product is retired with {@code mesh product retire}),
     *        else {@code active}
     * @return it as an ODCS v3.1.0 document, which validates against the standard's schema
     */
    public static String write(ProductContract contract, String kafkaHost, boolean retired) {
        try {
            return YAML.writeValueAsString(OdcsWriter.write(contract, kafkaHost, retired));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the ODCS document of " + contract.address(), e);
        }
    }

    /**
     * @param yaml a contract's text
     * @return whether it is an ODCS document rather than the mesh's own YAML
     */
    public static boolean isOdcs(String yaml) {
        return document(yaml).isPresent();
    }
}
