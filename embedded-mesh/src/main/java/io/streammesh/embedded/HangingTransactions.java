package io.streammesh.embedded;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends transactions left open on a partition although their coordinator has already ended them
 * ("hanging" transactions, KIP-664), which a read_committed reader can never read past: an app's
 * changelog restore then waits forever and the app never starts, and a product's readers stall.
 *
 * <p>Why an embedded mesh gets them: when a broker restarts, its transaction coordinator loads the
 * transactions left open (by a kill, or by producers that outlived a stop) and ends those that
 * have timed out or were committing before the controller has registered the broker again; it
 * finds no leader for the partitions, drops their markers and records the transaction as ended.
 * That happens while the broker starts, and may happen after the mesh's first look, so the mesh
 * looks at start, before its apps run, and then {@linkplain #watch every few seconds} while it
 * runs. Kafka's own {@code kafka-transactions.sh find-hanging} / {@code abort} repair the same by
 * hand, with the same rules: a transaction its coordinator still has in progress on the partition
 * is left to the coordinator; one of a producer no coordinator knows is hanging once the watch
 * has seen it open and unknown, look after look, for longer than the longest transaction timeout
 * the broker allows (measured by the watch's clock: a record's timestamp is the producer's to set).
 * Unlike Kafka's tool, the watch ends a transaction its coordinator committed with a commit marker
 * ({@link TransactionMarkers}): a stop right after a producer's commit was acknowledged leaves
 * exactly that, and aborting it threw away records the producer had been told were written. How
 * the coordinator ended it is read from its own log ({@link CoordinatorLog}), which still says so
 * after the producer has moved on (restarted, or begun its next transaction).
 */
final class HangingTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(10);

    private static final Set<TransactionState> IN_PROGRESS =
            Set.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);
    private static final Set<TransactionState> COMMITTED = Set.of(TransactionState.PREPARE_COMMIT, TransactionState.COMPLETE_COMMIT);

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
     * A hanging transaction the watch ended.
     *
     * @param committed whether it was committed (its coordinator had committed it) or aborted
     * @param why what its coordinator said: how its log ended the transaction, or where the
     *        producer is now, or that it knows no such producer
     */
    record Ended(Hanging transaction, boolean committed, String why) {
        @Override
        public String toString() {
            return (committed ? "committed " : "aborted ") + transaction + "; " + why;
        }
    }

    /**
     * What a producer's coordinator says about it now.
     *
     * @param transactionalId the producer's transactional id
     * @param description the coordinator's description of its current transaction
     */
    record Coordinator(String transactionalId, TransactionDescription description) {
    }

    /**
     * Looks for hanging transactions every few seconds until closed, and ends them. A look that
     * fails (the broker is down for a while, say) is logged once and the next one tries again.
     *
     * @param admin a client allowed to describe every topic and write transaction markers; it must
     *        outlive the returned watch
     * @param log the coordinators' log, read when a transaction is to be ended
     * @return stops the watch
     */
    static AutoCloseable watch(Admin admin, CoordinatorLog log) {
        ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mesh-hanging-transactions");
            thread.setDaemon(true);
            return thread;
        });
        var failing = new AtomicBoolean();
        Map<Hanging, Instant> unknownSince = new HashMap<>();
        schedule.scheduleWithFixedDelay(() -> {
            try {
                report(endAll(admin, log, Instant.now(), unknownSince));
                if (failing.getAndSet(false)) {
                    LOG.info("Looking for hanging transactions works again");
                }
            } catch (RuntimeException e) {
                // a look that failed half-way says nothing about how long a producer has been unknown
                unknownSince.clear();
                if (!failing.getAndSet(true)) {
                    LOG.warn("Could not look for hanging transactions (trying again every {} s): {}",
                            WATCH_INTERVAL.toSeconds(), e.getMessage());
                }
            }
        }, WATCH_INTERVAL.toMillis(), WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return schedule::shutdownNow;
    }

    /** @param ended what a look ended, logged as a warning as it means markers were lost */
    static void report(List<Ended> ended) {
        if (!ended.isEmpty()) {
            LOG.warn("Ended {} hanging transaction(s), left open on their partitions with no coordinator to end them: {}",
                    ended.size(), ended);
        }
    }

    /**
     * Finds the hanging transactions on every partition of the cluster and ends them: committed if
     * their coordinator committed them, aborted otherwise.
     *
     * @param admin a client allowed to describe every topic and write transaction markers
     * @param log the coordinators' log, read when a transaction is to be ended
     * @param now the time of this look
     * @param unknownSince when earlier looks first saw each transaction open whose producer no
     *        coordinator lists; updated here (empty at a first look, which then aborts none of those)
     * @return what was ended, usually nothing
     */
    static List<Ended> endAll(Admin admin, CoordinatorLog log, Instant now, Map<Hanging, Instant> unknownSince) {
        Map<TopicPartition, List<ProducerState>> open = openTransactions(admin, null);
        if (open.isEmpty()) {
            unknownSince.clear();
            return List.of();
        }
        Set<Long> producerIds = open.values().stream().flatMap(List::stream).map(ProducerState::producerId).collect(Collectors.toSet());
        Map<Long, Coordinator> coordinators = coordinatorViews(admin, producerIds);
        Map<Hanging, Instant> stillUnknown = new HashMap<>();
        open.forEach((partition, producers) -> producers.stream().filter(producer -> !coordinators.containsKey(producer.producerId()))
                .map(producer -> hanging(partition, producer))
                .forEach(transaction -> stillUnknown.put(transaction, unknownSince.getOrDefault(transaction, now))));
        unknownSince.clear();
        unknownSince.putAll(stillUnknown);
        Map<TopicPartition, List<ProducerState>> suspects = new HashMap<>();
        open.forEach((partition, producers) -> producers.stream()
                .filter(producer -> coordinators.containsKey(producer.producerId())
                        ? endedByItsCoordinator(coordinators.get(producer.producerId()).description(), partition)
                        : unknownLongerThanAnyTimeout(unknownSince.get(hanging(partition, producer)), now))
                .forEach(producer -> suspects.computeIfAbsent(partition, p -> new ArrayList<>()).add(producer)));
        if (suspects.isEmpty()) {
            return List.of();
        }
        // A live producer may have ended its transaction between the two looks above (its coordinator
        // then says "complete" while we saw it open). A coordinator writes a transaction complete only
        // after its markers are on every partition, so a transaction still open on the partition
        // AFTER the coordinator said so is one whose markers were lost: only those are ended.
        // The coordinators are asked again for the producers they did not list: one that was
        // between coordinators (a __transaction_state partition moving) is listed now and left alone.
        Map<TopicPartition, List<ProducerState>> stillOpen = openTransactions(admin, suspects.keySet());
        Set<Long> unlisted = suspects.values().stream().flatMap(List::stream).map(ProducerState::producerId)
                .filter(id -> !coordinators.containsKey(id)).collect(Collectors.toSet());
        Set<Long> listedNow = unlisted.isEmpty() ? Set.of() : coordinatorViews(admin, unlisted).keySet();
        Map<TopicPartition, List<ProducerState>> toEnd = new HashMap<>();
        suspects.forEach((partition, producers) -> producers.stream()
                .filter(producer -> !listedNow.contains(producer.producerId()))
                .filter(producer -> stillOpen.getOrDefault(partition, List.of()).stream().anyMatch(later -> sameTransaction(later, producer)))
                .forEach(producer -> toEnd.computeIfAbsent(partition, p -> new ArrayList<>()).add(producer)));
        Map<String, List<CoordinatorLog.Entry>> histories = histories(admin, log, toEnd, coordinators);
        List<Ended> ended = new ArrayList<>();
        toEnd.forEach((partition, producers) -> producers.forEach(producer -> {
            Coordinator coordinator = coordinators.get(producer.producerId());
            Optional<CoordinatorLog.Entry> ending = coordinator == null ? Optional.empty()
                    : CoordinatorLog.ending(histories.getOrDefault(coordinator.transactionalId(), List.of()), partition,
                            producer.producerId(), producer.producerEpoch());
            boolean commit = ending.map(CoordinatorLog::commits)
                    .orElseGet(() -> committedByItsCoordinator(producer, coordinator == null ? null : coordinator.description()));
            if (end(admin, partition, producer, commit)) {
                ended.add(new Ended(hanging(partition, producer), commit, why(coordinator, ending)));
            }
        }));
        return ended;
    }

    /**
     * The coordinators' log of the producers whose transactions are to be ended. A log that cannot
     * be read leaves the decision to what the coordinators say now, as before there was a log to read.
     */
    private static Map<String, List<CoordinatorLog.Entry>> histories(Admin admin, CoordinatorLog log,
                                                                     Map<TopicPartition, List<ProducerState>> toEnd,
                                                                     Map<Long, Coordinator> coordinators) {
        Set<String> ids = toEnd.values().stream().flatMap(List::stream).map(producer -> coordinators.get(producer.producerId()))
                .filter(Objects::nonNull).map(Coordinator::transactionalId).collect(Collectors.toSet());
        try {
            return log.histories(admin, ids);
        } catch (RuntimeException e) {
            LOG.warn("Could not read the transaction coordinators' log ({}); deciding by what the coordinators say now", e.toString());
            return Map.of();
        }
    }

    private static String why(Coordinator coordinator, Optional<CoordinatorLog.Entry> ending) {
        if (coordinator == null) {
            return "its coordinator knows no such producer";
        }
        TransactionDescription now = coordinator.description();
        return ending.map(entry -> "its coordinator's log: " + entry + " after it").orElse("its coordinator's log does not say")
                + "; its coordinator now: " + now.state() + " at epoch " + now.producerEpoch();
    }

    /**
     * Whether the transaction open on a partition is one its coordinator committed: the coordinator
     * says commit at the next epoch, as a transactions-v2 producer's commit of it leaves it (every
     * end bumps the epoch, at the prepare step). Anything else ended with an abort, or never had the
     * partition, or belongs to a producer no coordinator knows: aborted, as Kafka's own tool does.
     * A commit at the same epoch is not taken as this one's: a transactions-v1 producer keeps its
     * epoch from one transaction to the next, so it may be a later transaction's. Used only where
     * the coordinator's log ({@link CoordinatorLog}) does not say how the transaction ended
     * (compacted away, or unreadable), as it cannot tell two cases: a v1 producer whose epoch was
     * bumped (a new instance, or after a delivery timeout) after this transaction's abort markers
     * were lost, and which then committed, looks the same as a v2 commit of this one; and a
     * producer that went on to its next transaction before the watch looked is no longer at the
     * next epoch, so its committed transaction is aborted.
     *
     * @param open the producer's transaction on the partition
     * @param coordinator what its coordinator says about the producer, or null
     * @return true to commit it, false to abort it
     */
    static boolean committedByItsCoordinator(ProducerState open, TransactionDescription coordinator) {
        if (coordinator == null || !COMMITTED.contains(coordinator.state())) {
            return false;
        }
        return coordinator.producerEpoch() == open.producerEpoch() + 1;
    }

    /**
     * A producer its coordinator no longer lists (its transactional id expired, or the coordinator
     * lost it) cannot end its transaction; once the watch has seen it unknown for longer than any
     * producer may keep a transaction open, nobody will end it.
     */
    private static boolean unknownLongerThanAnyTimeout(Instant since, Instant now) {
        return since != null && Duration.between(since, now).compareTo(BrokerSettings.TRANSACTION_MAX_TIMEOUT.plus(WATCH_INTERVAL)) > 0;
    }

    private static Hanging hanging(TopicPartition partition, ProducerState producer) {
        return new Hanging(partition, producer.producerId(), producer.producerEpoch(), producer.currentTransactionStartOffset().orElseThrow());
    }

    /**
     * @param view what the producer's coordinator says about it
     * @return whether the coordinator has no transaction of the producer in progress on the partition
     */
    private static boolean endedByItsCoordinator(TransactionDescription view, TopicPartition partition) {
        return !(IN_PROGRESS.contains(view.state()) && view.topicPartitions().contains(partition));
    }

    private static boolean sameTransaction(ProducerState a, ProducerState b) {
        return a.producerId() == b.producerId() && a.producerEpoch() == b.producerEpoch()
                && a.currentTransactionStartOffset().equals(b.currentTransactionStartOffset());
    }

    /** @return whether it ended it; false if the partition had meanwhile moved past that producer epoch (its producer lives on) */
    private static boolean end(Admin admin, TopicPartition partition, ProducerState producer, boolean commit) {
        try {
            TransactionMarkers.end(admin, new AbortTransactionSpec(partition, producer.producerId(),
                    (short) producer.producerEpoch(), producer.coordinatorEpoch().orElse(0)), commit);
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
    private static Map<Long, Coordinator> coordinatorViews(Admin admin, Set<Long> producerIds) {
        Collection<TransactionListing> listings = KafkaCalls.await(
                admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds)).all(), "list transactions");
        if (listings.isEmpty()) {
            return Map.of();
        }
        Map<String, TransactionDescription> byId = KafkaCalls.await(admin.describeTransactions(
                listings.stream().map(TransactionListing::transactionalId).toList()).all(), "describe transactions");
        Map<Long, Coordinator> byProducer = new HashMap<>();
        byId.forEach((id, description) -> byProducer.put(description.producerId(), new Coordinator(id, description)));
        return byProducer;
    }
}
