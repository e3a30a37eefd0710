package io.streammesh.cli;

import io.streammesh.client.ClientConfigs;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh principal add|list}: the mesh's users. */
@Command(name = "principal", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = "Adds and lists principals (consumer teams and auditors; domains come with mesh domain add).")
final class PrincipalCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Adds a consumer team's principal (or, with --auditor, an auditor's) to the running mesh and writes its client configs.",
                    "It can authenticate at once (SCRAM-SHA-512 or PLAIN) but a team may read nothing until a grant says so;",
                    "an auditor reads mesh.audit, mesh.catalog and mesh.access.grants (consumer groups <name>.*) and writes nothing."})
    int add(@Mixin StateDirOption state, @Mixin PrincipalOption as,
            @Parameters(paramLabel = "NAME", description = "Lower-case kebab case, e.g. analytics.") String name,
            @Option(names = "--auditor", description = "An auditor: reads the audit trail, the catalog and the grants; no product, view or write.")
            boolean auditor) {
        try (var mesh = RunningMesh.open(state, as, MeshPrincipal.ADMIN.name())) {
            MeshPrincipal added = mesh.onboarding().addPrincipal(name, auditor ? PrincipalKind.AUDITOR : PrincipalKind.TEAM);
            var configs = new ClientConfigs(state.directory().clients());
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Added %s. Client configs: %s and %s%n", added.kafkaPrincipal(),
                    configs.propertiesFile(added.name()), configs.kcatFile(added.name()));
            out.flush();
        }
        return Mesh.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the mesh's principals, their kind and their client config.")
    int list(@Mixin StateDirOption state, @Mixin OutputOption output) {
        var configs = new ClientConfigs(state.existing().clients());
        PrintWriter out = spec.commandLine().getOut();
        var principals = CredentialStore.at(state.directory().credentials()).principals();
        if (output.format() == OutputFormat.json) {
            ObjectNode listed = JsonNodeFactory.instance.objectNode();
            ArrayNode rows = listed.putArray("principals");
            principals.forEach(p -> rows.addObject().put("principal", p.kafkaPrincipal()).put("kind", p.kind().name().toLowerCase())
                    .put("clientConfig", configs.propertiesFile(p.name()).toString()));
            out.println(TerminalText.json(listed, true));
            out.flush();
            return Mesh.OK;
        }
        var table = new Table("PRINCIPAL", "KIND", "CLIENT CONFIG");
        principals.forEach(p -> table.row(p.kafkaPrincipal(), p.kind().name().toLowerCase(), configs.propertiesFile(p.name()).toString()));
        table.print(out, output.format());
        return Mesh.OK;
    }
}
