package io.streammesh.cli;

import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.PublishReport;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.platform.ClientConfigs;
import io.streammesh.schema.ProductAddress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh product publish|validate|retire}: a domain's data products. */
@Command(name = "product", mixinStandardHelpOptions = true,
        description = "Publishes, validates and retires data products from their data contracts.")
final class ProductCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Publishes a data product from its contract, as the domain's principal (default: --as <domain>):",
                    "schema in the registry (BACKWARD compatible), topic and dead-letter topic, registration for the catalog.",
                    "Refusals (broker ACLs, an incompatible schema, an older version) change nothing; publishing the same "
                            + "contract twice changes nothing."})
    int publish(@Mixin StateDirOption state, @Mixin PrincipalOption as,
                @Parameters(paramLabel = "DESCRIPTOR", description = "The contract's YAML file, e.g. orders/order-placed.yaml.") Path descriptor) {
        ProductContract contract = DataContracts.load(descriptor);
        Properties config = as.clientConfig(state, contract.address().domain());
        PrintWriter out = spec.commandLine().getOut();
        try (var publisher = ProductPublisher.connect(config)) {
            print(out, publisher.publish(contract), "Published " + contract.address() + " (contract " + contract.version() + ") as "
                    + ClientConfigs.principalOf(config));
        }
        return Mesh.OK;
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Checks a contract without publishing it: YAML, required fields, schema, key, CEL rules and filters, masks.")
    int validate(@Parameters(paramLabel = "DESCRIPTOR", description = "The contract's YAML file.") Path descriptor) {
        ProductContract contract = DataContracts.load(descriptor);
        PrintWriter out = spec.commandLine().getOut();
        TerminalText.printf(out, "%s is a valid contract for %s (version %s): %d quality rule(s), %d view(s), PII fields %s%n", descriptor,
                contract.address(), contract.version(), contract.qualityRules().size(), contract.views().size(), contract.piiFields());
        out.flush();
        return Mesh.OK;
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "Marks a product retired: the catalog shows it as retired, producers refuse it; its topic and data are kept.")
    int retire(@Mixin StateDirOption state, @Mixin PrincipalOption as,
               @Parameters(paramLabel = "ADDRESS", description = "<domain>.<product>.v<major>") String address) {
        ProductAddress product = parse(address);
        Properties config = as.clientConfig(state, product.domain());
        try (var publisher = ProductPublisher.connect(config)) {
            print(spec.commandLine().getOut(), publisher.retire(product), "Retired " + product);
        }
        return Mesh.OK;
    }

    static ProductAddress parse(String address) {
        try {
            return ProductAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    private static void print(PrintWriter out, PublishReport report, String headline) {
        if (!report.changed()) {
            out.printf("%s: nothing to change, it is already as the contract says.%n", report.address());
        } else {
            out.println(headline + ":");
            report.changes().forEach(change -> out.println("  + " + TerminalText.escape(change)));
        }
        report.unchanged().forEach(same -> out.println("  = " + TerminalText.escape(same) + " (unchanged)"));
        out.flush();
    }
}
