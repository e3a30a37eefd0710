package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.embedded.CoordinatorLog.Entry;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.coordinator.transaction.TransactionState;
import org.junit.jupiter.api.Test;

/** How a transaction left open on a partition ended, by its coordinator's log; where the coordinator's present view is wrong. */
class CoordinatorLogTest {

    private static final TopicPartition INGEST = new TopicPartition("shop.orders.v1.ingest", 1);
    private static final TopicPartition OTHER = new TopicPartition("shop.orders.v1", 0);
    private static final ProducerState OPEN_AT_EPOCH_8 = new ProducerState(5, 8, 41, 0L, OptionalInt.of(0), OptionalLong.of(5184));

    @Test
    void aCommittedTransactionOfAProducerThatHasSinceRestartedIsCommitted() {
        List<Entry> history = List.of(entry(8, TransactionState.ONGOING, INGEST), entry(9, TransactionState.PREPARE_COMMIT, INGEST),
                entry(9, TransactionState.COMPLETE_COMMIT), entry(10, TransactionState.EMPTY), entry(10, TransactionState.ONGOING, OTHER));

        assertThat(CoordinatorLog.ending(history, INGEST, 5, 8)).hasValueSatisfying(ending -> {
            assertThat(ending.state()).isEqualTo(TransactionState.PREPARE_COMMIT);
            assertThat(CoordinatorLog.commits(ending)).isTrue();
        });
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, now(TransactionState.ONGOING, 10)))
                .as("what the coordinator says now would have aborted it").isFalse();
    }

    @Test
    void anAbortedTransactionOfAProducerThatWasBumpedAndThenCommittedIsAborted() {
        List<Entry> history = List.of(entry(8, TransactionState.ONGOING, INGEST), entry(8, TransactionState.PREPARE_ABORT, INGEST),
                entry(8, TransactionState.COMPLETE_ABORT), entry(9, TransactionState.EMPTY), entry(9, TransactionState.ONGOING, OTHER),
                entry(9, TransactionState.PREPARE_COMMIT, OTHER), entry(9, TransactionState.COMPLETE_COMMIT));

        assertThat(CoordinatorLog.ending(history, INGEST, 5, 8)).map(CoordinatorLog::commits).hasValue(false);
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, now(TransactionState.COMPLETE_COMMIT, 9)))
                .as("what the coordinator says now would have committed it").isTrue();
    }

    @Test
    void partitionsAddedToTheTransactionLaterDoNotEndIt() {
        List<Entry> history = List.of(entry(8, TransactionState.ONGOING, INGEST), entry(8, TransactionState.ONGOING, INGEST, OTHER),
                entry(9, TransactionState.PREPARE_COMMIT, INGEST, OTHER));

        assertThat(CoordinatorLog.ending(history, INGEST, 5, 8)).map(CoordinatorLog::commits).hasValue(true);
    }

    @Test
    void ofAProducerThatKeepsItsEpochTheLastTransactionOnThePartitionIsTheOpenOne() {
        List<Entry> history = List.of(entry(8, TransactionState.ONGOING, INGEST), entry(8, TransactionState.PREPARE_COMMIT, INGEST),
                entry(8, TransactionState.COMPLETE_COMMIT), entry(8, TransactionState.ONGOING, INGEST),
                entry(8, TransactionState.PREPARE_EPOCH_FENCE, INGEST));

        assertThat(CoordinatorLog.ending(history, INGEST, 5, 8)).map(Entry::state).hasValue(TransactionState.PREPARE_EPOCH_FENCE);
        assertThat(CoordinatorLog.ending(history, INGEST, 5, 8)).map(CoordinatorLog::commits).hasValue(false);
    }

    @Test
    void aLogThatDoesNotSaySaysNothing() {
        assertThat(CoordinatorLog.ending(List.of(entry(9, TransactionState.COMPLETE_COMMIT)), INGEST, 5, 8))
                .as("compacted to the latest state").isEmpty();
        assertThat(CoordinatorLog.ending(List.of(entry(8, TransactionState.ONGOING, INGEST)), INGEST, 5, 8))
                .as("still in progress").isEmpty();
        assertThat(CoordinatorLog.ending(List.of(entry(8, TransactionState.ONGOING, OTHER), entry(9, TransactionState.PREPARE_COMMIT, OTHER)),
                INGEST, 5, 8)).as("a transaction without the partition").isEmpty();
        assertThat(CoordinatorLog.ending(List.of(new Entry(6, 8, TransactionState.ONGOING, Set.of(INGEST)),
                new Entry(6, 9, TransactionState.PREPARE_COMMIT, Set.of(INGEST))), INGEST, 5, 8)).as("another producer id").isEmpty();
    }

    private static Entry entry(int epoch, TransactionState state, TopicPartition... partitions) {
        return new Entry(5, epoch, state, Set.of(partitions));
    }

    /** What the admin API says of the producer now (its own enum of the same states). */
    private static TransactionDescription now(TransactionState state, int epoch) {
        return new TransactionDescription(1, org.apache.kafka.clients.admin.TransactionState.parse(state.stateName()), 5, epoch, 20_000,
                OptionalLong.empty(), Set.<TopicPartition>of());
    }
}
