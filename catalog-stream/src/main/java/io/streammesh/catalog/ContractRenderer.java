package io.streammesh.catalog;

import io.streammesh.schema.DataProduct;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Writes a published product's contract as ODCS or as the mesh's own YAML, for
 * {@code GET /api/products/{address}/contract}. The contract model lives in domain-connector,
 * which catalog-stream cannot depend on (domain-connector's tests run the catalog), so whoever
 * runs the catalog provides one through {@link ServiceLoader}: mesh-cli does, for {@code mesh up}.
 */
public interface ContractRenderer {

    /** The formats the catalog serves, by their query value. */
    enum Format {
        /** Open Data Contract Standard v3.1.0, the default. */
        ODCS,
        /** The mesh's own contract YAML, its Avro schema named as a file beside it. */
        STREAMMESH
    }

    /**
     * @param product the catalog entry: its registration keeps the contract as the domain published
     *        it, and its status says whether it is retired
     * @param avroSchema the product's value schema, as the registry holds it under the
     *        registration's content id
     * @param format the format to write
     * @param kafkaHost the bootstrap servers an ODCS document names as the product's kafka server
     * @return the contract's text
     */
    String render(DataProduct product, String avroSchema, Format format, String kafkaHost);

    /** @return the renderer on the class path, if any */
    static Optional<ContractRenderer> installed() {
        return ServiceLoader.load(ContractRenderer.class).findFirst();
    }
}
