package io.streammesh.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MeshBackendTest {

    @Test
    void withoutDockerTheEmbeddedMeshRuns() {
        assertThat(MeshBackend.choose(Optional.empty(), () -> false)).isEqualTo(MeshBackend.EMBEDDED);
    }

    @Test
    void withDockerContainersRun() {
        assertThat(MeshBackend.choose(Optional.empty(), () -> true)).isEqualTo(MeshBackend.CONTAINERS);
    }

    @Test
    void theSettingWinsOverDockerAndIsNotAskedThen() {
        var asked = new AtomicBoolean();
        MeshBackend chosen = MeshBackend.choose(Optional.of("embedded"), () -> {
            asked.set(true);
            return true;
        });

        assertThat(chosen).isEqualTo(MeshBackend.EMBEDDED);
        assertThat(asked).isFalse();
        assertThat(MeshBackend.choose(Optional.of(" Containers "), () -> false)).isEqualTo(MeshBackend.CONTAINERS);
    }

    @Test
    void aBlankSettingLeavesTheChoiceToDocker() {
        assertThat(MeshBackend.choose(Optional.of(" "), () -> false)).isEqualTo(MeshBackend.EMBEDDED);
    }

    @Test
    void anUnknownBackendIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> MeshBackend.choose(Optional.of("docker"), () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("streammesh.test.backend is 'docker'; use embedded or containers");
    }

    @Test
    void thisMachineWithoutDockerGetsTheEmbeddedMesh() {
        // The check must be cheap and safe where no engine runs: it answers, it does not throw.
        boolean docker = org.testcontainers.DockerClientFactory.instance().isDockerAvailable();

        assertThat(MeshBackend.choose(Optional.empty(), () -> docker))
                .isEqualTo(docker ? MeshBackend.CONTAINERS : MeshBackend.EMBEDDED);
    }
}
