package io.streammesh.cli;

import io.streammesh.catalog.ContractRenderer;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.ProductStatus;

/**
 * The contract formats of the catalog the mesh runs ({@code GET /api/products/{address}/contract}),
 * installed through {@link java.util.ServiceLoader}: the registration's contract (the mesh's YAML
 * or ODCS, as the domain published it) read with its registered schema, then written as
 * {@code mesh product export} writes it.
 */
public final class CatalogContracts implements ContractRenderer {

    @Override
    public String render(DataProduct product, String avroSchema, Format format, String kafkaHost) {
        ProductContract contract = DataContracts.parse(product.getRegistration().getContract(), "the published contract of "
                + product.getAddress(), name -> avroSchema);
        boolean retired = product.getStatus() == ProductStatus.RETIRED;
        return ContractExport.write(contract, format, kafkaHost, retired);
    }
}
