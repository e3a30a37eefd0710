package io.streammesh.enforcer;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductStatus;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions a catalogued product's registration asks for, added to its three topics (the
 * product, its dead-letter topic and its ingest topic) together. A domain creates its topics but
 * may not alter them (ALTER), so a republished contract with more partitions is applied here, by
 * the platform, once the catalog has admitted it. Kafka cannot remove partitions; publishing
 * and the catalog refuse a registration with fewer, and the catalog one over
 * {@link MeshTopics#MAX_PARTITIONS}, which this never applies either.
 */
final class ProductPartitions {

    private static final Logger LOG = LoggerFactory.getLogger(ProductPartitions.class);

    private final Admin admin;
    private final Duration lookAgainAfter;
    /** Address → the partitions its three topics were seen to have at least, and when (nanoTime). */
    private final Map<String, Seen> wide = new ConcurrentHashMap<>();

    private record Seen(int partitions, long at) {
    }

    /**
     * @param admin an Admin client as the enforcer (ALTER on the domains' topics)
     * @param lookAgainAfter how long topics seen with their registration's partitions are taken to
     *        keep them: Kafka cannot remove partitions, so only a topic deleted and created again
     *        (by its domain) could lose them
     */
    ProductPartitions(Admin admin, Duration lookAgainAfter) {
        this.admin = admin;
        this.lookAgainAfter = lookAgainAfter;
    }

    /**
     * Adds the missing partitions to the topics of every ACTIVE product not seen with them in the
     * last {@code lookAgainAfter}; a topic that does not exist yet is left to its domain, one that
     * fails is logged and tried again next time. Safe to call from two threads.
     *
     * @param products the catalog's entries
     */
    void widen(Collection<DataProduct> products) {
        long now = System.nanoTime();
        Map<String, Integer> wanted = new HashMap<>();
        Map<String, String> productOf = new HashMap<>();
        for (DataProduct product : products) {
            int partitions = product.getRegistration().getPartitions();
            if (product.getStatus() != ProductStatus.ACTIVE || seenWide(product.getAddress(), partitions, now)) {
                continue;
            }
            if (partitions > MeshTopics.MAX_PARTITIONS) {
                // admitted before the catalog bounded partitions: widening it would widen every domain's gate and view tasks
                LOG.error("policy-enforcer does not add partitions to product {}: its registration asks for {}, over the mesh's bound of {}",
                        product.getAddress(), partitions, MeshTopics.MAX_PARTITIONS);
            } else {
                ProductAddress address = ProductAddress.parse(product.getAddress());
                List.of(address.topic(), address.deadLetterTopic(), address.ingestTopic()).forEach(topic -> {
                    wanted.put(topic, partitions);
                    productOf.put(topic, product.getAddress());
                });
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        Set<String> notWide = new HashSet<>();
        Map<String, NewPartitions> missing = new HashMap<>();
        admin.describeTopics(wanted.keySet()).topicNameValues().forEach((topic, description) -> {
            int current = partitionsOf(topic, description);
            if (current == 0) {
                notWide.add(productOf.get(topic));
            } else if (current < wanted.get(topic)) {
                missing.put(topic, NewPartitions.increaseTo(wanted.get(topic)));
            }
        });
        if (!missing.isEmpty()) {
            admin.createPartitions(missing).values().forEach((topic, done) -> {
                try {
                    KafkaCalls.await(done, "add partitions to topic " + topic);
                    LOG.info("Topic {} has {} partitions now, as its product's registration asks", topic, missing.get(topic).totalCount());
                } catch (MeshException e) {
                    notWide.add(productOf.get(topic));
                    LOG.error("policy-enforcer could not add the partitions the registration of topic {}'s product asks for; retrying: {}",
                            topic, e.getMessage());
                }
            });
        }
        productOf.forEach((topic, address) -> {
            if (!notWide.contains(address)) {
                wide.put(address, new Seen(wanted.get(topic), now));
            }
        });
    }

    private boolean seenWide(String address, int partitions, long now) {
        Seen seen = wide.get(address);
        return seen != null && seen.partitions() >= partitions && now - seen.at() < lookAgainAfter.toNanos();
    }

    /** @return the topic's partitions, or 0 if it does not exist (yet) or cannot be described now */
    private static int partitionsOf(String topic, KafkaFuture<TopicDescription> description) {
        try {
            return KafkaCalls.await(description, "describe topic " + topic).partitions().size();
        } catch (MeshException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                LOG.error("policy-enforcer could not describe topic {} to check its partitions; retrying: {}", topic, e.getMessage());
            }
            return 0;
        }
    }
}
