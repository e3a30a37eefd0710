package io.streammesh.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One gauge per data product, tagged {@code product=<address>}: the set of products follows what
 * the app sees, the cardinality stays one series per product (never per record or key). Values are
 * set by the app's own thread and read by the scraper's.
 *
 * <pre>{@code
 * var lag = new ProductGauge(meters, "mesh.view.lag", "records of the product the views have not processed", "records");
 * lag.set("orders.order-placed.v1", 12);
 * }</pre>
 */
public final class ProductGauge {

    /** The tag naming the product, the same in every mesh metric. */
    public static final String PRODUCT_TAG = "product";

    private final MeterRegistry meters;
    private final String name;
    private final String description;
    private final String baseUnit;
    private final Map<String, Double> values = new ConcurrentHashMap<>();

    /**
     * @param meters where the gauges go
     * @param name the metric's name, dotted ({@code mesh.view.lag} is scraped as {@code mesh_view_lag_records})
     * @param description what it measures, in the scrape's HELP line
     * @param baseUnit its unit, or null
     */
    public ProductGauge(MeterRegistry meters, String name, String description, String baseUnit) {
        this.meters = meters;
        this.name = name;
        this.description = description;
        this.baseUnit = baseUnit;
    }

    /**
     * @param product the product's address
     * @param value its value now ({@link Double#NaN} while unknown)
     */
    public void set(String product, double value) {
        if (values.put(product, value) == null) {
            Gauge.builder(name, values, all -> all.getOrDefault(product, Double.NaN))
                    .tag(PRODUCT_TAG, product).description(description).baseUnit(baseUnit).strongReference(true).register(meters);
        }
    }

    /** @param product a product no longer seen: its series goes */
    public void remove(String product) {
        if (values.remove(product) != null) {
            meters.find(name).tag(PRODUCT_TAG, product).meters().forEach(meters::remove);
        }
    }

    /** @return the products with a series */
    public Set<String> products() {
        return Map.copyOf(values).keySet();
    }
}
