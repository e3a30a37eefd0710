package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ViewState;
import io.streammesh.schema.ViewStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ViewHealthTest {

    private static final long T = 1_800_000_000_000L;
    private final ViewHealth health = new ViewHealth(ProductAddress.parse("shop.basket.v1"), "analytics");

    @Test
    void aViewIsDegradedAfterThreeFailuresInARowAndOkOnceARecordGoesThrough() {
        assertThat(health.failed("over budget", T)).get().extracting(ViewStatus::getState).as("its first record is reported").isEqualTo(ViewState.OK);
        assertThat(health.failed("over budget", T + 10)).isEmpty();
        assertThat(health.failed("over budget", T + 20)).as("held back: reported 20 ms ago").isEmpty();

        ViewStatus degraded = health.due(T + ViewHealth.REPORT_EVERY_MS).orElseThrow();
        assertThat(degraded.getState()).isEqualTo(ViewState.DEGRADED);
        assertThat(degraded.getReason()).isEqualTo("over budget");
        assertThat(degraded.getFailures()).isEqualTo(3);
        assertThat(degraded.getLastFailureAt()).isEqualTo(Instant.ofEpochMilli(T + 20));

        assertThat(health.passed(T + ViewHealth.REPORT_EVERY_MS + 1)).isEmpty();
        ViewStatus ok = health.due(T + 2 * ViewHealth.REPORT_EVERY_MS).orElseThrow();
        assertThat(ok.getState()).isEqualTo(ViewState.OK);
        assertThat(ok.getReason()).isNull();
        assertThat(ok.getFailures()).isZero();
    }

    @Test
    void aTenantsFailingRecordsAreReportedAtMostOnceEveryTwoSeconds() {
        long reports = 0;
        for (long at = T; at < T + 10_000; at += 10) {
            reports += health.failed("over budget", at).isPresent() ? 1 : 0;
        }
        assertThat(reports).isEqualTo(5);
        assertThat(health.due(T + 10_000)).get().extracting(ViewStatus::getFailures).isEqualTo(1000L);
        assertThat(health.due(T + 20_000)).as("nothing changed since").isEmpty();
    }
}
