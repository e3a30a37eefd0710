package io.streammesh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.embedded.StateDirectory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RegistryContainerTest {

    private final StateDirectory state = new StateDirectory(Path.of("/tmp/streammesh-test-1"));

    @Test
    void runsTheGatedRegistryServerAgainstTheMountedCredentialStore() {
        assertThat(RegistryContainer.command(state)).containsExactly("java", "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dmesh.credentials=" + state.credentials(), "-Dquarkus.http.host=0.0.0.0",
                "-Dquarkus.http.port=8080", "-jar", "/opt/registry/quarkus-run.jar");
    }

    @Test
    void keepsItsSchemasInTheStateDirectory() {
        assertThat(RegistryContainer.environment(state)).containsOnlyKeys("REGISTRY_DATASOURCE_URL")
                .containsEntry("REGISTRY_DATASOURCE_URL",
                        "jdbc:h2:file:" + state.registry().resolve("registry") + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0");
    }

    @Test
    void theBrokerReachesItByItsNetworkAlias() {
        assertThat(RegistryContainer.networkUrl()).isEqualTo("http://mesh-registry:8080");
    }
}
