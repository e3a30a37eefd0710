package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirLocationTest {

    @TempDir
    Path project;

    @Test
    void theEnvironmentVariableWinsOverAnyMeshDirectoryUpwards() throws Exception {
        Files.createDirectories(project.resolve(".mesh"));
        Path elsewhere = project.resolve("elsewhere-state");

        assertThat(StateDirLocation.find(Map.of("MESH_STATE_DIR", elsewhere.toString()), project)).isEqualTo(elsewhere);
    }

    @Test
    void aRelativeEnvironmentVariableIsTakenFromTheWorkingDirectory() {
        assertThat(StateDirLocation.find(Map.of("MESH_STATE_DIR", "states/one"), project))
                .isEqualTo(project.resolve("states/one"));
    }

    @Test
    void theNearestMeshDirectoryUpwardsIsFoundFromASubdirectory() throws Exception {
        Files.createDirectories(project.resolve(".mesh"));
        Path deep = Files.createDirectories(project.resolve("contracts/orders/v1"));

        assertThat(StateDirLocation.find(Map.of(), deep)).isEqualTo(project.resolve(".mesh"));
    }

    @Test
    void aNearerMeshDirectoryWinsOverOneFurtherUp() throws Exception {
        Files.createDirectories(project.resolve(".mesh"));
        Path inner = Files.createDirectories(project.resolve("inner/.mesh")).getParent();

        assertThat(StateDirLocation.find(Map.of(), inner.resolve("."))).isEqualTo(inner.resolve(".mesh"));
    }

    @Test
    void withoutAnyMeshDirectoryItIsDotMeshInTheWorkingDirectory() {
        assertThat(StateDirLocation.find(Map.of(), project)).isEqualTo(project.resolve(".mesh"));
    }

    @Test
    void aStateDirectoryThatDoesNotExistIsNamedWithHowToPointAtIt() {
        Path nowhere = project.resolve("nowhere");

        var listed = CommandRun.of("principal", "list", "--state-dir", nowhere.toString());
        var acted = CommandRun.of("catalog", "search", "orders", "--as", "mesh-admin", "--state-dir", nowhere.toString());

        String notFound = "mesh: state directory " + nowhere + " not found; run mesh in (or below) the directory holding .mesh,"
                + " or point at it with --state-dir DIR or MESH_STATE_DIR=DIR";
        assertThat(listed.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(listed.err()).isEqualTo(notFound + System.lineSeparator());
        assertThat(acted.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(acted.err()).isEqualTo(notFound + " (or give --client-config FILE)" + System.lineSeparator());
    }
}
