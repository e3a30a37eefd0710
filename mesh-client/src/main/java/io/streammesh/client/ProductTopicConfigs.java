package io.streammesh.client;

import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The configs the mesh gives a catalogued product's topics (the product, its dead-letter topic and
 * its ingest topic): the registration's retention and {@code cleanup.policy=delete}, and nothing
 * else set on the topic. The policy-enforcer creates a product's topics with them,
 * but a domain of an older mesh created its own, with any config, and an operator may change one; one the
 * contract gate's writes cannot meet ({@code max.message.bytes}, compaction of keyless records,
 * {@code message.timestamp.*} limits, {@code min.insync.replicas}) would stall the gate's task, and
 * with it every domain's ingest partition of that number. So every other topic override goes
 * back to the broker's default before the domain may write the ingest topic.
 */
public final class ProductTopicConfigs {

    private ProductTopicConfigs() {
    }

    /**
     * @param registration a product's registration as the catalog admitted it
     * @return each of its topics' configs as the mesh owns them: the product, its dead-letter topic, its ingest topic
     */
    public static Map<String, Map<String, String>> of(ProductRegistration registration) {
        ProductAddress address = ProductAddress.parse(registration.getAddress());
        Long ingestRetention = registration.getIngestRetentionMs();
        Map<String, Map<String, String>> topics = new LinkedHashMap<>();
        topics.put(address.topic(), owned(registration.getRetentionMs()));
        topics.put(address.deadLetterTopic(), owned(registration.getRetentionMs()));
        topics.put(address.ingestTopic(), owned(ingestRetention != null ? ingestRetention : ProductAddress.DEFAULT_INGEST_RETENTION.toMillis()));
        return topics;
    }

    /**
     * @param owned the configs the mesh owns on a topic
     * @param current the topic's config as the broker describes it
     * @return what brings it to the mesh's: owned configs set on the topic where they are not, every other
     *         override set on the topic deleted; empty if it is the mesh's already
     */
    public static List<AlterConfigOp> changes(Map<String, String> owned, Config current) {
        List<AlterConfigOp> changes = new ArrayList<>();
        owned.forEach((name, value) -> {
            ConfigEntry entry = current.get(name);
            // Set on the topic itself even where the broker's default agrees: a default may change.
            if (entry == null || entry.source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG || !value.equals(entry.value())) {
                changes.add(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET));
            }
        });
        for (ConfigEntry entry : current.entries()) {
            if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && !owned.containsKey(entry.name())) {
                changes.add(new AlterConfigOp(new ConfigEntry(entry.name(), ""), AlterConfigOp.OpType.DELETE));
            }
        }
        return changes;
    }

    private static Map<String, String> owned(long retentionMs) {
        return Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs),
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    }
}
