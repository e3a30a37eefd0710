package io.streammesh.catalog;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the contract gate's lag per product on a thread of its own, every interval: for each
 * ingest topic ({@code <address>.ingest}), its end offsets minus the gate's committed offsets
 * (or, where the gate has committed none, minus the first offset still there). The catalog's
 * principal needs DESCRIBE on the ingest topics (it reads its domains' topics) and on the gate's
 * consumer group. A measurement that fails is logged and leaves every lag unknown, so health
 * never shows a stale number as current.
 */
final class GateLagPoller implements GateLags, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GateLagPoller.class);

    private final Admin admin;
    private final String gateGroup;
    private final ScheduledExecutorService timer;
    private volatile Map<String, Long> lags = Map.of();
    /** The last failure logged: a lasting one (a missing ACL) is logged once, not every interval. */
    private String lastFailure;

    /**
     * @param admin the catalog principal's admin client, closed with this
     * @param every how often to measure
     */
    GateLagPoller(Admin admin, Duration every) {
        this.admin = admin;
        this.gateGroup = PlatformApp.GATE.applicationId();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            var thread = new Thread(runnable, "catalog-gate-lag");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::measure, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public OptionalLong of(String address) {
        Long lag = lags.get(address);
        return lag == null ? OptionalLong.empty() : OptionalLong.of(lag);
    }

    private void measure() {
        try {
            lags = measured();
            lastFailure = null;
        } catch (RuntimeException e) {
            lags = Map.of();
            if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                LOG.warn("gate lag unknown: {}", e.getMessage());
            }
            lastFailure = String.valueOf(e.getMessage());
        }
    }

    private Map<String, Long> measured() {
        List<String> ingest = KafkaCalls.await(admin.listTopics().names(), "list topics").stream()
                .filter(topic -> ProductAddress.INGEST_TOPICS.matcher(topic).matches()).toList();
        if (ingest.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        KafkaCalls.await(admin.describeTopics(ingest).allTopicNames(), "describe ingest topics").forEach((topic, description) ->
                description.partitions().forEach(partition -> {
                    var tp = new TopicPartition(topic, partition.partition());
                    latest.put(tp, OffsetSpec.latest());
                    earliest.put(tp, OffsetSpec.earliest());
                }));
        Map<TopicPartition, ListOffsetsResultInfo> ends = KafkaCalls.await(admin.listOffsets(latest).all(), "read ingest end offsets");
        Map<TopicPartition, ListOffsetsResultInfo> starts = KafkaCalls.await(admin.listOffsets(earliest).all(), "read ingest start offsets");
        Map<TopicPartition, OffsetAndMetadata> committed = KafkaCalls.await(
                admin.listConsumerGroupOffsets(gateGroup).partitionsToOffsetAndMetadata(), "read the gate's committed offsets");
        Map<String, Long> measured = new HashMap<>();
        ends.forEach((partition, end) -> {
            long start = starts.get(partition).offset();
            OffsetAndMetadata done = committed.get(partition);
            long from = done == null ? start : Math.max(start, done.offset());
            String address = ProductAddress.ofIngestTopic(partition.topic()).orElseThrow().toString();
            measured.merge(address, Math.max(0, end.offset() - from), Long::sum);
        });
        return Map.copyOf(measured);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close();
    }
}
