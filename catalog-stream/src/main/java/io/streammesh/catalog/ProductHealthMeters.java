package io.streammesh.catalog;

import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.metrics.ProductGauge;
import io.streammesh.schema.HealthStatus;
import io.streammesh.schema.ProductStats;

/**
 * Each product's health as Prometheus gauges, one series per product, as of the last health
 * check ({@link CatalogConfig.Health#checkInterval()}): what {@code mesh catalog show} says, for a
 * dashboard. With several catalog instances each serves the products of its own tasks.
 */
final class ProductHealthMeters {

    private final ProductGauge freshness;
    private final ProductGauge throughput;
    private final ProductGauge deadLetters;
    private final ProductGauge gateLag;
    private final ProductGauge status;

    /** @param meters where the gauges go */
    ProductHealthMeters(MeterRegistry meters) {
        this.freshness = new ProductGauge(meters, "mesh.product.freshness",
                "seconds since the product's last record (NaN before the first)", "seconds");
        this.throughput = new ProductGauge(meters, "mesh.product.throughput",
                "records per second into the product over the last health window", "records.per.second");
        this.deadLetters = new ProductGauge(meters, "mesh.product.dead.letters",
                "share of the window's records that went to the product's DLQ (0 to 1)", "ratio");
        this.gateLag = new ProductGauge(meters, "mesh.product.gate.lag",
                "records in the product's ingest topic the contract gate has not processed (NaN while unknown)", "records");
        this.status = new ProductGauge(meters, "mesh.product.health",
                "the product's health: 0 OK, 1 DEGRADED, 2 VIOLATED, NaN UNKNOWN", null);
    }

    /**
     * @param address the product's address
     * @param stats its stats, just evaluated
     * @param now the time of the evaluation, in epoch milliseconds
     */
    void record(String address, ProductStats stats, long now) {
        freshness.set(address, stats.getLastRecordAt() == null ? Double.NaN : (now - stats.getLastRecordAt().toEpochMilli()) / 1000.0);
        throughput.set(address, stats.getThroughputPerSecond());
        deadLetters.set(address, stats.getDeadLetterRate());
        gateLag.set(address, stats.getGateLag() == null ? Double.NaN : stats.getGateLag());
        status.set(address, level(stats.getStatus()));
    }

    private static double level(HealthStatus health) {
        return switch (health) {
            case OK -> 0;
            case DEGRADED -> 1;
            case VIOLATED -> 2;
            default -> Double.NaN;
        };
    }
}
