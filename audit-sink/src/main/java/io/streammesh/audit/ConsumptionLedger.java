package io.streammesh.audit;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordProducers;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.ConsumerOffsets;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshNames;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
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
    /** The ranges (group, topic, partition) whose last count timed out, each logged once until one is counted again. */
    private final Set<String> slow = new HashSet<>();
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
        this.records = new CommittedRecords(clientConfig, COUNT_TIMEOUT);
    }

    void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::recordSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A range that cannot be read within this (a transaction still open) is counted next round. */
    private static final Duration COUNT_TIMEOUT = Duration.ofSeconds(10);

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
        moved.forEach((key, move) -> {
            long start = starts.get(move.partition()).offset();
            // a group may commit any offset, past the log's end too (a member's own OffsetCommit): what it can have read ends
            // there, and a range to an offset never written would hold this round, and every tenant's, until its count timed out
            long to = Math.min(move.committed(), ends.get(move.partition()).offset());
            if (Long.valueOf(to).equals(sent.get(key))) {
                return;
            }
            // Where the previous range ended; records before the log start are gone.
            long from = Math.max(sent.getOrDefault(key, start), start);
            Long count;
            try {
                count = count(move.partition(), from, to);
            } catch (MeshException e) {
                // this range waits for the next round; the others are not held behind it
                if (slow.add(key)) {
                    LOG.warn("Could not count a consumer group's records on {} this round ({}); trying again next round", move.partition(),
                            e.getMessage());
                }
                return;
            }
            slow.remove(key);
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
        });
    }

    /**
     * @return the committed records in {@code [from, to)}; null where the audit may not read the
     *         topic (a domain added before the audit counted records), which leaves the audit
     *         the number of offsets
     */
    private Long count(TopicPartition partition, long from, long to) {
        if (to <= from) {
            return 0L;
        }
        try {
            return records.between(partition, from, to);
        } catch (TopicAuthorizationException e) {
            if (uncountable.add(partition.topic())) {
                LOG.warn("The audit may not read {}, so it counts offsets there, not records: give {} READ on the topic's domain prefix",
                        partition.topic(), PlatformApp.AUDIT.principal().kafkaPrincipal());
            }
            return null;
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
