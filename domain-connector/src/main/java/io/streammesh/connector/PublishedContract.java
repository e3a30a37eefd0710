package io.streammesh.connector;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;

/**
 * A product's contract as published: the descriptor its latest registration keeps (the mesh's
 * YAML or ODCS, as the domain wrote it) read again with the schema the registry holds for it.
 */
public final class PublishedContract {

    private PublishedContract() {
    }

    /**
     * @param address the product
     * @param clientConfig a principal that may read the domain's registrations (the domain's)
     * @return the contract, validated as at publishing
     * @throws MeshException if the product was never published
     * @throws SchemaRegistry.Unreachable if the registry does not answer
     */
    public static ProductContract read(ProductAddress address, MeshClientConfig clientConfig) {
        return load(address, clientConfig).contract();
    }

    /**
     * @param contract the contract, validated as at publishing
     * @param retired whether its latest registration retires the product
     */
    public record Published(ProductContract contract, boolean retired) {
    }

    /**
     * @param address the product
     * @param clientConfig a principal that may read the domain's registrations (the domain's)
     * @return the contract, and whether the product is retired
     * @throws MeshException if the product was never published
     * @throws SchemaRegistry.Unreachable if the registry does not answer
     */
    public static Published load(ProductAddress address, MeshClientConfig clientConfig) {
        ProductRegistration registration = new RegistrationLog(clientConfig).latest(address)
                .orElseThrow(() -> new MeshException("no product " + address + " is published; publish its contract first: "
                        + "mesh product publish <descriptor>"));
        String schema;
        try (var registry = SchemaRegistry.connect(clientConfig)) {
            schema = registry.schemaById(registration.getSchemaContentId());
        }
        return new Published(DataContracts.parse(registration.getContract(), "the published contract of " + address, name -> schema),
                registration.getRetired());
    }
}
