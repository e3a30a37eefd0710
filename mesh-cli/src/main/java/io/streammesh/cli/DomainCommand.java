package io.streammesh.cli;

import io.streammesh.client.ClientConfigs;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshTopics;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh domain add}: onboards a domain team. */
@Command(name = "domain", mixinStandardHelpOptions = true, addMethodSubcommands = false, description = "Onboards domains.")
final class DomainCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Onboards a domain: its principal User:<name> may create, write and read topics <name>.*, "
                    + "and alone may write mesh.registrations.<name> and mesh.decisions.<name>.",
                    "Idempotent: onboarding a domain twice changes nothing."})
    int add(@Mixin StateDirOption state, @Mixin PrincipalOption as,
            @Parameters(paramLabel = "NAME", description = "Lower-case kebab case, e.g. orders.") String name) {
        try (var mesh = RunningMesh.open(state, as, MeshPrincipal.ADMIN.name())) {
            MeshPrincipal domain = mesh.onboarding().addDomain(name);
            var configs = new ClientConfigs(state.directory().clients());
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Domain %s is onboarded: %s creates and reads topics %s.*, writes %s, %s and, once a product is"
                    + " catalogued, its <address>.ingest (the contract gate writes the product).%n", name, domain.kafkaPrincipal(),
                    name, MeshTopics.registrations(name), MeshTopics.decisions(name));
            out.printf("Client configs: %s and %s%n", configs.propertiesFile(domain.name()), configs.kcatFile(domain.name()));
            out.flush();
        }
        return Mesh.OK;
    }
}
