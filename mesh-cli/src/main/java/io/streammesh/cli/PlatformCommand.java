package io.streammesh.cli;

import io.streammesh.client.ClientConfigs;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.PlatformInit;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mesh platform init}: the mesh's platform on a Kafka cluster of one's own. */
@Command(name = "platform", mixinStandardHelpOptions = true,
        description = "Sets up the mesh on a Kafka cluster and registry you run (mesh up does it for its own).")
final class PlatformCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Bootstraps the mesh on any cluster: platform topics, the platform apps' principals (SCRAM-SHA-512 "
                    + "credentials through the Admin API), their ACLs, the registry's rules and the platform's schemas.",
                    "Writes each principal's client config and the credential store (start the registry with "
                    + "-Dmesh.credentials=<state-dir>/credentials) into the state directory.",
                    "Idempotent: a second run changes nothing and says so."})
    int init(@Mixin StateDirOption state,
             @Option(names = "--client-config", paramLabel = "FILE", required = true,
                     description = "mesh-admin's Kafka client config (the cluster's super user), with apicurio.registry.url.")
             Path clientConfig) {
        var directory = state.directory();
        PlatformInit.Outcome outcome = PlatformInit.run(MeshClientConfig.load(clientConfig), directory);
        PrintWriter out = spec.commandLine().getOut();
        String where = outcome.endpoints().bootstrapServers() + " (registry " + outcome.endpoints().registryUrl() + ")";
        if (outcome.changedNothing()) {
            out.printf("The platform on %s is in place already: nothing changed.%n", where);
        } else {
            out.printf("Platform initialised on %s: %d topics, %d principals and %d ACLs created; %d topics given this version's configs.%n",
                    where, outcome.topics().size(), outcome.principals().size(), outcome.acls(), outcome.configured().size());
            if (!outcome.principals().isEmpty()) {
                out.printf("  New principals   %s%n", String.join(", ", outcome.principals()));
            }
            outcome.configured().forEach(topic -> out.printf("  Configured       %s%n", topic));
        }
        var configs = new ClientConfigs(directory.clients());
        for (PlatformApp app : PlatformApp.values()) {
            out.printf("  %-16s %s%n", app.principal().name(), configs.propertiesFile(app.principal().name()));
        }
        out.printf("  Client configs   %s%n", directory.clients());
        out.printf("  Credentials      %s (the registry and the catalog check it)%n", directory.credentials());
        out.printf("Next: mesh domain add <name> --client-config %s --state-dir %s; each app with mesh app <app>.%n",
                clientConfig, directory.root());
        out.flush();
        return Mesh.OK;
    }
}
