/**
 * An app's Prometheus endpoint and the mesh's per-product meters.
 *
 * <p>Entry points: {@link io.streammesh.metrics.MetricsEndpoint#start} (a Micrometer Prometheus
 * registry served as {@code GET /metrics} on a port of its own), {@link io.streammesh.metrics.MetricsPorts}
 * (where each part of the mesh serves it), {@link io.streammesh.metrics.ProductGauge} and
 * {@link io.streammesh.metrics.ProductLag} (one series per product, never per record or key).
 *
 * <p>Threading and lifecycle: the endpoint serves scrapes on a small Jetty pool of its own and
 * stops with {@code close}; {@code ProductLag} refreshes its gauges every few seconds on one
 * daemon thread until closed, reading the Kafka client's own lag metrics (no broker request).
 * The package shows counts, rates and lags, never a record, key or credential; it depends on no
 * app and never on the broker.
 */
package io.streammesh.metrics;
