package io.streammesh.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * How many records a Kafka consumer (or a Kafka Streams app's consumers) has not read yet, per
 * topic: the sum of the client's own {@code records-lag} over the partitions it is assigned. Read
 * from the client's metrics, so it costs no request to the broker; a topic none of whose
 * partitions is assigned here is absent.
 */
public final class TopicLag {

    private static final String GROUP = "consumer-fetch-manager-metrics";
    private static final String LAG = "records-lag";

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;

    /** @param metrics the client's metrics, e.g. {@code streams::metrics} or {@code consumer::metrics} */
    public TopicLag(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.metrics = metrics;
    }

    /** @return records not yet read, by topic; partitions whose lag the client does not know yet count 0 */
    public Map<String, Long> byTopic() {
        var lag = new TreeMap<String, Long>();
        metrics.get().forEach((name, metric) -> {
            String topic = name.tags().get("topic");
            if (LAG.equals(name.name()) && GROUP.equals(name.group()) && topic != null && name.tags().containsKey("partition")
                    && metric.metricValue() instanceof Number value && !Double.isNaN(value.doubleValue())) {
                lag.merge(topic, Math.max(0, value.longValue()), Long::sum);
            }
        });
        return lag;
    }
}
