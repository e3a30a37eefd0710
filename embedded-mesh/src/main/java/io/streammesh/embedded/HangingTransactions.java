package io.streammesh.embedded;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;

/**
 * Ends transactions left open on a partition although their coordinator has already ended them
 * ("hanging" transactions, KIP-664), which a read_committed reader can never read past: an app's
 * changelog restore then waits forever and the app never starts.
 *
 * <p>Why a mesh that was killed gets them: when the broker restarts, its transaction coordinator
 * aborts the transactions the dead apps left open (they have timed out) before the controller has
 * re-registered the broker; the coordinator finds no leader for the partitions, drops their abort
 * markers and records the abort as complete. Kafka's own {@code kafka-transactions.sh find-hanging}
 * / {@code abort} repair this by hand; the embedded mesh does it at start, before its apps run.
 * A transaction its coordinator still has in progress on the partition is left to the coordinator.
 */
final class HangingTransactions {

    private static final Set<TransactionState> IN_PROGRESS =
            Set.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);

    private HangingTransactions() {
    }

    /** One transaction open on one partition with no coordinator to end it. */
    record Hanging(TopicPartition partition, long producerId, int producerEpoch, long firstOffset) {
        @Override
        public String toString() {
            return partition + " from offset " + firstOffset + " (producer " + producerId + ", epoch " + producerEpoch + ")";
        }
    }

    /**
     * Finds the hanging transactions on every partition of the cluster and aborts them.
     *
     * @param admin a client allowed to describe every topic and write transaction markers
     * @return what was aborted, usually nothing
     */
    static List<Hanging> abortAll(Admin admin) {
        Map<TopicPartition, List<ProducerState>> open = openTransactions(admin, null);
        if (open.isEmpty()) {
            return List.of();
        }
        Set<Long> producerIds = open.values().stream().flatMap(List::stream).map(ProducerState::producerId).collect(Collectors.toSet());
        Map<Long, TransactionDescription> coordinators = coordinatorViews(admin, producerIds);
        Map<TopicPartition, List<ProducerState>> suspects = new HashMap<>();
        open.forEach((partition, producers) -> producers.stream()
                .filter(producer -> endedByItsCoordinator(coordinators.get(producer.producerId()), partition))
                .forEach(producer -> suspects.computeIfAbsent(partition, p -> new ArrayList<>()).add(producer)));
        if (suspects.isEmpty()) {
            return List.of();
        }
        // A live producer may have ended its transaction between the two looks above (its coordinator
        // then says "complete" while we saw it open). A coordinator writes a transaction complete only
        // after its markers are on every partition, so a transaction still open on the partition
        // AFTER the coordinator said so is one whose markers were lost: only those are aborted.
        Map<TopicPartition, List<ProducerState>> stillOpen = openTransactions(admin, suspects.keySet());
        List<Hanging> aborted = new ArrayList<>();
        suspects.forEach((partition, producers) -> producers.stream()
                .filter(producer -> stillOpen.getOrDefault(partition, List.of()).stream().anyMatch(now -> sameTransaction(now, producer)))
                .filter(producer -> abort(admin, partition, producer))
                .forEach(producer -> aborted.add(new Hanging(partition, producer.producerId(), producer.producerEpoch(),
                        producer.currentTransactionStartOffset().orElseThrow()))));
        return aborted;
    }

    /**
     * @param view what the producer's coordinator says, or null if it does not list the producer:
     *        such a producer is left alone (Kafka's own find-hanging waits out the longest
     *        transaction timeout for those); after a kill the coordinator knows the dead apps'
     *        producers and says it ended their transactions
     * @return whether the coordinator has no transaction of the producer in progress on the partition
     */
    private static boolean endedByItsCoordinator(TransactionDescription view, TopicPartition partition) {
        return view != null && !(IN_PROGRESS.contains(view.state()) && view.topicPartitions().contains(partition));
    }

    private static boolean sameTransaction(ProducerState a, ProducerState b) {
        return a.producerId() == b.producerId() && a.producerEpoch() == b.producerEpoch()
                && a.currentTransactionStartOffset().equals(b.currentTransactionStartOffset());
    }

    /** @return whether it aborted; false if the partition had meanwhile moved past that producer epoch (its producer lives on) */
    private static boolean abort(Admin admin, TopicPartition partition, ProducerState producer) {
        try {
            KafkaCalls.await(admin.abortTransaction(new AbortTransactionSpec(partition, producer.producerId(),
                    (short) producer.producerEpoch(), producer.coordinatorEpoch().orElse(0))).all(),
                    "abort a hanging transaction on " + partition);
            return true;
        } catch (MeshException e) {
            if (e.getCause() instanceof InvalidProducerEpochException) {
                return false;
            }
            throw e;
        }
    }

    /** @param only the partitions to look at, or null for every partition of the cluster */
    private static Map<TopicPartition, List<ProducerState>> openTransactions(Admin admin, Collection<TopicPartition> only) {
        List<TopicPartition> partitions = only == null ? allPartitions(admin) : List.copyOf(only);
        Map<TopicPartition, List<ProducerState>> open = new HashMap<>();
        KafkaCalls.await(admin.describeProducers(partitions).all(), "describe producers").forEach((partition, producers) -> {
            List<ProducerState> inTransaction = producers.activeProducers().stream()
                    .filter(producer -> producer.currentTransactionStartOffset().isPresent())
                    .toList();
            if (!inTransaction.isEmpty()) {
                open.put(partition, inTransaction);
            }
        });
        return open;
    }

    private static List<TopicPartition> allPartitions(Admin admin) {
        Set<String> topics = KafkaCalls.await(admin.listTopics(new ListTopicsOptions().listInternal(true)).names(), "list topics");
        Collection<TopicDescription> descriptions =
                KafkaCalls.await(admin.describeTopics(topics).allTopicNames(), "describe topics").values();
        return descriptions.stream()
                .flatMap(topic -> topic.partitions().stream().map(p -> new TopicPartition(topic.name(), p.partition())))
                .toList();
    }

    /** What each producer's coordinator says about its current transaction; absent if it knows none. */
    private static Map<Long, TransactionDescription> coordinatorViews(Admin admin, Set<Long> producerIds) {
        Collection<TransactionListing> listings = KafkaCalls.await(
                admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds)).all(), "list transactions");
        if (listings.isEmpty()) {
            return Map.of();
        }
        Map<String, TransactionDescription> byId = KafkaCalls.await(admin.describeTransactions(
                listings.stream().map(TransactionListing::transactionalId).toList()).all(), "describe transactions");
        Map<Long, TransactionDescription> byProducer = new HashMap<>();
        byId.values().forEach(description -> byProducer.put(description.producerId(), description));
        return byProducer;
    }
}
