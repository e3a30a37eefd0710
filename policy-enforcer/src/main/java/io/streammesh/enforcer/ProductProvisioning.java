package io.streammesh.enforcer;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.ProductTopicConfigs;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A catalogued product's three topics (the product, its dead-letter topic and its ingest topic),
 * created by the platform once the catalog has admitted the product, with the registration's
 * partitions and the mesh's configs ({@link ProductTopicConfigs}); a republished contract's added
 * partitions are added to the three together. A domain may neither create these topics (the
 * broker's rule: the shared apps read them by pattern) nor alter them (ALTER), so the catalog's
 * bounds on a domain's products and partitions are the bounds on its topics. Kafka cannot remove
 * partitions; publishing and the catalog refuse a registration with fewer, and the catalog one
 * over {@link MeshTopics#MAX_PARTITIONS}, which this never applies either.
 */
final class ProductProvisioning {

    private static final Logger LOG = LoggerFactory.getLogger(ProductProvisioning.class);
    /** What {@link #partitionsOf} answers for a topic that does not exist. */
    private static final int MISSING = -1;

    private final Admin admin;
    private final Duration lookAgainAfter;
    /** Address → the partitions its three topics were seen to have at least, and when (nanoTime). */
    private final Map<String, Seen> wide = new ConcurrentHashMap<>();

    private record Seen(int partitions, long at) {
    }

    /**
     * @param admin an Admin client as the enforcer (CREATE and ALTER on the domains' topics)
     * @param lookAgainAfter how long topics seen with their registration's partitions are taken to
     *        keep them: Kafka cannot remove partitions, so only a topic deleted and created again
     *        could lose them
     */
    ProductProvisioning(Admin admin, Duration lookAgainAfter) {
        this.admin = admin;
        this.lookAgainAfter = lookAgainAfter;
    }

    /**
     * Creates the missing topics of every ACTIVE product and adds the missing partitions to the
     * others, for those not seen whole in the last {@code lookAgainAfter}; a topic that fails is
     * logged and tried again next time. Safe to call from two threads.
     *
     * @param products the catalog's entries
     * @return the addresses of the products whose three topics it created now, with the mesh's
     *         configs: a broker may not know a topic the controller just created, so describing
     *         their configs at once could fail
     */
    Set<String> provision(Collection<DataProduct> products) {
        long now = System.nanoTime();
        Map<String, DataProduct> productOf = new HashMap<>();
        for (DataProduct product : products) {
            int partitions = product.getRegistration().getPartitions();
            if (product.getStatus() != ProductStatus.ACTIVE || seenWide(product.getAddress(), partitions, now)) {
                continue;
            }
            if (partitions < 1 || partitions > MeshTopics.MAX_PARTITIONS) {
                // admitted before the catalog bounded partitions: widening it would widen every domain's gate and view tasks
                LOG.error("policy-enforcer does not provision the topics of product {}: its registration asks for {} partitions, out of the mesh's "
                        + "bounds of 1 to {}", product.getAddress(), partitions, MeshTopics.MAX_PARTITIONS);
            } else {
                ProductTopicConfigs.of(product.getRegistration()).keySet().forEach(topic -> productOf.put(topic, product));
            }
        }
        if (productOf.isEmpty()) {
            return Set.of();
        }
        Set<String> notWhole = new HashSet<>();
        Map<String, NewPartitions> narrow = new HashMap<>();
        List<NewTopic> missing = new ArrayList<>();
        admin.describeTopics(productOf.keySet()).topicNameValues().forEach((topic, description) -> {
            int current = partitionsOf(topic, description);
            int wanted = productOf.get(topic).getRegistration().getPartitions();
            if (current == MISSING) {
                missing.add(new NewTopic(topic, Optional.of(wanted), Optional.empty())
                        .configs(ProductTopicConfigs.of(productOf.get(topic).getRegistration()).get(topic)));
            } else if (current == 0) {
                notWhole.add(productOf.get(topic).getAddress());
            } else if (current < wanted) {
                narrow.put(topic, NewPartitions.increaseTo(wanted));
            }
        });
        Map<String, Integer> created = new HashMap<>();
        if (!missing.isEmpty()) {
            admin.createTopics(missing).values().forEach((topic, done) -> {
                try {
                    KafkaCalls.await(done, "create topic " + topic);
                    created.merge(productOf.get(topic).getAddress(), 1, Integer::sum);
                    LOG.info("Created topic {} ({} partitions) for its catalogued product", topic, productOf.get(topic).getRegistration().getPartitions());
                } catch (MeshException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        notWhole.add(productOf.get(topic).getAddress());
                        LOG.error("policy-enforcer could not create topic {} of its catalogued product; retrying: {}", topic, e.getMessage());
                    }
                }
            });
        }
        if (!narrow.isEmpty()) {
            admin.createPartitions(narrow).values().forEach((topic, done) -> {
                try {
                    KafkaCalls.await(done, "add partitions to topic " + topic);
                    LOG.info("Topic {} has {} partitions now, as its product's registration asks", topic, narrow.get(topic).totalCount());
                } catch (MeshException e) {
                    notWhole.add(productOf.get(topic).getAddress());
                    LOG.error("policy-enforcer could not add the partitions the registration of topic {}'s product asks for; retrying: {}",
                            topic, e.getMessage());
                }
            });
        }
        productOf.forEach((topic, product) -> {
            if (!notWhole.contains(product.getAddress())) {
                wide.put(product.getAddress(), new Seen(product.getRegistration().getPartitions(), now));
            }
        });
        int topicsOfAProduct = 3;
        Set<String> whole = new HashSet<>();
        created.forEach((address, count) -> {
            if (count == topicsOfAProduct) {
                whole.add(address);
            }
        });
        return whole;
    }

    private boolean seenWide(String address, int partitions, long now) {
        Seen seen = wide.get(address);
        return seen != null && seen.partitions() >= partitions && now - seen.at() < lookAgainAfter.toNanos();
    }

    /** @return the topic's partitions, {@link #MISSING} if it does not exist, or 0 if it cannot be described now */
    private static int partitionsOf(String topic, KafkaFuture<TopicDescription> description) {
        try {
            return KafkaCalls.await(description, "describe topic " + topic).partitions().size();
        } catch (MeshException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return MISSING;
            }
            LOG.error("policy-enforcer could not describe topic {} to check its partitions; retrying: {}", topic, e.getMessage());
            return 0;
        }
    }
}
