package io.streammesh.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.audit.ResendFilter.Arrived;
import org.junit.jupiter.api.Test;

class ResendFilterTest {

    @Test
    void numbersThatCameAreRememberedCompactlyAndSurviveTheStore() {
        Arrived numbers = Arrived.parse(null);
        assertThat(numbers.add(1)).isTrue();
        assertThat(numbers.add(2)).isTrue();
        assertThat(numbers.add(5)).isTrue();
        assertThat(numbers.add(2)).isFalse();
        assertThat(numbers).hasToString("2:5");

        Arrived stored = Arrived.parse(numbers.toString());
        assertThat(stored.add(5)).isFalse();
        assertThat(stored.add(4)).isTrue();
        assertThat(stored.add(3)).isTrue();
        assertThat(stored).hasToString("5");
    }

    @Test
    void aGapThatNeverFillsIsGivenUpOnceTooManyNumbersWaitBeyondIt() {
        Arrived numbers = Arrived.parse("0");
        for (long sequence = 2; sequence <= ResendFilter.MAX_AHEAD + 1; sequence++) {
            assertThat(numbers.add(sequence)).isTrue();
        }
        assertThat(numbers.toString()).startsWith("0:2,");

        assertThat(numbers.add(ResendFilter.MAX_AHEAD + 2)).isTrue();

        assertThat(numbers).hasToString(Long.toString(ResendFilter.MAX_AHEAD + 2));
        assertThat(numbers.add(1)).isFalse();
    }
}
