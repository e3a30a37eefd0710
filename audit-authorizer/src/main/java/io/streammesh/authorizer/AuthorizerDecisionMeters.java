package io.streammesh.authorizer;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;

/**
 * The authorizer's decisions by outcome as Kafka metrics of the broker: one cumulative count per
 * outcome ({@code allowed}, {@code denied}, {@code probe}), registered through the
 * {@link PluginMetrics} Kafka hands a monitorable authorizer, so every {@code metric.reporters}
 * entry (JMX, {@link BrokerMetricsReporter}) sees them. Counts the decisions the authorizer
 * reports to {@code mesh.audit.raw}, nothing of the cluster's own plumbing.
 */
final class AuthorizerDecisionMeters {

    /** The Kafka metric's name; a {@code -total} name is a cumulative count by Kafka's convention. */
    static final String NAME = "mesh-authorizer-decisions-total";

    private final Sensor allowed;
    private final Sensor denied;
    private final Sensor probe;

    AuthorizerDecisionMeters(PluginMetrics metrics) {
        this.allowed = sensor(metrics, "allowed");
        this.denied = sensor(metrics, "denied");
        this.probe = sensor(metrics, "probe");
    }

    /** Counts one decision: a probe is a denied check Kafka falls back from, not a refusal. */
    void record(boolean wasAllowed, boolean wasProbe) {
        (wasAllowed ? allowed : wasProbe ? probe : denied).record();
    }

    private static Sensor sensor(PluginMetrics metrics, String outcome) {
        Sensor sensor = metrics.addSensor("mesh-authorizer-decisions-" + outcome);
        var tags = new LinkedHashMap<>(Map.of("outcome", outcome));
        sensor.add(metrics.metricName(NAME, "Authorisation decisions the audit authorizer reported, by outcome", tags),
                new CumulativeCount());
        return sensor;
    }
}
