package io.streammesh.embedded;

import com.yammer.metrics.core.Counter;
import com.yammer.metrics.core.Gauge;
import com.yammer.metrics.core.Metered;
import com.yammer.metrics.core.Metric;
import com.yammer.metrics.core.MetricName;
import com.yammer.metrics.core.MetricsRegistry;
import com.yammer.metrics.core.MetricsRegistryListener;
import com.yammer.metrics.core.Sampling;
import com.yammer.metrics.core.Summarizable;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;

/**
 * The Kafka broker's own metrics in Micrometer: every metric of the broker's registry
 * ({@code KafkaYammerMetrics}: messages and bytes in and out per topic, request times, under-replicated
 * partitions, the controller's state, …), followed as the broker adds and removes them. The JMX name
 * {@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t} becomes
 * {@code kafka.server.brokertopicmetrics.messagesinpersec.per.topic{topic="t"}} (scraped as
 * {@code kafka_server_brokertopicmetrics_messagesinpersec_per_topic_total}): the tag keys join the name
 * because Prometheus wants one set of tag keys per name, and the broker reports a total beside each
 * per-topic series. Rates become counters (Prometheus computes rates), gauges stay gauges, and
 * histograms and timers give their count, mean and 99th percentile.
 */
public final class BrokerMeters implements MeterBinder, MetricsRegistryListener, AutoCloseable {

    private final MetricsRegistry broker;
    private final Map<MetricName, List<Meter>> bound = new ConcurrentHashMap<>();
    private volatile MeterRegistry meters;

    /** Binds the registry every broker of this JVM reports to. */
    public BrokerMeters() {
        this(KafkaYammerMetrics.defaultRegistry());
    }

    BrokerMeters(MetricsRegistry broker) {
        this.broker = broker;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.meters = registry;
        // the registry replays every metric it holds to a new listener, then reports each added later
        broker.addListener(this);
    }

    @Override
    public void onMetricAdded(MetricName name, Metric metric) {
        MeterRegistry registry = meters;
        String base = meterName(name);
        List<Tag> tags = tags(name);
        var added = new ArrayList<Meter>();
        if (metric instanceof Gauge<?> gauge) {
            added.add(io.micrometer.core.instrument.Gauge.builder(base, gauge, BrokerMeters::number).tags(tags).register(registry));
        } else if (metric instanceof Counter counter) {
            added.add(io.micrometer.core.instrument.Gauge.builder(base, counter, Counter::count).tags(tags).register(registry));
        } else if (metric instanceof Metered metered) {
            added.add(FunctionCounter.builder(base, metered, Metered::count).tags(tags).register(registry));
        }
        if (metric instanceof Sampling && metric instanceof Summarizable summary) {
            Sampling sampling = (Sampling) metric;
            added.add(io.micrometer.core.instrument.Gauge.builder(base + ".mean", summary, Summarizable::mean).tags(tags).register(registry));
            added.add(io.micrometer.core.instrument.Gauge.builder(base + ".p99", sampling, s -> s.getSnapshot().get99thPercentile())
                    .tags(tags).register(registry));
            if (!(metric instanceof Metered)) {
                added.add(FunctionCounter.builder(base + ".count", (com.yammer.metrics.core.Histogram) metric,
                        com.yammer.metrics.core.Histogram::count).tags(tags).register(registry));
            }
        }
        bound.put(name, added);
    }

    @Override
    public void onMetricRemoved(MetricName name) {
        List<Meter> gone = bound.remove(name);
        if (gone != null) {
            gone.forEach(meters::remove);
        }
    }

    /** Stops following the broker's registry and removes what it bound. */
    @Override
    public void close() {
        broker.removeListener(this);
        bound.keySet().forEach(this::onMetricRemoved);
    }

    /** {@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t} → {@code kafka.server.brokertopicmetrics.messagesinpersec.per.topic} */
    static String meterName(MetricName name) {
        var keys = keyProperties(name).keySet();
        String base = name.getGroup() + "." + name.getType() + "." + name.getName();
        return (keys.isEmpty() ? base : base + ".per." + String.join(".", keys)).toLowerCase(Locale.ROOT);
    }

    private static List<Tag> tags(MetricName name) {
        return keyProperties(name).entrySet().stream().map(e -> Tag.of(e.getKey(), e.getValue())).toList();
    }

    /** The JMX name's key properties other than {@code type} and {@code name}, sorted by key. */
    private static Map<String, String> keyProperties(MetricName name) {
        var properties = new TreeMap<String, String>();
        String mbean = name.getMBeanName();
        int colon = mbean.indexOf(':');
        for (String property : mbean.substring(colon + 1).split(",")) {
            int equals = property.indexOf('=');
            if (equals > 0) {
                String key = property.substring(0, equals);
                if (!key.equals("type") && !key.equals("name")) {
                    properties.put(key, property.substring(equals + 1));
                }
            }
        }
        return properties;
    }

    private static double number(Gauge<?> gauge) {
        return gauge.value() instanceof Number value ? value.doubleValue() : Double.NaN;
    }
}
