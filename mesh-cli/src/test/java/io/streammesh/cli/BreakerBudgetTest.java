package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo's rule breakers against its own SLOs, as the catalog's HealthProcessor judges them:
 * dead letters over all records in each wall-clock window, checked every 5 s, the counts arriving
 * up to 2 s late.
 */
class BreakerBudgetTest {

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final long CHECK = 5_000;
    private static final long COUNT_DELAY = 2_000;
    /** An instant 37 s into a window: the demo starts at any time. */
    private static final long START = 1_800_000_000_000L + 37_000;

    @Test
    void ordersBreakRulesInEveryWindowYetNeverAboveTheirMaxViolationRate() {
        double maxViolationRate = 0.05;
        List<long[]> sends = simulate(new BreakerBudget(maxViolationRate, WINDOW), 500, Duration.ofMinutes(10));

        assertThat(worstRateAtAnyCheck(sends)).isGreaterThan(0).isLessThanOrEqualTo(maxViolationRate);
        for (long window = 1; window < 10; window++) {
            long from = windowStart(START) + window * WINDOW.toMillis();
            assertThat(sends.stream().filter(s -> s[1] == 1 && s[0] >= from && s[0] < from + WINDOW.toMillis()).count())
                    .as("breakers in full window %d", window).isPositive();
        }
    }

    @Test
    void profilesSendNoBreakerWhenTheirSloLeavesNoRoomForOneInAWindow() {
        List<long[]> sends = simulate(new BreakerBudget(0.01, WINDOW), 2_000, Duration.ofMinutes(10));

        assertThat(sends).allMatch(s -> s[1] == 0);
    }

    @Test
    void aProductWithoutADeadLetterSloGetsOneBreakerInTenRecords() {
        List<long[]> sends = simulate(new BreakerBudget(null, WINDOW), 500, Duration.ofMinutes(10));

        assertThat(worstRateAtAnyCheck(sends)).isLessThanOrEqualTo(BreakerBudget.WITHOUT_SLO);
        assertThat(sends.stream().filter(s -> s[1] == 1).count()).isGreaterThan(sends.size() / 20);
    }

    /** @return {time, 1 if it breaks a rule} for each record sent every {@code every} ms */
    private static List<long[]> simulate(BreakerBudget budget, long every, Duration during) {
        List<long[]> sends = new ArrayList<>();
        for (long t = START; t < START + during.toMillis(); t += every) {
            sends.add(new long[] {t, budget.nextBreaks(t) ? 1 : 0});
        }
        return sends;
    }

    /** The highest dead-letter rate the catalog sees at a check, for every delay of the counts up to 2 s. */
    private static double worstRateAtAnyCheck(List<long[]> sends) {
        double worst = 0;
        for (long delay = 0; delay <= COUNT_DELAY; delay += 250) {
            for (long check = START; check < START + Duration.ofMinutes(10).toMillis(); check += CHECK) {
                long from = windowStart(check);
                long counted = check;
                long shift = delay;
                var inWindow = sends.stream().filter(s -> s[0] + shift >= from && s[0] + shift <= counted).toList();
                if (!inWindow.isEmpty()) {
                    worst = Math.max(worst, (double) inWindow.stream().filter(s -> s[1] == 1).count() / inWindow.size());
                }
            }
        }
        return worst;
    }

    private static long windowStart(long t) {
        return t - Math.floorMod(t, WINDOW.toMillis());
    }
}
