package io.streammesh.connector.contract;

import io.streammesh.schema.MeshException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads data contracts:
 * <pre>{@code
 * ProductContract contract = DataContracts.load(Path.of("orders/order-placed.yaml"));
 * }</pre>
 */
public final class DataContracts {

    private DataContracts() {
    }

    /**
     * Reads and validates a descriptor file, the mesh's own YAML (its {@code schema:} is read beside it)
     * or an ODCS v3 document ({@code kind: DataContract}, see {@link OdcsContracts}).
     *
     * @param descriptor the YAML file
     * @return the validated contract
     * @throws InvalidContractException naming every broken rule
     * @throws MeshException if the file cannot be read
     */
    public static ProductContract load(Path descriptor) {
        String text;
        try {
            text = Files.readString(descriptor, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new MeshException("descriptor " + descriptor + " does not exist");
        } catch (IOException e) {
            throw new MeshException("cannot read descriptor " + descriptor + ": " + e.getMessage(), e);
        }
        Path dir = descriptor.toAbsolutePath().getParent();
        return parse(text, descriptor.toString(), name -> Files.readString(dir.resolve(name), StandardCharsets.UTF_8));
    }

    /**
     * Reads and validates descriptor text: the mesh's own YAML or an ODCS v3 document.
     *
     * @param yaml the descriptor
     * @param source how to name it in errors, e.g. its file name
     * @param schemas where its {@code schema:} file is read from (an ODCS document carries its schema)
     * @return the validated contract
     * @throws InvalidContractException naming every broken rule
     */
    public static ProductContract parse(String yaml, String source, SchemaSource schemas) {
        var odcs = OdcsContracts.document(yaml);
        if (odcs.isPresent()) {
            return OdcsContracts.parse(odcs.get(), yaml, source);
        }
        return ContractValidator.validate(ContractReader.parse(yaml, source), yaml, source, schemas);
    }
}
