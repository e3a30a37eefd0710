package io.streammesh.embedded;

import io.streammesh.schema.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;

/** Partitions and cleanup of the platform's own topics (see ARCHITECTURE.md). */
final class PlatformTopics {

    private static final Map<String, String> COMPACT = Map.of("cleanup.policy", "compact");
    private static final Map<String, String> KEEP_FOREVER = Map.of("cleanup.policy", "delete", "retention.ms", "-1");
    private static final Map<String, String> WEEK = Map.of("cleanup.policy", "delete", "retention.ms", "604800000");
    /** On topics a tenant writes, the broker stamps each record's time: a client cannot backdate what the audit shows. */
    static final String BROKER_TIME_KEY = "message.timestamp.type";
    private static final String BROKER_TIME = "LogAppendTime";

    private PlatformTopics() {
    }

    /** @return the topics the mesh has whatever its domains */
    static List<NewTopic> platform() {
        return List.of(
                topic(MeshTopics.CATALOG, 3, COMPACT),
                topic(MeshTopics.CATALOG_REJECTIONS, 1, WEEK),
                // a catalog instance down for days still reads the tombstones of the grants it forgot (the broker's default keeps them a day)
                topic(MeshTopics.ACCESS_GRANTS, 3, Map.of("cleanup.policy", "compact", "delete.retention.ms", String.valueOf(Duration.ofDays(30).toMillis()))),
                topic(MeshTopics.PRODUCT_STATS, 3, COMPACT),
                topic(MeshTopics.VIEW_STATUS, 1, COMPACT),
                topic(MeshTopics.AUDIT_RAW, 3, WEEK),
                topic(MeshTopics.AUDIT, 3, KEEP_FOREVER),
                topic(MeshTopics.CONSUMPTION, 3, COMPACT),
                topic(MeshTopics.AUDIT_CHAIN, 1, COMPACT));
    }

    /**
     * A key topic's configs: compacted, and cleaned within hours whatever its traffic, so that an
     * erased subject's wrapped key leaves the disks soon after its tombstone (segments roll every
     * hour, a dirty segment waits at most an hour for the cleaner, the tombstone itself is kept an
     * hour for every key holder to see it).
     */
    static final Map<String, String> KEY_LOG = Map.of("cleanup.policy", "compact", "segment.ms", "3600000",
            "max.compaction.lag.ms", "3600000", "delete.retention.ms", "3600000", "min.cleanable.dirty.ratio", "0.01");

    /**
     * @param domain a domain name
     * @return the topics only that domain writes: registrations (compacted, one per address)
     *         and access decisions (kept, they are the record of who approved what); and its key
     *         topic, which only platform principals touch
     */
    static List<NewTopic> domain(String domain) {
        return List.of(
                topic(MeshTopics.registrations(domain), 1, brokerTime(COMPACT)),
                topic(MeshTopics.decisions(domain), 1, brokerTime(KEEP_FOREVER)),
                keys(domain),
                erasures(domain));
    }

    /**
     * @param domain a domain name
     * @return its key topic, {@code mesh.keys.<domain>}: subject id → wrapped data key, one partition
     */
    static NewTopic keys(String domain) {
        return topic(MeshTopics.keys(domain), 1, KEY_LOG);
    }

    /**
     * @param domain a domain name
     * @return its erasure topic, {@code mesh.erasures.<domain>}: kept a week (it names subjects;
     *         the audit trail keeps who erased whom and why), the broker's time on each record
     */
    static NewTopic erasures(String domain) {
        return topic(MeshTopics.erasures(domain), 1, brokerTime(WEEK));
    }

    /**
     * @param principal a principal's bare name
     * @return its request topic, kept: requests are the record of who asked for what
     */
    static NewTopic requests(String principal) {
        return topic(MeshTopics.accessRequests(principal), 1, brokerTime(KEEP_FOREVER));
    }

    /**
     * @param principal a principal's bare name
     * @return its decision topic, kept like a domain's: decisions are the record of who approved what
     */
    static NewTopic decisions(String principal) {
        return topic(MeshTopics.decisions(principal), 1, brokerTime(KEEP_FOREVER));
    }

    /**
     * @param wanted the configs the mesh gives a platform topic
     * @param current the topic's configs as the broker describes them
     * @return what sets each wanted config the topic has no value of its own for, and the broker's
     *         time wherever it is wanted and not set; empty if nothing is missing
     */
    static List<AlterConfigOp> missingConfigs(Map<String, String> wanted, Config current) {
        List<AlterConfigOp> ops = new ArrayList<>();
        wanted.forEach((name, value) -> {
            ConfigEntry entry = current.get(name);
            boolean own = entry != null && entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
            if (!own || name.equals(BROKER_TIME_KEY) && !value.equals(entry.value())) {
                ops.add(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET));
            }
        });
        return ops;
    }

    private static Map<String, String> brokerTime(Map<String, String> configs) {
        var withTime = new HashMap<>(configs);
        withTime.put(BROKER_TIME_KEY, BROKER_TIME);
        return Map.copyOf(withTime);
    }

    /** The broker's default replication, as for every topic of the mesh (see {@link Replication}). */
    private static NewTopic topic(String name, int partitions, Map<String, String> configs) {
        return new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs);
    }
}
