package io.streammesh.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricsPortsTest {

    @Test
    void aFirstPortGivesFiveConsecutivePortsInTheOrderBrokerCatalogEnforcerGateAudit() {
        assertThat(MetricsPorts.from("0.0.0.0", 9404)).isEqualTo(new MetricsPorts("0.0.0.0", 9404, 9405, 9406, 9407, 9408));
    }

    @Test
    void zeroGivesEveryPartAnyFreePortOnThisMachine() {
        assertThat(MetricsPorts.anyFree()).isEqualTo(new MetricsPorts("127.0.0.1", 0, 0, 0, 0, 0));
    }

    @Test
    void aFirstPortThatLeavesNoRoomForTheFiveIsRefused() {
        assertThatThrownBy(() -> MetricsPorts.from("127.0.0.1", 65_533))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the first metrics port must be 0 or 1 to 65531, not 65533");
    }

    @Test
    void aPortOutOfRangeIsRefusedNamingThePart() {
        assertThatThrownBy(() -> new MetricsPorts("127.0.0.1", 0, 0, 70_000, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("enforcer metrics port must be 0 to 65535, not 70000");
    }
}
