package io.streammesh.cli;

import io.streammesh.catalog.ContractRenderer;
import io.streammesh.connector.contract.MeshYaml;
import io.streammesh.connector.contract.OdcsContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.schema.ProductAddress;

/** A published contract as {@code mesh product export} and the catalog's contract route write it. */
final class ContractExport {

    private ContractExport() {
    }

    /**
     * @param contract the published contract
     * @param format ODCS v3.1.0, or the mesh's YAML (its Avro schema then named as a file beside it)
     * @param kafkaHost the bootstrap servers an ODCS document names
     * @param retired whether the product is retired (ODCS {@code status: retired}; the mesh's YAML has no status)
     * @return the contract's text
     */
    static String write(ProductContract contract, ContractRenderer.Format format, String kafkaHost, boolean retired) {
        if (format == ContractRenderer.Format.ODCS) {
            return OdcsContracts.write(contract, kafkaHost, retired);
        }
        ProductAddress product = contract.address();
        String schemaFile = product + ".avsc";
        return "# The Avro schema is registered as " + product.valueSubject() + ": save it beside this file as " + schemaFile + ".\n"
                + MeshYaml.write(contract, schemaFile);
    }
}
