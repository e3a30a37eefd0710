package io.streammesh.cli;

import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.OdcsContracts;
import io.streammesh.connector.contract.ProductContract;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh contract convert}: data contracts between the mesh's YAML and ODCS, offline. */
@Command(name = "contract", mixinStandardHelpOptions = true, addMethodSubcommands = false, description = "Converts data contracts, offline.")
final class ContractCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = {"Prints a contract in the mesh's YAML (with its Avro schema beside it) as ODCS v3.1.0, after validating it",
                    "as mesh product validate does; the ODCS document publishes the same product."})
    int convert(@Parameters(paramLabel = "DESCRIPTOR", description = "The contract's YAML file, e.g. orders/order-placed.yaml.") Path descriptor,
                @Option(names = "--bootstrap", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
                        description = "The Kafka bootstrap servers the document's kafka server names (default: ${DEFAULT-VALUE}).")
                String bootstrap) {
        ProductContract contract = DataContracts.load(descriptor);
        PrintWriter out = spec.commandLine().getOut();
        out.print(OdcsContracts.write(contract, bootstrap));
        out.flush();
        return Mesh.OK;
    }
}
