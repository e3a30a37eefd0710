package io.streammesh.cli;

import io.streammesh.metrics.MetricsEndpoint;
import io.streammesh.metrics.MetricsPorts;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-port} and {@code --metrics-host} of {@code mesh app …}: where the app serves its
 * Prometheus {@code /metrics}. The endpoint has no login, so it listens on this machine only unless
 * told otherwise; in a container, {@code 0.0.0.0} and a port kept inside the container network.
 */
final class AppMetricsOption {

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "0",
            description = "The port of its Prometheus /metrics (default: a free one, printed).")
    int port;

    @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = MetricsPorts.LOCAL,
            description = "The address /metrics listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 in a container, whose "
                    + "network decides who scrapes it: it has no login).")
    String host;

    /** @throws IllegalStateException if the port cannot be bound */
    MetricsEndpoint start() {
        return MetricsEndpoint.start(host, port);
    }
}
