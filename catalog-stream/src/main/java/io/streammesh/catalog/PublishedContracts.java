package io.streammesh.catalog;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.DataProduct;
import java.util.Locale;
import java.util.Optional;

/**
 * A catalogued product's contract in the format a caller asks for: the registration's contract
 * read with the schema the registry holds for it (as the catalog's principal, which may read
 * every schema), then written by the installed {@link ContractRenderer}.
 */
final class PublishedContracts {

    private final MeshClientConfig clientConfig;
    private final Optional<ContractRenderer> renderer;

    /**
     * @param clientConfig the catalog's own client config (registry and bootstrap servers)
     * @param renderer what writes contracts; empty where the contract formats are not installed
     */
    PublishedContracts(MeshClientConfig clientConfig, Optional<ContractRenderer> renderer) {
        this.clientConfig = clientConfig;
        this.renderer = renderer;
    }

    /**
     * @param text a query value, {@code odcs} or {@code streammesh}, any case; null for ODCS
     * @return the format it names
     * @throws ApiError 400 if it names none
     */
    static ContractRenderer.Format format(String text) {
        if (text == null) {
            return ContractRenderer.Format.ODCS;
        }
        try {
            return ContractRenderer.Format.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "format must be odcs or streammesh, got '" + text + "'");
        }
    }

    /**
     * @param product a catalogued product
     * @param format the format to write it in
     * @return its contract's text
     * @throws ApiError 501 if no renderer is installed, 404 if the registration names no schema
     * @throws SchemaRegistry.Unreachable if the registry does not answer
     */
    String render(DataProduct product, ContractRenderer.Format format) {
        ContractRenderer writer = renderer.orElseThrow(() -> new ApiError(501, "this catalog instance runs without the contract "
                + "formats (domain-connector's ContractRenderer); read the contract with: mesh product export " + product.getAddress()));
        Long contentId = product.getRegistration().getSchemaContentId();
        if (contentId == null) {
            throw new ApiError(404, "product " + product.getAddress() + " was registered without a schema id; republish its contract");
        }
        String schema;
        try (var registry = SchemaRegistry.connect(clientConfig)) {
            schema = registry.schemaById(contentId);
        }
        return writer.render(product, schema, format, clientConfig.bootstrap());
    }
}
