package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshException;
import org.junit.jupiter.api.Test;

class MeshConfigTest {

    @Test
    void refusesPortsOutOfRange() {
        assertThatThrownBy(() -> MeshConfig.defaults().withPorts(70_000, 0))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("Kafka port 70000 is not a port number");
    }

    @Test
    void runsOneBrokerUnlessToldOtherwiseAndRefusesABrokerCountItCannotRun() {
        assertThat(MeshConfig.defaults().brokers()).isEqualTo(1);
        assertThat(MeshConfig.defaults().withBrokers(3).brokers()).isEqualTo(3);
        assertThatThrownBy(() -> MeshConfig.defaults().withBrokers(0))
                .isInstanceOf(MeshException.class)
                .hasMessage("--brokers 0 is not a broker count (1 to 5)");
        assertThatThrownBy(() -> MeshConfig.defaults().withPorts(65_535, 0).withBrokers(3))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("Kafka port of broker 3 65537 is not a port number");
    }
}
