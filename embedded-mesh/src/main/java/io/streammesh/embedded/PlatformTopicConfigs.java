package io.streammesh.embedded;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives platform topics that exist the configs this version wants where a topic has no value of
 * its own ({@link PlatformTopics#missingConfigs}): a mesh from an older version gets what a
 * version added, and what an operator set stays. A config the broker refuses (an operator's
 * other settings may contradict it, or a cluster's policy forbid it) is reported and left, so
 * that {@code mesh up} still starts, except the broker's time on tenants' topics, without which
 * a client could backdate what the audit and the access workflow see.
 */
final class PlatformTopicConfigs {

    private static final Logger LOG = LoggerFactory.getLogger(PlatformTopicConfigs.class);
    /** How long a topic that exists but is not known to the broker answering yet is asked for again. */
    private static final Duration UNKNOWN_PATIENCE = Duration.ofSeconds(10);
    private static final long RETRY_MILLIS = 250;

    private PlatformTopicConfigs() {
    }

    /**
     * @param admin the platform admin's client
     * @param wanted per existing topic, the configs the mesh gives it
     * @return the topics it gave configs, with what it set
     * @throws MeshException if a topic's configs cannot be read, or the broker's time cannot be set
     */
    static List<String> apply(Admin admin, Map<ConfigResource, Map<String, String>> wanted) {
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        describe(admin, wanted.keySet()).forEach((resource, current) -> {
            List<AlterConfigOp> ops = PlatformTopics.missingConfigs(wanted.get(resource), current);
            if (!ops.isEmpty()) {
                changes.put(resource, ops);
            }
        });
        List<String> set = new ArrayList<>();
        if (changes.isEmpty()) {
            return set;
        }
        admin.incrementalAlterConfigs(changes).values().forEach((resource, done) -> {
            Collection<AlterConfigOp> ops = changes.get(resource);
            try {
                KafkaCalls.await(done, "give topic " + resource.name() + " the configs " + names(ops));
                set.add(resource.name() + " " + names(ops));
            } catch (MeshException e) {
                Map<Boolean, List<AlterConfigOp>> brokerTime = ops.stream()
                        .collect(Collectors.partitioningBy(op -> op.configEntry().name().equals(PlatformTopics.BROKER_TIME_KEY)));
                if (!brokerTime.get(true).isEmpty()) {
                    // the broker refuses a topic's changes together: its time is set alone, or mesh up fails
                    KafkaCalls.await(admin.incrementalAlterConfigs(Map.of(resource, brokerTime.get(true))).all(),
                            "have the broker stamp record times on topic " + resource.name());
                    set.add(resource.name() + " " + names(brokerTime.get(true)));
                }
                LOG.warn("Topic {} keeps its own configs: the broker refused {} ({}); set them yourself, or the next mesh up tries again",
                        resource.name(), names(brokerTime.get(false)), e.getMessage());
            }
        });
        set.forEach(change -> LOG.info("Topic {}", change));
        return set;
    }

    /** The topics' configs; one the broker answering does not know yet is asked for again, for a while, then left for the next run. */
    private static Map<ConfigResource, Config> describe(Admin admin, Set<ConfigResource> resources) {
        Map<ConfigResource, Config> configs = new HashMap<>();
        Set<ConfigResource> asked = resources;
        long deadline = System.nanoTime() + UNKNOWN_PATIENCE.toNanos();
        while (true) {
            Set<ConfigResource> unknown = new HashSet<>();
            for (Map.Entry<ConfigResource, KafkaFuture<Config>> described : admin.describeConfigs(asked).values().entrySet()) {
                try {
                    configs.put(described.getKey(), KafkaCalls.await(described.getValue(), "read the configs of topic " + described.getKey().name()));
                } catch (MeshException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    unknown.add(described.getKey());
                }
            }
            if (unknown.isEmpty()) {
                return configs;
            }
            if (System.nanoTime() > deadline) {
                LOG.warn("The broker does not know topics {} yet (created a moment ago?); their configs are checked at the next mesh up",
                        unknown.stream().map(ConfigResource::name).sorted().toList());
                return configs;
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted while reading the configs of the platform's topics", e);
            }
            asked = unknown;
        }
    }

    private static List<String> names(Collection<AlterConfigOp> ops) {
        return ops.stream().map(op -> op.configEntry().name() + "=" + op.configEntry().value()).toList();
    }
}
