package io.streammesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.CatalogClient;
import io.streammesh.catalog.ContractRenderer;
import io.streammesh.catalog.Governance;
import io.streammesh.catalog.GovernancePolicy;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.PublishedContract;
import io.streammesh.connector.PublishReport;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.RuleViolation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh product publish|validate|retire|export}: a domain's data products. */
@Command(name = "product", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = "Publishes, validates and retires data products from their data contracts.")
final class ProductCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Publishes a data product from its contract, as the domain's principal (default: --as <domain>):",
                    "schema in the registry (BACKWARD compatible) and registration for the catalog; once the catalog admits it,",
                    "the platform creates its topics (the product, its dead-letter and its ingest topic).",
                    "Refusals (broker ACLs, an incompatible schema, an older version) change nothing; publishing the same "
                            + "contract twice changes nothing.",
                    "Then waits for catalog-stream's verdict on the registration (unless --no-wait): a governance rejection "
                            + "exits 1 with every reason, and names what the publish left in place."})
    int publish(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog, @Mixin VerdictOption verdict,
                @Parameters(paramLabel = "DESCRIPTOR", description = "The contract's YAML file, e.g. orders/order-placed.yaml.") Path descriptor) {
        ProductContract contract = DataContracts.load(descriptor);
        ProductAddress address = contract.address();
        MeshClientConfig config = as.clientConfig(state, address.domain());
        PrintWriter out = spec.commandLine().getOut();
        Optional<CatalogClient> api = verdict.catalog(catalog, state, config);
        Optional<JsonNode> before = api.flatMap(a -> a.find(productPath(address)));
        Optional<CatalogRejections> earlier = api.map(a -> CatalogRejections.before(a, address.toString()));
        PublishReport report;
        try (var publisher = ProductPublisher.connect(config)) {
            report = publisher.publish(contract);
        }
        print(out, report, "Published " + address + " (contract " + contract.version() + ") as " + config.kafkaPrincipal());
        if (api.isEmpty()) {
            verdict.unwaited(out, "mesh catalog show " + address);
            return Mesh.OK;
        }
        boolean wrote = report.changes().stream().anyMatch(change -> change.startsWith("registration "));
        Registered registered = verdict.await("the registration of " + address + " " + contract.version(), "mesh catalog show " + address,
                () -> registered(api.get(), address, contract.version(), wrote, before, earlier.get()));
        if (registered.rejection() != null) {
            CatalogRejections.print(spec.commandLine().getErr(), "the registration of " + address + " " + contract.version(), registered.rejection());
            leftInPlace(report, descriptor);
            return Mesh.FAILED;
        }
        TerminalText.printf(out, "catalog-stream admitted %s %s: find it with mesh catalog show %s%n", address, contract.version(), address);
        out.flush();
        return Mesh.OK;
    }

    /** What catalog-stream made of a registration: the product as the catalog shows it, or the rejection. */
    private record Registered(JsonNode product, JsonNode rejection) {
    }

    /**
     * A new registration is admitted when the catalog shows its version, changed (or a rejection it replaces is
     * cleared), and rejected by a rejection not shown before; a registration already written (nothing changed) has
     * its verdict already: the catalog shows it, or the rejection that stands.
     */
    private static Optional<Registered> registered(CatalogClient api, ProductAddress address, String version, boolean wrote,
                                                   Optional<JsonNode> before, CatalogRejections earlier) {
        Set<JsonNode> rejections = earlier.shown(api);
        Optional<JsonNode> rejection = wrote ? earlier.newOne(rejections) : rejections.stream().findFirst();
        if (rejection.isPresent()) {
            return Optional.of(new Registered(null, rejection.get()));
        }
        Optional<JsonNode> now = api.find(productPath(address));
        boolean shown = now.isPresent() && now.get().path("version").asText().equals(version) && rejections.isEmpty();
        boolean changed = !wrote || !earlier.seen().isEmpty() || before.map(b -> !b.path("updatedAt").equals(now.get().path("updatedAt")))
                .orElse(true);
        return shown && changed ? Optional.of(new Registered(now.get(), null)) : Optional.empty();
    }

    /**
     * Nothing is half-created silently: what stays, and how to go on. The platform changes a
     * product's topics only once the catalog admits it, so none of them stays.
     */
    private void leftInPlace(PublishReport report, Path descriptor) {
        PrintWriter err = spec.commandLine().getErr();
        List<String> parts = new ArrayList<>(report.changes());
        parts.addAll(report.unchanged());
        parts.removeIf(part -> part.startsWith("topic "));
        TerminalText.printf(err, "mesh: left in place, not in the catalog: %s%n", String.join("; ", parts));
        TerminalText.printf(err, "mesh: fix %s and publish it again (mesh catalog rejections --subject %s lists the reasons)%n", descriptor,
                report.address());
        err.flush();
    }

    private static String productPath(ProductAddress address) {
        return "/api/products/" + address;
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Checks a contract without publishing it: YAML, required fields, schema, key, CEL rules and filters, masks,",
                    "and the global governance rules the catalog applies (the same code and policy file), all but "
                            + "lineage-inputs-exist, which needs the catalog and is checked when the product is published."})
    int validate(@Parameters(paramLabel = "DESCRIPTOR", description = "The contract's YAML file.") Path descriptor,
                 @Option(names = "--governance", paramLabel = "FILE",
                         description = "The catalog's governance policy, if it runs with its own (default: the one shipped with the mesh).")
                 Path governance) {
        ProductContract contract = DataContracts.load(descriptor);
        PrintWriter out = spec.commandLine().getOut();
        GovernancePolicy policy = governance == null ? GovernancePolicy.defaults() : GovernancePolicy.load(governance);
        // Offline there is no registry: the schema's id is the registry's at publish time, and its rule is left out.
        List<RuleViolation> violations = new Governance(policy).checkOffline(
                contract.toRegistration(MeshNames.kafkaPrincipal(contract.address().domain()), null, 0L, Instant.now()));
        if (!violations.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            violations.forEach(v -> TerminalText.printf(err, "mesh: %s: governance rule %s: %s%n", descriptor, v.getRule(), v.getMessage()));
            err.flush();
            return Mesh.FAILED;
        }
        TerminalText.printf(out, "%s is a valid contract for %s (version %s): %d quality rule(s), %d view(s), PII fields %s%n", descriptor,
                contract.address(), contract.version(), contract.qualityRules().size(), contract.views().size(), contract.piiFields());
        out.println("It meets the global governance rules; lineage inputs are checked by the catalog when it is published.");
        out.flush();
        return Mesh.OK;
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = {"Marks a product retired: the catalog shows it as retired, producers refuse it; its topic and data are kept.",
                    "Waits until the catalog shows it RETIRED (unless --no-wait)."})
    int retire(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog, @Mixin VerdictOption verdict,
               @Parameters(paramLabel = "ADDRESS", description = "<domain>.<product>.v<major>") ProductAddress product) {
        MeshClientConfig config = as.clientConfig(state, product.domain());
        PrintWriter out = spec.commandLine().getOut();
        try (var publisher = ProductPublisher.connect(config)) {
            print(out, publisher.retire(product), "Retired " + product);
        }
        Optional<CatalogClient> api = verdict.catalog(catalog, state, config);
        if (api.isEmpty()) {
            verdict.unwaited(out, "mesh catalog show " + product);
            return Mesh.OK;
        }
        verdict.await("the retirement of " + product, "mesh catalog show " + product, () -> api.get().find(productPath(product))
                .filter(p -> p.path("status").asText().equals("RETIRED")));
        TerminalText.printf(out, "The catalog shows %s RETIRED.%n", product);
        out.flush();
        return Mesh.OK;
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Prints a published product's contract: as ODCS v3.1.0 (the default), which validates against the standard's",
                    "schema and publishes back unchanged (status retired for a retired product, which publishing refuses),",
                    "or in the mesh's own YAML (its Avro schema then named as a file beside it).",
                    "Reads the registration and the registered schema as the domain's principal (default: --as <domain>);",
                    "any principal reads the same from the catalog: mesh catalog show <address> --contract."})
    int export(@Mixin StateDirOption state, @Mixin PrincipalOption as,
               @Parameters(paramLabel = "ADDRESS", description = "<domain>.<product>.v<major>") ProductAddress product,
               @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "ODCS", description = "odcs or streammesh (default: odcs).")
               ContractRenderer.Format format) {
        MeshClientConfig config = as.clientConfig(state, product.domain());
        PublishedContract.Published published = PublishedContract.load(product, config);
        PrintWriter out = spec.commandLine().getOut();
        out.print(ContractExport.write(published.contract(), format, config.bootstrap(), published.retired()));
        out.flush();
        return Mesh.OK;
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
