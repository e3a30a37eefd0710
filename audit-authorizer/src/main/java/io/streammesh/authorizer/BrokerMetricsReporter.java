package io.streammesh.authorizer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.yammer.metrics.core.Counter;
import com.yammer.metrics.core.Gauge;
import com.yammer.metrics.core.Histogram;
import com.yammer.metrics.core.Metered;
import com.yammer.metrics.core.Metric;
import com.yammer.metrics.core.MetricName;
import com.yammer.metrics.core.Sampling;
import com.yammer.metrics.core.Summarizable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's {@code GET /metrics} in Prometheus's text format, for a broker started with Kafka's
 * own {@code kafka.Kafka}: {@code metric.reporters=}this class and {@code mesh.metrics.port} in
 * {@code server.properties} ({@link AuditAuthorizerConfig#METRICS_PORT}). It serves both of the
 * broker's registries, read at each scrape:
 * <ul>
 *   <li>Kafka's metrics, which reach a reporter (socket server, request quotas, the controller's
 *   and the authorizer's, among them {@code mesh-authorizer-decisions-total} by outcome):
 *   {@code group} and {@code name} joined under {@code kafka_}, tags as labels, e.g.
 *   {@code kafka_plugins_mesh_authorizer_decisions_total{outcome="denied",…}};</li>
 *   <li>the broker's Yammer registry ({@code KafkaYammerMetrics}: messages and bytes per topic,
 *   request times, under-replicated partitions), named as {@code mesh up} names them
 *   ({@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t} is
 *   {@code kafka_server_brokertopicmetrics_messagesinpersec_per_topic_total{topic="t"}}).</li>
 * </ul>
 * The JDK's HTTP server on one thread: nothing the broker or another plugin brings, and no login
 * (counts and rates per topic, listener and principal, never a record or credential), so it binds
 * to {@code 127.0.0.1} unless {@link AuditAuthorizerConfig#METRICS_HOST} says otherwise.
 */
public class BrokerMetricsReporter implements MetricsReporter {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerMetricsReporter.class);

    private final Map<org.apache.kafka.common.MetricName, KafkaMetric> metrics = new ConcurrentHashMap<>();
    private String host;
    private int port;
    private HttpServer server;

    @Override
    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(AuditAuthorizerConfig.METRICS_PORT);
        if (configured == null || configured.toString().isBlank()) {
            throw new ConfigException(AuditAuthorizerConfig.METRICS_PORT, configured, "the BrokerMetricsReporter needs a port to serve /metrics on");
        }
        try {
            port = Integer.parseInt(configured.toString().strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(AuditAuthorizerConfig.METRICS_PORT, configured, "not a port number");
        }
        if (port < 0 || port > 65_535) {
            throw new ConfigException(AuditAuthorizerConfig.METRICS_PORT, configured, "not a port number");
        }
        Object bind = configs.get(AuditAuthorizerConfig.METRICS_HOST);
        host = bind == null || bind.toString().isBlank() ? AuditAuthorizerConfig.DEFAULT_METRICS_HOST : bind.toString().strip();
    }

    /** Starts serving; fails the broker's start if the port is taken, rather than run unwatched. */
    @Override
    public void init(List<KafkaMetric> initial) {
        initial.forEach(this::metricChange);
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the broker's /metrics on " + host + ":" + port, e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mesh-broker-metrics");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/metrics", this::scrape);
        server.start();
        LOG.info("Serving the broker's metrics at http://{}:{}/metrics", host, server.getAddress().getPort());
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        metrics.put(metric.metricName(), metric);
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        metrics.remove(metric.metricName());
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    private void scrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = exposition().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** @return both registries as they are now */
    String exposition() {
        var text = new PrometheusText();
        metrics.values().forEach(metric -> kafkaMetric(text, metric));
        KafkaYammerMetrics.defaultRegistry().allMetrics().forEach((name, metric) -> yammerMetric(text, name, metric));
        return text.render();
    }

    private static void kafkaMetric(PrometheusText text, KafkaMetric metric) {
        if (!(metric.metricValue() instanceof Number value)) {
            return;
        }
        var name = metric.metricName();
        String family = "kafka_" + name.group() + "_" + name.name();
        // Kafka's convention: a "-total" metric is a cumulative count or sum.
        if (name.name().endsWith("-total")) {
            text.counter(family, name.tags(), value.doubleValue());
        } else {
            text.gauge(family, name.tags(), value.doubleValue());
        }
    }

    /** As {@code mesh up}'s BrokerMeters: rates become counters, histograms their count, mean and 99th percentile. */
    private static void yammerMetric(PrometheusText text, MetricName name, Metric metric) {
        Map<String, String> labels = keyProperties(name);
        String base = yammerName(name, labels);
        if (metric instanceof Gauge<?> gauge) {
            text.gauge(base, labels, gauge.value() instanceof Number value ? value.doubleValue() : Double.NaN);
        } else if (metric instanceof Counter counter) {
            text.gauge(base, labels, counter.count());
        } else if (metric instanceof Metered metered) {
            text.counter(base + "_total", labels, metered.count());
        }
        if (metric instanceof Sampling sampling && metric instanceof Summarizable summary) {
            text.gauge(base + "_mean", labels, summary.mean());
            text.gauge(base + "_p99", labels, sampling.getSnapshot().get99thPercentile());
            if (metric instanceof Histogram histogram) {
                text.counter(base + "_count_total", labels, histogram.count());
            }
        }
    }

    /** The tag keys join the name: Prometheus wants one set of labels per family, and the broker reports a total beside each per-topic series. */
    private static String yammerName(MetricName name, Map<String, String> labels) {
        String base = name.getGroup() + "." + name.getType() + "." + name.getName();
        return (labels.isEmpty() ? base : base + ".per." + String.join(".", labels.keySet())).toLowerCase(Locale.ROOT);
    }

    /** The JMX name's key properties other than {@code type} and {@code name}, sorted by key. */
    private static Map<String, String> keyProperties(MetricName name) {
        var properties = new TreeMap<String, String>();
        String mbean = name.getMBeanName();
        for (String property : mbean.substring(mbean.indexOf(':') + 1).split(",")) {
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
}
