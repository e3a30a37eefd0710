package io.streammesh.embedded;

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
}
