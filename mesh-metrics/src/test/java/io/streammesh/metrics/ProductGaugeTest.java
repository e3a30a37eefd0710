package io.streammesh.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

class ProductGaugeTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ProductGauge lag = new ProductGauge(meters, "mesh.view.lag", "records not processed", "records");

    @Test
    void eachProductIsOneSeriesThatFollowsItsLatestValue() {
        lag.set("orders.order-placed.v1", 3);
        lag.set("orders.order-placed.v1", 5);
        lag.set("customers.customer-profile.v1", 0);

        assertThat(meters.get("mesh.view.lag").gauges()).hasSize(2);
        assertThat(meters.get("mesh.view.lag").tag("product", "orders.order-placed.v1").gauge().value()).isEqualTo(5);
    }

    @Test
    void aRemovedProductLosesItsSeries() {
        lag.set("orders.order-placed.v1", 3);

        lag.remove("orders.order-placed.v1");

        assertThat(meters.find("mesh.view.lag").gauges()).isEmpty();
        assertThat(lag.products()).isEmpty();
    }

    @Test
    void aConsumersLagIsSummedOverThePartitionsOfEachTopicAndOnlyProductTopicsBecomeSeries() {
        Map<MetricName, KafkaMetric> metrics = Map.of(
                name("records-lag", "orders.order-placed.v1", "0"), value(4),
                name("records-lag", "orders.order-placed.v1", "1"), value(6),
                name("records-lag", "orders.order-placed.v1.dlq", "0"), value(9),
                name("records-lag-max", "orders.order-placed.v1", "0"), value(100));

        try (var productLag = ProductLag.start(lag, new TopicLag(() -> metrics), topic -> !topic.endsWith(".dlq"), Duration.ofHours(1))) {
            productLag.refresh();
        }

        assertThat(new TopicLag(() -> metrics).byTopic()).containsExactlyEntriesOf(
                new TreeMap<>(Map.of("orders.order-placed.v1", 10L, "orders.order-placed.v1.dlq", 9L)));
        assertThat(lag.products()).containsExactly("orders.order-placed.v1");
        assertThat(meters.get("mesh.view.lag").tag("product", "orders.order-placed.v1").gauge().value()).isEqualTo(10);
    }

    private static MetricName name(String name, String topic, String partition) {
        return new MetricName(name, "consumer-fetch-manager-metrics", "", Map.of("topic", topic, "partition", partition, "client-id", "c"));
    }

    private static KafkaMetric value(double value) {
        var stat = new Value();
        stat.record(new MetricConfig(), value, 0);
        return new KafkaMetric(new Object(), new MetricName("v", "g", "", Map.of()), stat, new MetricConfig(), Time.SYSTEM);
    }
}
