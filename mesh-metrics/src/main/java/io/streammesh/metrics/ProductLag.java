package io.streammesh.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's lag on each product topic as a {@link ProductGauge}, read from the client's own
 * metrics ({@link TopicLag}) every few seconds on a thread of its own: the set of products a
 * consumer reads changes as products are published and partitions move, which a gauge registered
 * once cannot follow. A product no longer assigned here loses its series.
 */
public final class ProductLag implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProductLag.class);

    private final ProductGauge gauge;
    private final TopicLag lag;
    private final Predicate<String> isProduct;
    private final ScheduledExecutorService refresher;

    private ProductLag(ProductGauge gauge, TopicLag lag, Predicate<String> isProduct, String threadName) {
        this.gauge = gauge;
        this.lag = lag;
        this.isProduct = isProduct;
        this.refresher = Executors.newSingleThreadScheduledExecutor(task -> {
            var thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param gauge where each product's lag goes
     * @param lag the consumer's lag by topic
     * @param isProduct which topics are products (a product's own address, not its DLQ or ingest topic)
     * @param every how often the lag is read
     * @return refreshing until closed
     */
    public static ProductLag start(ProductGauge gauge, TopicLag lag, Predicate<String> isProduct, Duration every) {
        var productLag = new ProductLag(gauge, lag, isProduct, "metrics-product-lag");
        productLag.refresher.scheduleWithFixedDelay(productLag::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return productLag;
    }

    /** Reads the lag now; a failure is logged and the next refresh tries again. */
    void refresh() {
        try {
            Map<String, Long> byTopic = lag.byTopic();
            byTopic.forEach((topic, records) -> {
                if (isProduct.test(topic)) {
                    gauge.set(topic, records);
                }
            });
            gauge.products().stream().filter(product -> !byTopic.containsKey(product)).forEach(gauge::remove);
        } catch (RuntimeException e) {
            LOG.warn("could not read the consumer lag for the metrics: {}", e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
