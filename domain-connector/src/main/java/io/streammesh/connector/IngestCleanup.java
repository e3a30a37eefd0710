package io.streammesh.connector;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the ingest records the gate has processed, as Kafka Streams does for its repartition
 * topics: up to the gate's committed offsets (under exactly once, a committed offset means its
 * records are in the product or the dead-letter topic), on a thread of its own, so that raw input
 * does not linger for the ingest topic's whole retention and the stream threads never wait for it.
 */
final class IngestCleanup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestCleanup.class);

    private final Admin admin;
    private final String groupId;
    private final ScheduledExecutorService schedule;
    private final Map<TopicPartition, Long> deleted = new HashMap<>();

    /**
     * @param admin an Admin client as the gate's principal (DELETE on the domains' topics)
     * @param groupId the gate's consumer group, its application id
     * @param every how often to delete
     */
    IngestCleanup(Admin admin, String groupId, Duration every) {
        this.admin = admin;
        this.groupId = groupId;
        this.schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
            var thread = new Thread(runnable, "mesh-gate-ingest-cleanup");
            thread.setDaemon(true);
            return thread;
        });
        schedule.scheduleWithFixedDelay(this::runLogged, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Deletes every ingest record below the gate's committed offsets that is not deleted yet.
     *
     * @return how many partitions it deleted records of
     * @throws MeshException if the broker refuses or does not answer
     */
    int run() {
        Map<TopicPartition, OffsetAndMetadata> committed = KafkaCalls.await(
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), "read the gate's committed offsets");
        Map<TopicPartition, RecordsToDelete> due = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null && ProductAddress.ofIngestTopic(partition.topic()).isPresent()
                    && offset.offset() > deleted.getOrDefault(partition, 0L)) {
                due.put(partition, RecordsToDelete.beforeOffset(offset.offset()));
            }
        });
        if (due.isEmpty()) {
            return 0;
        }
        KafkaCalls.await(admin.deleteRecords(due).all(), "delete the processed records of " + due.keySet());
        due.forEach((partition, records) -> deleted.put(partition, records.beforeOffset()));
        return due.size();
    }

    /** A failed round is logged and the next one tries again: the records only wait longer. */
    private void runLogged() {
        try {
            run();
        } catch (MeshException e) {
            LOG.warn("Could not delete processed ingest records ({}); trying again in the next round", e.getMessage());
        }
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        admin.close();
    }
}
