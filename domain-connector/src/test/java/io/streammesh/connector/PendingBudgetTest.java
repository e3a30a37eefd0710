package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class PendingBudgetTest {

    private static final TaskId FIRST = new TaskId(0, 0);
    private static final TaskId SECOND = new TaskId(0, 1);

    private final PendingBudget budget = new PendingBudget(3, 100);

    @Test
    void aDomainsRecordsAcrossTasksShareItsLimitAndAnotherDomainHasItsOwn() {
        assertThat(budget.reserve(FIRST, "shop", 10)).isTrue();
        assertThat(budget.reserve(SECOND, "shop", 10)).isTrue();
        assertThat(budget.reserve(SECOND, "shop", 10)).isTrue();

        assertThat(budget.reserve(FIRST, "shop", 10)).as("a fourth record").isFalse();
        assertThat(budget.reserve(FIRST, "bank", 10)).isTrue();
        assertThat(budget.usage("shop")).isEqualTo(new PendingBudget.Usage(3, 30));

        budget.release(SECOND, "shop", 10);
        assertThat(budget.reserve(FIRST, "shop", 10)).isTrue();
    }

    @Test
    void aDomainsBytesHaveALimitToo() {
        assertThat(budget.reserve(FIRST, "shop", 60)).isTrue();
        assertThat(budget.reserve(SECOND, "shop", 41)).isFalse();
        assertThat(budget.reserve(SECOND, "shop", 40)).isTrue();
    }

    @Test
    void aTaskThatStartsAgainReplacesWhatWasCountedForItAndOneThatClosesFreesIt() {
        budget.reserve(FIRST, "shop", 10);
        budget.reserve(FIRST, "shop", 10);
        budget.reserve(SECOND, "shop", 10);

        // its processor started again, without having been closed, on a store that holds one record
        budget.restart(FIRST, Map.of("shop", new PendingBudget.Usage(1, 10)));
        assertThat(budget.usage("shop")).isEqualTo(new PendingBudget.Usage(2, 20));

        budget.close(SECOND);
        assertThat(budget.usage("shop")).isEqualTo(new PendingBudget.Usage(1, 10));
        budget.close(FIRST);
        budget.close(FIRST);
        assertThat(budget.usage("shop")).isEqualTo(PendingBudget.Usage.NONE);
    }
}
