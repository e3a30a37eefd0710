package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessPartitionsTest {

    @Test
    void theRepartitionTopicsTakeTheGrantsTopicsPartitions() {
        assertThat(AccessPartitions.agreed(6, Map.of())).isEqualTo(6);
        assertThat(AccessPartitions.agreed(3, Map.of("mesh-catalog-access-inputs-repartition", 3, "mesh-catalog-health-activity-repartition", 3)))
                .isEqualTo(3);
    }

    @Test
    void aRepartitionTopicWithAnotherCountStopsTheStartNamingIt() {
        assertThatThrownBy(() -> AccessPartitions.agreed(6, Map.of("mesh-catalog-access-inputs-repartition", 3)))
                .isInstanceOf(MeshException.class)
                .hasMessage("mesh.access.grants has 6 partitions, but catalog-stream's repartition topic mesh-catalog-access-inputs-repartition "
                        + "has 3; they must agree: delete mesh-catalog-access-inputs-repartition while catalog-stream is stopped "
                        + "(it is recreated with 6)");
    }

    @Test
    void theRepartitionTopicsAreNamedAsStreamsNamesThem() {
        assertThat(AccessPartitions.REPARTITION_TOPICS)
                .containsExactly("mesh-catalog-access-inputs-repartition", "mesh-catalog-health-activity-repartition");
    }
}
