package io.streammesh.metrics;

/**
 * Where each part of the mesh serves its {@code /metrics}: one address and one port per part, read
 * once at start. A port of 0 means any free one (the URL is printed); there is no "off": an
 * endpoint costs a few idle threads, and a mesh nobody can watch is not one to run.
 *
 * @param host the address every endpoint listens on ({@code 127.0.0.1}, or {@code 0.0.0.0} in a container)
 * @param broker the Kafka broker's port
 * @param catalog catalog-stream's port (apart from its REST API: a scraper needs no principal)
 * @param enforcer the policy-enforcer's port (views and grants)
 * @param gate the contract gate's port
 * @param audit audit-sink's port
 */
public record MetricsPorts(String host, int broker, int catalog, int enforcer, int gate, int audit) {

    /** This machine only, as every other endpoint of the embedded mesh. */
    public static final String LOCAL = "127.0.0.1";
    /** How many ports {@link #from(String, int)} takes, one per part. */
    public static final int PARTS = 5;

    /** @throws IllegalArgumentException naming the part whose port is not 0 to 65535 */
    public MetricsPorts {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("metrics host must not be blank");
        }
        check("broker", broker);
        check("catalog", catalog);
        check("enforcer", enforcer);
        check("gate", gate);
        check("audit", audit);
    }

    /** @return every part on any free port of {@code 127.0.0.1} */
    public static MetricsPorts anyFree() {
        return from(LOCAL, 0);
    }

    /**
     * @param host the address every endpoint listens on
     * @param first 0 for any free ports; else the first of {@value #PARTS} consecutive ports, in the
     *        order broker, catalog, enforcer, gate, audit (e.g. 9404 gives the broker 9404 and audit-sink 9408)
     * @return the ports
     * @throws IllegalArgumentException if the last port would be over 65535
     */
    public static MetricsPorts from(String host, int first) {
        if (first == 0) {
            return new MetricsPorts(host, 0, 0, 0, 0, 0);
        }
        if (first < 1 || first + PARTS - 1 > 65_535) {
            throw new IllegalArgumentException("the first metrics port must be 0 or 1 to " + (65_535 - PARTS + 1) + ", not " + first);
        }
        return new MetricsPorts(host, first, first + 1, first + 2, first + 3, first + 4);
    }

    /**
     * @param port one of this config's ports
     * @return an endpoint serving on it, at this config's address
     * @throws IllegalStateException if the port cannot be bound
     */
    public MetricsEndpoint start(int port) {
        return MetricsEndpoint.start(host, port);
    }

    private static void check(String part, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(part + " metrics port must be 0 to 65535, not " + port);
        }
    }
}
