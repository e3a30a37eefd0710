package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WaitingBudgetTest {

    private static final TaskId FIRST = new TaskId(0, 0);
    private static final TaskId SECOND = new TaskId(0, 1);
    private final Object first = new Object();
    private final Object second = new Object();

    private final WaitingBudget budget = new WaitingBudget(3, 100);

    @BeforeEach
    void start() {
        budget.restart(FIRST, first, Map.of());
        budget.restart(SECOND, second, Map.of());
    }

    @Test
    void aDomainsRecordsAcrossTasksShareItsLimitAndAnotherDomainHasItsOwn() {
        assertThat(budget.reserve(FIRST, first, "shop", 10)).isEmpty();
        assertThat(budget.reserve(SECOND, second, "shop", 10)).isEmpty();
        assertThat(budget.reserve(SECOND, second, "shop", 10)).isEmpty();

        assertThat(budget.reserve(FIRST, first, "shop", 10)).as("a fourth record").contains(new WaitingBudget.Usage(3, 30));
        assertThat(budget.reserve(FIRST, first, "bank", 10)).isEmpty();
        assertThat(budget.usage("shop")).isEqualTo(new WaitingBudget.Usage(3, 30));

        budget.release(SECOND, second, "shop", 10);
        assertThat(budget.reserve(FIRST, first, "shop", 10)).isEmpty();
    }

    @Test
    void aDomainsBytesHaveALimitToo() {
        assertThat(budget.reserve(FIRST, first, "shop", 60)).isEmpty();
        assertThat(budget.reserve(SECOND, second, "shop", 41)).isPresent();
        assertThat(budget.reserve(SECOND, second, "shop", 40)).isEmpty();
    }

    @Test
    void aTaskThatStartsAgainReplacesWhatWasCountedForItAndOneThatClosesFreesIt() {
        budget.reserve(FIRST, first, "shop", 10);
        budget.reserve(FIRST, first, "shop", 10);
        budget.reserve(SECOND, second, "shop", 10);

        // its processor started again, without having been closed, on a store that holds one record
        budget.restart(FIRST, first, Map.of("shop", new WaitingBudget.Usage(1, 10)));
        assertThat(budget.usage("shop")).isEqualTo(new WaitingBudget.Usage(2, 20));

        budget.close(SECOND, second);
        assertThat(budget.usage("shop")).isEqualTo(new WaitingBudget.Usage(1, 10));
        budget.close(FIRST, first);
        budget.close(FIRST, first);
        assertThat(budget.usage("shop")).isEqualTo(WaitingBudget.Usage.NONE);
    }

    /** A stream thread that lost its task, but still runs, while another thread's processor has started on it. */
    @Test
    void aProcessorNoLongerTheTasksChangesNothing() {
        budget.reserve(FIRST, first, "shop", 10);
        Object successor = new Object();
        budget.restart(FIRST, successor, Map.of("shop", new WaitingBudget.Usage(1, 10)));

        budget.release(FIRST, first, "shop", 10);
        assertThat(budget.reserve(FIRST, first, "shop", 10)).isPresent();
        budget.close(FIRST, first);

        assertThat(budget.usage("shop")).isEqualTo(new WaitingBudget.Usage(1, 10));
        budget.release(FIRST, successor, "shop", 10);
        assertThat(budget.usage("shop")).isEqualTo(WaitingBudget.Usage.NONE);
    }

    @Test
    void aRecordAddedWhateverTheRoomCountsAgainstItsDomainsLaterReservations() {
        budget.add(FIRST, first, "shop", 10);
        budget.add(FIRST, first, "shop", 10);
        budget.add(SECOND, second, "shop", 10);
        budget.add(SECOND, second, "shop", 10);

        assertThat(budget.usage("shop")).isEqualTo(new WaitingBudget.Usage(4, 40));
        assertThat(budget.reserve(FIRST, first, "shop", 10)).contains(new WaitingBudget.Usage(4, 40));
        budget.add(FIRST, new Object(), "shop", 10);
        assertThat(budget.usage("shop")).as("not the task's processor").isEqualTo(new WaitingBudget.Usage(4, 40));
    }
}
