package io.streammesh.audit;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordProducers;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.ConsumerOffsets;
import io.streammesh.schema.MeshNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every consumer group's committed offsets on product and view topics at a fixed
 * interval and writes the ones that moved to {@link AuditTopology#CONSUMPTION_TOPIC}, with the
 * principal the group belongs to (the one its READ ACL names) and the number of committed records
 * between the previous and the new offset ({@link CommittedRecords}: offsets are not records on
 * transactional topics). It starts from the offsets it last wrote there, so a restart neither
 * counts a range twice nor loses one; the audit topology turns them into ranges.
 *
 * <p>Of several audit-sink instances only the one that {@code leads} writes rounds (the one with
 * the consumption topic's first partition): two writing at once would report each range twice,
 * counted from marks that are not each other's. An instance that comes to lead reads the marks
 * again, so it carries on where the last leader stopped.
 */
final class ConsumptionLedger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumptionLedger.class);

    private final Admin admin;
    private final KafkaProducer<String, ConsumerOffsets> producer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        var thread = new Thread(r, "mesh-audit-consumption-ledger");
        thread.setDaemon(true);
        return thread;
    });
    private final CommittedRecords records;
    private final MeshClientConfig clientConfig;
    private final BooleanSupplier leads;
    private Map<String, Long> sent;
    private boolean leading;
    private final Set<String> uncountable = new HashSet<>();
    /** Per range (group, topic, partition), the round it was last counted in: the ones counted longest ago go first. */
    private final Map<String, Long> countedIn = new HashMap<>();
    private long rounds;
    private String lastProblem;

    /**
     * @param clientConfig the audit principal's client config
     * @param leads whether this instance writes the rounds now
     */
    ConsumptionLedger(MeshClientConfig clientConfig, BooleanSupplier leads) {
        this.clientConfig = clientConfig;
        this.leads = leads;
        this.admin = Admin.create(clientConfig.kafka());
        this.producer = RecordProducers.create(clientConfig, "mesh-audit-consumption-ledger");
        this.records = new CommittedRecords(clientConfig);
    }

    void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::recordSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How long one range is read in a round: a longer one is reported as far as it was read, and goes on from there next round. */
    private static final Duration COUNT_TIMEOUT = Duration.ofSeconds(10);
    /** How long one round may count records in all: ranges past it are counted next round, first. */
    private static final Duration ROUND_COUNTING = Duration.ofSeconds(20);

    private void recordSafely() {
        try {
            record();
            lastProblem = null;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                // close() stops the timer: a round cut short by it is not a problem to report
                return;
            }
            String problem = String.valueOf(e.getMessage());
            if (!problem.equals(lastProblem)) {
                LOG.warn("The consumption ledger could not read committed offsets (retrying): {}", problem);
                lastProblem = problem;
            }
        }
    }

    /** One round: every group's offsets that moved since the last round. */
    void record() {
        if (!leads.getAsBoolean()) {
            leading = false;
            return;
        }
        if (!leading) {
            sent = LedgerMarks.read(clientConfig);
            leading = true;
        }
        Collection<GroupListing> groups = KafkaCalls.await(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all(), "list consumer groups");
        if (groups.isEmpty()) {
            return;
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = groups.stream()
                .collect(Collectors.toMap(GroupListing::groupId, g -> new ListConsumerGroupOffsetsSpec()));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed =
                KafkaCalls.await(admin.listConsumerGroupOffsets(specs).all(), "read committed offsets");
        var moved = new HashMap<String, Moved>();
        committed.forEach((group, offsets) -> offsets.forEach((partition, offset) -> {
            // Product, dead-letter and view topics: the data people read.
            if (offset != null && ProductTopic.of(partition.topic()).isPresent()) {
                String key = group + "|" + partition.topic() + "|" + partition.partition();
                if (!Long.valueOf(offset.offset()).equals(sent.get(key))) {
                    moved.put(key, new Moved(group, partition, offset.offset()));
                }
            }
        }));
        if (moved.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetSpec> earliest = moved.values().stream().map(Moved::partition)
                .distinct().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest()));
        var starts = KafkaCalls.await(admin.listOffsets(earliest).all(), "read where partitions start");
        Map<TopicPartition, OffsetSpec> latest = earliest.keySet().stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        var ends = KafkaCalls.await(admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(),
                "read where partitions' committed records end");
        var owners = new GroupOwners(KafkaCalls.await(admin.describeAcls(GROUP_READS).values(), "read group ACLs"));
        Instant now = Instant.now();
        Instant roundEnds = now.plus(ROUND_COUNTING);
        rounds++;
        // the ranges counted longest ago first: a round that runs out of time leaves the others for the next
        List<Map.Entry<String, Moved>> inTurn = new ArrayList<>(moved.entrySet());
        inTurn.sort(Comparator.comparingLong(entry -> countedIn.getOrDefault(entry.getKey(), 0L)));
        for (Map.Entry<String, Moved> entry : inTurn) {
            Duration left = Duration.between(Instant.now(), roundEnds);
            if (left.isNegative() || left.isZero()) {
                break;
            }
            String key = entry.getKey();
            Moved move = entry.getValue();
            long start = starts.get(move.partition()).offset();
            // a group may commit any offset, past the log's end too (a member's own OffsetCommit): what it can have read ends
            // there, and a range to an offset never written would hold this round, and every tenant's, until its count timed out
            long to = Math.min(move.committed(), ends.get(move.partition()).offset());
            if (Long.valueOf(to).equals(sent.get(key))) {
                continue;
            }
            // Where the previous range ended; records before the log start are gone.
            long from = Math.max(sent.getOrDefault(key, start), start);
            countedIn.put(key, rounds);
            CommittedRecords.Counted counted = count(move.partition(), from, to, left.compareTo(COUNT_TIMEOUT) < 0 ? left : COUNT_TIMEOUT);
            if (counted.reached() <= from && to > from) {
                // nothing read in its time (a broker that does not answer): the range waits for the next round
                continue;
            }
            // a long range is reported as far as it was read, and goes on from there next round
            to = counted.reached();
            Long count = counted.records() < 0 ? null : counted.records();
            var observed = ConsumerOffsets.newBuilder()
                    .setObservedAt(now)
                    .setConsumerGroup(move.group())
                    .setPrincipal(owners.of(move.group()))
                    .setTopic(move.partition().topic())
                    .setPartition(move.partition().partition())
                    .setCommittedOffset(to)
                    .setLogStartOffset(start)
                    .setCountedFrom(count == null ? null : from)
                    .setRecords(count)
                    .build();
            producer.send(new ProducerRecord<>(AuditTopology.CONSUMPTION_TOPIC, key, observed));
            producer.flush();
            sent.put(key, to);
        }
    }

    /**
     * @return the committed records from {@code from} up to where the read reached within {@code within}; records -1 where
     *         the audit may not read the topic (a domain added before the audit counted records), which leaves the audit the
     *         number of offsets up to {@code to}
     */
    private CommittedRecords.Counted count(TopicPartition partition, long from, long to, Duration within) {
        if (to <= from) {
            return new CommittedRecords.Counted(0, to);
        }
        try {
            return records.upTo(partition, from, to, within);
        } catch (TopicAuthorizationException e) {
            if (uncountable.add(partition.topic())) {
                LOG.warn("The audit may not read {}, so it counts offsets there, not records: give {} READ on the topic's domain prefix",
                        partition.topic(), PlatformApp.AUDIT.principal().kafkaPrincipal());
            }
            return new CommittedRecords.Counted(-1, to);
        }
    }

    /** A group's committed offset on a partition that moved since the last round. */
    private record Moved(String group, TopicPartition partition, long committed) {
    }

    private static final AclBindingFilter GROUP_READS = new AclBindingFilter(
            new ResourcePatternFilter(ResourceType.GROUP, null, PatternType.ANY), AccessControlEntryFilter.ANY);

    /** Whose a group is: the principal allowed to READ it, by the most specific ACL. */
    private record GroupOwners(Collection<AclBinding> acls) {
        String of(String group) {
            return acls.stream()
                    .filter(acl -> acl.entry().permissionType() == AclPermissionType.ALLOW)
                    .filter(acl -> acl.entry().operation() == AclOperation.READ || acl.entry().operation() == AclOperation.ALL)
                    .filter(acl -> matches(acl, group))
                    .max(Comparator.comparingInt(GroupOwners::specificity))
                    .map(acl -> acl.entry().principal())
                    .orElse(MeshNames.kafkaPrincipal("unknown"));
        }

        private static boolean matches(AclBinding acl, String group) {
            String name = acl.pattern().name();
            return switch (acl.pattern().patternType()) {
                case LITERAL -> name.equals(group) || name.equals("*");
                case PREFIXED -> group.startsWith(name);
                default -> false;
            };
        }

        private static int specificity(AclBinding acl) {
            if (acl.pattern().patternType() == PatternType.LITERAL) {
                return acl.pattern().name().equals("*") ? 0 : Integer.MAX_VALUE;
            }
            return acl.pattern().name().length();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        records.close();
        admin.close(Duration.ofSeconds(5));
    }
}
