package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Which marker ends a transaction left open on a partition, from what its coordinator says. */
class HangingTransactionsTest {

    private static final ProducerState OPEN_AT_EPOCH_8 = new ProducerState(5, 8, 41, 0L, OptionalInt.of(0), OptionalLong.of(5184));

    @Test
    void aTransactionItsCoordinatorCommittedIsCommittedAtTheEpochItsCommitBumpedTo() {
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, coordinator(TransactionState.COMPLETE_COMMIT, 9))).isTrue();
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, coordinator(TransactionState.PREPARE_COMMIT, 9))).isTrue();
    }

    @Test
    void aCommitAtTheSameEpochMayBeALaterTransactionOfAProducerThatKeepsItsEpochSoTheOpenOneIsAborted() {
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, coordinator(TransactionState.COMPLETE_COMMIT, 8))).isFalse();
    }

    @Test
    void everythingElseIsAbortedAsKafkasOwnToolDoes() {
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, coordinator(TransactionState.COMPLETE_ABORT, 9))).isFalse();
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, coordinator(TransactionState.ONGOING, 8))).isFalse();
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, coordinator(TransactionState.EMPTY, 9))).isFalse();
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, null)).as("a producer no coordinator knows").isFalse();
    }

    @Test
    void aCommitOfALaterTransactionOfTheProducerSaysNothingAboutThisOne() {
        assertThat(HangingTransactions.committedByItsCoordinator(OPEN_AT_EPOCH_8, coordinator(TransactionState.COMPLETE_COMMIT, 11))).isFalse();
    }

    private static TransactionDescription coordinator(TransactionState state, int epoch) {
        return new TransactionDescription(1, state, 5, epoch, 20_000, OptionalLong.empty(), Set.<TopicPartition>of());
    }
}
