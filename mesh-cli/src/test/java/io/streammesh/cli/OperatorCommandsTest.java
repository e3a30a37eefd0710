package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.client.MeshClientConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the operator's commands refuse before they reach any cluster, each in one line. */
class OperatorCommandsTest {

    @TempDir
    Path dir;

    @Test
    void aPlatformAppRefusesTheClientConfigOfAnotherPrincipal() {
        Path orders = config("orders");

        var run = CommandRun.of("app", "gate", "--client-config", orders.toString(), "--state-dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(run.err()).isEqualTo("mesh: mesh app gate runs as User:mesh-gate, but " + orders + " logs in as User:orders"
                + System.lineSeparator());
    }

    @Test
    void platformInitActsOnlyAsMeshAdmin() {
        var run = CommandRun.of("platform", "init", "--client-config", config("orders").toString(), "--state-dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(run.err()).isEqualTo("mesh: mesh platform init acts as User:mesh-admin (the cluster's super user), "
                + "but the client config logs in as User:orders" + System.lineSeparator());
    }

    @Test
    void domainAddOnAClusterNeedsTheStateDirectoryPlatformInitWrote() throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"));

        var run = CommandRun.of("domain", "add", "shipping", "--client-config", config("mesh-admin").toString(), "--state-dir", state.toString());

        assertThat(run.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(run.err()).isEqualTo("mesh: no mesh runs on state directory " + state + " and it holds no credential store; "
                + "bootstrap your cluster first with mesh platform init --client-config FILE --state-dir " + state + System.lineSeparator());
    }

    private Path config(String principal) {
        Path file = dir.resolve(principal + ".properties");
        MeshClientConfig.of("127.0.0.1:9", principal, URI.create("http://127.0.0.1:9/apis/registry/v2"), "secret").store(file);
        return file;
    }
}
