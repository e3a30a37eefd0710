package io.streammesh.cli;

import io.streammesh.client.ClientConfigs;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.keys.KekSource;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.ProductAddress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mesh keys rotate}: a new version of a domain's key-encryption key, every data key wrapped
 * again; or of the platform's own ({@code --domain mesh}), which wraps only the gates' keys for
 * records waiting in {@code gate-pending}.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manages the domains' encryption keys (the platform's).")
final class KeysCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Adds a new version of the domain's key-encryption key (the local keyset in <state>/keks) and wraps "
                    + "every data key of mesh.keys.<domain> again with it. Data keys and data stay as they are: everything "
                    + "encrypted stays readable. The platform's (mesh-admin) alone: domains cannot read their key topics. "
                    + "--domain mesh rotates the platform's own, which wraps the gates' keys for waiting records."})
    int rotate(@Mixin StateDirOption state, @Mixin PrincipalOption as,
               @Option(names = "--domain", required = true, paramLabel = "DOMAIN", description = "The domain whose key rotates.") String domain) {
        try {
            ProductAddress.checkName("domain", domain);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        MeshClientConfig admin = as.clientConfig(state, MeshPrincipal.ADMIN.name());
        refuseWhereAKmsHoldsTheKeks(admin, state, domain);
        RunningMesh.find(state.directory());
        var kms = new LocalKms(state.directory().keks());
        int version = kms.rotate(domain);
        PrintWriter out = spec.commandLine().getOut();
        if (domain.equals(SubjectKeys.PLATFORM)) {
            out.printf("The platform's key-encryption key is now version %d: a gate wraps its key for waiting records with it from "
                    + "its next start; the older versions stay to open what they wrapped.%n", version);
            out.flush();
            return Mesh.OK;
        }
        int rewrapped;
        try (var keys = SubjectKeys.local(admin, state.directory().keks())) {
            rewrapped = keys.rewrap(domain);
        }
        out.printf("Key-encryption key of domain %s is now version %d; %d data key(s) wrapped again.%n", domain, version, rewrapped);
        out.flush();
        return Mesh.OK;
    }

    /**
     * A KMS keeps its keys' versions: this command has nothing to rotate where the admin's client
     * config or a platform app's names one (read as settings: this command needs no KMS client).
     */
    private static void refuseWhereAKmsHoldsTheKeks(MeshClientConfig admin, StateDirOption state, String domain) {
        var clients = new ClientConfigs(state.directory().clients());
        List<MeshClientConfig> configs = new ArrayList<>(List.of(admin));
        for (PlatformApp app : PlatformApp.values()) {
            if (Files.exists(clients.propertiesFile(app.principal().name()))) {
                configs.add(clients.config(app.principal().name()));
            }
        }
        for (MeshClientConfig config : configs) {
            String uri = config.kmsSettings().get(KekSource.KEK_URI);
            if (uri != null) {
                throw new MeshException("the key-encryption keys are in the KMS the client config of " + config.kafkaPrincipal()
                        + " names (" + KekSource.KEK_URI + "=" + uri + "): rotate the key of domain " + domain + " there; its older "
                        + "versions keep unwrapping the data keys they wrapped");
            }
        }
    }
}
