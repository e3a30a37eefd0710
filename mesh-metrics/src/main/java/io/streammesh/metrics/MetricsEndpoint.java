package io.streammesh.metrics;

import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An app's {@code GET /metrics}: a Micrometer registry in the Prometheus text format, served on
 * its own port (apart from an app's API, so a scraper needs no API credentials and an API's
 * routing never hides it). What an app counts goes to {@link #meters()}.
 *
 * <pre>{@code
 * try (var metrics = MetricsEndpoint.start("127.0.0.1", 0)) {
 *     new KafkaStreamsMetrics(streams).bindTo(metrics.meters());
 *     System.out.println(metrics.url());   // http://127.0.0.1:41234/metrics
 * }
 * }</pre>
 */
public final class MetricsEndpoint implements AutoCloseable {

    /** The path Prometheus scrapes. */
    public static final String PATH = "/metrics";
    /** The Prometheus text exposition format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Jetty's acceptor and selector take two; the rest answer scrapes. */
    private static final int MAX_THREADS = 6;

    private final PrometheusMeterRegistry meters;
    private final Javalin server;
    private final String host;

    private MetricsEndpoint(PrometheusMeterRegistry meters, Javalin server, String host) {
        this.meters = meters;
        this.server = server;
        this.host = host;
    }

    /**
     * @param host the address to listen on ({@code 127.0.0.1} for this machine only, {@code 0.0.0.0} for every interface)
     * @param port the port, or 0 for any free one
     * @return the endpoint, serving
     * @throws IllegalStateException if the port cannot be bound
     */
    public static MetricsEndpoint start(String host, int port) {
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var server = Javalin.create(config -> {
                    config.showJavalinBanner = false;
                    config.startupWatcherEnabled = false;
                    config.jetty.threadPool = threadPool(port);
                })
                .get(PATH, ctx -> ctx.contentType(CONTENT_TYPE).result(meters.scrape()));
        try {
            server.start(host, port);
        } catch (RuntimeException e) {
            meters.close();
            throw new IllegalStateException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new MetricsEndpoint(meters, server, host);
    }

    /** A scraper asks every few seconds: a few threads serve it, and an app's endpoint never holds Jetty's default 200. */
    private static QueuedThreadPool threadPool(int port) {
        var pool = new QueuedThreadPool(MAX_THREADS, 1);
        pool.setName("metrics-" + port);
        pool.setDaemon(true);
        return pool;
    }

    /** @return where the app's meters go */
    public MeterRegistry meters() {
        return meters;
    }

    /** @return the port it listens on (the one chosen when started with 0) */
    public int port() {
        return server.port();
    }

    /** @return the URL to scrape, e.g. {@code http://127.0.0.1:41234/metrics} (this machine's, when listening on every interface) */
    public String url() {
        return "http://" + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + port() + PATH;
    }

    @Override
    public void close() {
        server.stop();
        meters.close();
    }
}
