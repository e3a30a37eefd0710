package io.streammesh.catalog;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshException;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health tracking's first start on a mesh whose catalog app tracked health itself (before it was
 * an app of its own, {@link HealthTopology}): its group takes over the positions the catalog's
 * group had reached on the product topics and their DLQs. Without them it would read every
 * product's history again, and counted as now, that history would show as a burst of records and
 * dead letters, degrading products that meet their SLOs.
 */
final class HealthOffsets {

    private static final Logger LOG = LoggerFactory.getLogger(HealthOffsets.class);

    private HealthOffsets() {
    }

    /**
     * Does nothing once health tracking has offsets of its own (its later starts, or another
     * instance running it), nor on a mesh whose catalog never read a product topic.
     *
     * @param admin a client of the {@code mesh-catalog} principal
     */
    static void takeOver(Admin admin) {
        if (!committed(admin, HealthTopology.APPLICATION_ID).isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> reached = committed(admin, PlatformApp.CATALOG.applicationId()).entrySet().stream()
                .filter(entry -> HealthTopology.PRODUCT_TOPICS.matcher(entry.getKey().topic()).matches())
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> new OffsetAndMetadata(entry.getValue().offset())));
        if (reached.isEmpty()) {
            return;
        }
        try {
            KafkaCalls.await(admin.alterConsumerGroupOffsets(HealthTopology.APPLICATION_ID, reached).all(),
                    "give " + HealthTopology.APPLICATION_ID + " the catalog's positions on the product topics");
            LOG.info("Health tracking continues from where the catalog app had read {} product partitions", reached.size());
        } catch (MeshException e) {
            // Another instance started health tracking meanwhile: its group has members and offsets of its own.
            LOG.warn("Health tracking did not take over the catalog's positions on the product topics ({}); it reads them from "
                    + "where its group is", e.getMessage());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group) {
        Map<TopicPartition, OffsetAndMetadata> offsets;
        try {
            offsets = KafkaCalls.await(admin.listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().requireStable(true))
                    .partitionsToOffsetAndMetadata(), "read " + group + "'s offsets");
        } catch (MeshException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
        // A partition the group never committed comes back with no offset.
        return offsets.entrySet().stream().filter(entry -> entry.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
