package io.streammesh.cli;

import io.streammesh.client.ClientConfigs;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh principal add|list}: the mesh's users. */
@Command(name = "principal", mixinStandardHelpOptions = true,
        description = "Adds and lists principals (consumer teams; domains come with mesh domain add).")
final class PrincipalCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Adds a consumer team's principal to the running mesh and writes its client configs.",
                    "It can authenticate at once (SCRAM-SHA-512 or PLAIN) but may read nothing until a grant says so."})
    int add(@Mixin StateDirOption state, @Mixin PrincipalOption as,
            @Parameters(paramLabel = "NAME", description = "Lower-case kebab case, e.g. analytics.") String name) {
        try (var mesh = RunningMesh.open(state, as, MeshPrincipal.ADMIN.name())) {
            MeshPrincipal added = mesh.onboarding().addPrincipal(name, PrincipalKind.TEAM);
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
    int list(@Mixin StateDirOption state) {
        var configs = new ClientConfigs(state.existing().clients());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-24s %-9s %s%n", "PRINCIPAL", "KIND", "CLIENT CONFIG");
        for (MeshPrincipal principal : CredentialStore.at(state.directory().credentials()).principals()) {
            out.printf("%-24s %-9s %s%n", principal.kafkaPrincipal(), principal.kind().name().toLowerCase(),
                    configs.propertiesFile(principal.name()));
        }
        out.flush();
        return Mesh.OK;
    }
}
