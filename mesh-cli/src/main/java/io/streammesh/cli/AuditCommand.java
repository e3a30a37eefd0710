package io.streammesh.cli;

import io.streammesh.audit.AuditVerifier;
import io.streammesh.platform.MeshException;
import io.streammesh.platform.MeshPrincipal;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mesh audit verify|query}: the auditor's side of the mesh. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Proves and questions the audit trail (mesh.audit).")
final class AuditCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Checks every hash chain of mesh.audit; names the partition and offset of the first break.")
    int verify(@Mixin StateDirOption state, @Mixin PrincipalOption as) {
        AuditVerifier.Result result = AuditVerifier.verify(as.clientConfig(state, MeshPrincipal.ADMIN.name()));
        if (result.firstBreak().isPresent()) {
            throw new MeshException("the audit trail is broken at " + result.firstBreak().get());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("mesh.audit is intact: %d events in %d hash chains (%s).%n", result.total(), result.events().size(),
                String.join(", ", result.events().entrySet().stream().map(e -> "partition " + e.getKey() + ": " + e.getValue()).toList()));
        out.flush();
        return Mesh.OK;
    }
}
