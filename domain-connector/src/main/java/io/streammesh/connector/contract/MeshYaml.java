package io.streammesh.connector.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/** Writes a contract in the mesh's own YAML, e.g. one published in ODCS, its Avro schema named as a file beside it. */
public final class MeshYaml {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setSerializationInclusion(JsonInclude.Include.NON_EMPTY);

    private MeshYaml() {
    }

    /**
     * @param product a validated contract
     * @param schemaFile the file its Avro schema is to be saved in, relative to the descriptor
     * @return the descriptor
     */
    public static String write(ProductContract product, String schemaFile) {
        DataContract c = product.contract();
        var contract = new DataContract(c.domain(), c.name(), c.version(), c.owner(), c.description(), c.classification(), c.tags(),
                schemaFile, c.key(), c.topic(), c.ingest(), c.slo(), c.quality(), c.views(), c.lineage(), c.encryption());
        try {
            return YAML.writeValueAsString(contract);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the contract of " + product.address(), e);
        }
    }
}
