package io.streammesh.catalog;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.HealthStatus;
import io.streammesh.schema.ProductActivity;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Live health of each product against its SLO: records and dead letters in tumbling windows,
 * and the time since the last record, evaluated on the wall clock (a product that stops
 * receiving records turns VIOLATED without any record arriving) and published to
 * {@code mesh.product.stats} when the status or the contract gate's lag changes, and at least
 * every refresh interval. A gate lag over {@link CatalogConfig.Health#maxGateLag()} degrades the
 * product; the dead-letter rate is that of the gate's (and any producer's) verdicts.
 */
final class HealthProcessor implements Processor<String, ProductActivity, String, ProductStats> {

    private final CatalogConfig config;
    private final GateLags gateLags;
    private final ProductHealthMeters meters;
    private final String healthStore;
    private final String globalCatalogStore;
    private ProcessorContext<String, ProductStats> context;
    private KeyValueStore<String, ProductStats> health;
    private TimestampedKeyValueStore<String, DataProduct> catalog;

    /**
     * @param config how health is tracked
     * @param gateLags the contract gate's lag per product, as last measured
     * @param meters where each evaluation is shown to Prometheus
     * @param healthStore the store of each product's stats, by address
     * @param globalCatalogStore the global table over {@code mesh.catalog}
     */
    HealthProcessor(CatalogConfig config, GateLags gateLags, ProductHealthMeters meters, String healthStore, String globalCatalogStore) {
        this.config = config;
        this.gateLags = gateLags;
        this.meters = meters;
        this.healthStore = healthStore;
        this.globalCatalogStore = globalCatalogStore;
    }

    @Override
    public void init(ProcessorContext<String, ProductStats> context) {
        this.context = context;
        this.health = context.getStateStore(healthStore);
        this.catalog = context.getStateStore(globalCatalogStore);
        context.schedule(config.health().checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::evaluate);
    }

    @Override
    public void process(Record<String, ProductActivity> record) {
        long now = context.currentSystemTimeMs();
        ProductActivity activity = record.value();
        ProductStats stats = rolled(health.get(record.key()), record.key(), now);
        stats.setRecords(stats.getRecords() + activity.getRecords());
        stats.setDeadLettered(stats.getDeadLettered() + activity.getDeadLettered());
        if (activity.getLastRecordAt() != null && (stats.getLastRecordAt() == null || activity.getLastRecordAt().isAfter(stats.getLastRecordAt()))) {
            stats.setLastRecordAt(activity.getLastRecordAt());
        }
        health.put(record.key(), stats);
    }

    private void evaluate(long now) {
        List<KeyValue<String, ProductStats>> all = new ArrayList<>();
        try (var entries = health.all()) {
            entries.forEachRemaining(all::add);
        }
        for (KeyValue<String, ProductStats> entry : all) {
            ProductStats stats = rolled(entry.value, entry.key, now);
            HealthStatus before = stats.getStatus();
            Long lagBefore = stats.getGateLag();
            rate(stats, now);
            OptionalLong lag = gateLags.of(entry.key);
            stats.setGateLag(lag.isPresent() ? lag.getAsLong() : null);
            judge(stats, slo(entry.key), now);
            boolean stale = now - stats.getUpdatedAt().toEpochMilli() >= config.health().refreshInterval().toMillis();
            // a changed lag is published at once: it is what tells a stopped gate from a quiet producer
            if (stats.getStatus() != before || !Objects.equals(stats.getGateLag(), lagBefore) || stale) {
                stats.setUpdatedAt(Instant.ofEpochMilli(now));
                context.forward(new Record<>(entry.key, ProductStats.newBuilder(stats).build(), now));
            }
            health.put(entry.key, stats);
            meters.record(entry.key, stats, now);
        }
    }

    /** The window holding {@code now}: counts restart when a window ends; the last record time carries on. */
    private ProductStats rolled(ProductStats stats, String address, long now) {
        long window = config.health().window().toMillis();
        long start = now - Math.floorMod(now, window);
        if (stats == null) {
            return ProductStats.newBuilder().setAddress(address).setWindowStart(Instant.ofEpochMilli(start))
                    .setWindowEnd(Instant.ofEpochMilli(start + window)).setRecords(0).setDeadLettered(0)
                    .setThroughputPerSecond(0).setDeadLetterRate(0).setStatus(HealthStatus.UNKNOWN)
                    .setUpdatedAt(Instant.ofEpochMilli(0)).build();
        }
        if (stats.getWindowStart().toEpochMilli() != start) {
            long previous = stats.getWindowStart().toEpochMilli() == start - window ? stats.getRecords() : 0;
            return ProductStats.newBuilder(stats).setWindowStart(Instant.ofEpochMilli(start)).setWindowEnd(Instant.ofEpochMilli(start + window))
                    .setRecords(0).setDeadLettered(0).setPreviousWindowRecords(previous).build();
        }
        return stats;
    }

    /**
     * Records per second over the last window's length: this window's records and, weighed by how
     * much of it still falls within that length, the window before's. Without a window before,
     * this window's records over its time so far.
     */
    private void rate(ProductStats stats, long now) {
        double window = config.health().window().toMillis() / 1000.0;
        double elapsed = Math.min(window, Math.max(1, (now - stats.getWindowStart().toEpochMilli()) / 1000.0));
        long previous = stats.getPreviousWindowRecords();
        stats.setThroughputPerSecond(previous == 0 ? stats.getRecords() / elapsed
                : (stats.getRecords() + previous * (1 - elapsed / window)) / window);
    }

    private void judge(ProductStats stats, ProductRegistration slo, long now) {
        long total = stats.getRecords() + stats.getDeadLettered();
        stats.setDeadLetterRate(total == 0 ? 0 : (double) stats.getDeadLettered() / total);
        if (slo == null) {
            stats.setStatus(HealthStatus.UNKNOWN);
            stats.setStatusReason("not in the catalog");
            return;
        }
        Long freshness = slo.getFreshnessMs();
        if (freshness != null && (stats.getLastRecordAt() == null || now - stats.getLastRecordAt().toEpochMilli() > freshness)) {
            stats.setStatus(HealthStatus.VIOLATED);
            stats.setStatusReason(stats.getLastRecordAt() == null ? "no record yet (freshness SLO " + Duration.ofMillis(freshness) + ")"
                    : "no record for " + Duration.ofMillis(now - stats.getLastRecordAt().toEpochMilli()).toSeconds()
                    + " s (freshness SLO " + Duration.ofMillis(freshness).toSeconds() + " s)");
            return;
        }
        long maxGateLag = config.health().maxGateLag();
        if (stats.getGateLag() != null && stats.getGateLag() > maxGateLag) {
            stats.setStatus(HealthStatus.DEGRADED);
            stats.setStatusReason("gate lag " + stats.getGateLag() + " records in " + ProductAddress.parse(stats.getAddress()).ingestTopic()
                    + " (bound " + maxGateLag + "): the contract gate is behind or stopped");
            return;
        }
        Double maxRate = slo.getMaxViolationRate();
        if (maxRate != null && total > 0 && stats.getDeadLetterRate() > maxRate) {
            stats.setStatus(stats.getDeadLetterRate() > 2 * maxRate ? HealthStatus.VIOLATED : HealthStatus.DEGRADED);
            stats.setStatusReason(String.format("dead-letter rate %.1f%% in this window (SLO %.1f%%)", 100 * stats.getDeadLetterRate(), 100 * maxRate));
            return;
        }
        stats.setStatus(HealthStatus.OK);
        stats.setStatusReason(null);
    }

    private ProductRegistration slo(String address) {
        ValueAndTimestamp<DataProduct> product = catalog.get(address);
        return product == null ? null : product.value().getRegistration();
    }
}
