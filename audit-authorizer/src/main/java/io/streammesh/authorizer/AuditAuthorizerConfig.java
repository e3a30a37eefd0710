package io.streammesh.authorizer;

/**
 * The broker settings {@link AuditingAuthorizer} reads ({@code server.properties}, or the
 * embedded mesh's broker config). Every key is written here once; the embedded mesh sets them
 * through these constants.
 */
public final class AuditAuthorizerConfig {

    /**
     * Required. A Java client properties file (bootstrap, SASL as a principal allowed to write
     * {@code mesh.audit.raw}, registry URL and login) for the shipper's producer; read when it
     * appears and again whenever it changes, so the broker can start before the file exists.
     */
    public static final String CLIENT_CONFIG = "mesh.audit.client.config";

    /**
     * Required. The directory where events wait on disk when the broker stops or
     * {@code mesh.audit.raw} is out of reach; the broker's and the controller's instance each
     * spool into their own subdirectory.
     */
    public static final String SPOOL_DIR = "mesh.audit.spool.dir";

    /**
     * Optional, default {@value #DEFAULT_MAX_KEYS}. Distinct (second, principal, client,
     * operation, resource, decision) counts held in memory; past it, allowed decisions are
     * dropped and counted as dropped (denied ones are always kept).
     */
    public static final String MAX_KEYS = "mesh.audit.max.keys";

    /**
     * Optional, default {@value #DEFAULT_MAX_BACKLOG}. Events waiting in memory for the shipper;
     * past it, the rest goes to the spool directory.
     */
    public static final String MAX_BACKLOG = "mesh.audit.max.backlog";

    /**
     * Required by {@link BrokerMetricsReporter} ({@code metric.reporters}). The port the broker
     * serves {@code GET /metrics} on (0: any free port).
     */
    public static final String METRICS_PORT = "mesh.metrics.port";

    /**
     * Optional, default {@value #DEFAULT_METRICS_HOST}. The address {@link BrokerMetricsReporter}
     * binds to; {@code 0.0.0.0} in a container, whose port mapping decides who can scrape it.
     */
    public static final String METRICS_HOST = "mesh.metrics.host";

    /** Default of {@link #METRICS_HOST}: the endpoint has no login, so only this machine by default. */
    public static final String DEFAULT_METRICS_HOST = "127.0.0.1";

    /** Default of {@link #MAX_KEYS}. */
    public static final int DEFAULT_MAX_KEYS = 100_000;

    /** Default of {@link #MAX_BACKLOG}. */
    public static final int DEFAULT_MAX_BACKLOG = 100_000;

    private AuditAuthorizerConfig() {
    }
}
