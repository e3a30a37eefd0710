package io.streammesh.audit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streammesh.client.KafkaCalls;
import io.streammesh.metrics.MetricsEndpoint;
import io.streammesh.metrics.MetricsPorts;
import io.streammesh.metrics.TopicLag;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.MeshStreams;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordSerdes;
import io.streammesh.schema.MeshTopics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * audit-sink, running: the {@link AuditTopology} under exactly-once v2 as principal
 * {@code mesh-audit}, fed by the broker's {@code AuditingAuthorizer} (module audit-authorizer) and by its own
 * {@link ConsumptionLedger}. Records it cannot process go to {@value #DEAD_LETTER_TOPIC}.
 *
 * <pre>{@code
 * try (AuditApp audit = AuditApp.start(AuditConfig.embedded(clientConfig, stateDir))) {
 *     // every access now ends in mesh.audit, hash-chained
 * }
 * }</pre>
 */
public final class AuditApp implements AutoCloseable {

    /** Where records the app cannot process go, with Kafka Streams' error headers. */
    public static final String DEAD_LETTER_TOPIC = MeshTopics.deadLetter(PlatformApp.AUDIT.applicationId());

    private static final Logger LOG = LoggerFactory.getLogger(AuditApp.class);

    private final KafkaStreams streams;
    private final ConsumptionLedger ledger;
    private final MetricsEndpoint metrics;
    private final KafkaStreamsMetrics streamsMetrics;
    private final ChainCheck chainCheck;

    private AuditApp(KafkaStreams streams, ConsumptionLedger ledger, MetricsEndpoint metrics, KafkaStreamsMetrics streamsMetrics,
                     ChainCheck chainCheck) {
        this.streams = streams;
        this.ledger = ledger;
        this.metrics = metrics;
        this.streamsMetrics = streamsMetrics;
        this.chainCheck = chainCheck;
    }

    /**
     * Starts the app and waits until it is running.
     *
     * @param config how to run it
     * @return the running app; close it to stop it
     * @throws io.streammesh.schema.MeshException if it cannot start
     */
    public static AuditApp start(AuditConfig config) {
        return start(config, MetricsEndpoint.start(MetricsPorts.LOCAL, 0));
    }

    /**
     * Starts the app and waits until it is running.
     *
     * @param config how to run it
     * @param metrics where its metrics are served (events sealed, authorizer decisions, audit lag, chain status, Kafka
     *        Streams'); the app closes it when it stops (or fails to start)
     * @return the running app; close it to stop it
     * @throws io.streammesh.schema.MeshException if it cannot start
     */
    public static AuditApp start(AuditConfig config, MetricsEndpoint metrics) {
        try {
            return startMeasured(config, metrics);
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
    }

    private static AuditApp startMeasured(AuditConfig config, MetricsEndpoint metrics) {
        int chains;
        try (var admin = Admin.create(config.clientConfig().kafka())) {
            KafkaCalls.createMissing(admin, List.of(
                    new NewTopic(AuditTopology.CONSUMPTION_TOPIC, 3, (short) -1).configs(Map.of("retention.ms", String.valueOf(7L * 24 * 3600 * 1000))),
                    new NewTopic(DEAD_LETTER_TOPIC, 1, (short) -1)));
            // One chain per partition of mesh.audit, however many it has.
            chains = KafkaCalls.await(admin.describeTopics(List.of(MeshTopics.AUDIT)).allTopicNames(), "describe " + MeshTopics.AUDIT)
                    .get(MeshTopics.AUDIT).partitions().size();
        }
        var running = new AuditConfig(config.clientConfig(), config.stateDir(), config.ledgerInterval(), chains);
        var props = MeshStreams.exactlyOnce(config.clientConfig(), PlatformApp.AUDIT.applicationId(), config.stateDir());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class.getName());
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, DEAD_LETTER_TOPIC);
        props.putAll(MeshSerdes.config(config.clientConfig(), true));
        var streams = MeshStreams.create(AuditTopology.build(running, RecordSerdes.registry(config.clientConfig()),
                new AuditMeters(metrics.meters())), props);
        var streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(metrics.meters());
        var lag = new TopicLag(streams::metrics);
        Gauge.builder("mesh.audit.lag", lag, topics -> topics.byTopic().getOrDefault(MeshTopics.AUDIT_RAW, 0L))
                .strongReference(true).description("authorizer reports in mesh.audit.raw not yet sealed into mesh.audit").baseUnit("records").register(metrics.meters());
        try {
            MeshStreams.start(streams, "audit-sink");
        } catch (RuntimeException e) {
            streamsMetrics.close();
            throw e;
        }
        var ledger = new ConsumptionLedger(config.clientConfig(), () -> holdsFirstConsumptionPartition(streams));
        ledger.start(config.ledgerInterval());
        var chainCheck = ChainCheck.start(config.clientConfig(), metrics.meters(), ChainCheck.EVERY);
        LOG.info("audit-sink running: {} hash chains on {}", chains, MeshTopics.AUDIT);
        return new AuditApp(streams, ledger, metrics, streamsMetrics, chainCheck);
    }

    /** Whether this instance runs the active task of the consumption topic's first partition: one instance of several. */
    private static boolean holdsFirstConsumptionPartition(KafkaStreams streams) {
        var first = new TopicPartition(AuditTopology.CONSUMPTION_TOPIC, 0);
        return streams.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .anyMatch(task -> task.topicPartitions().contains(first));
    }

    /** @return where Prometheus scrapes audit-sink, e.g. {@code http://127.0.0.1:41234/metrics} */
    public String metricsUrl() {
        return metrics.url();
    }

    /** @return the app's Kafka Streams state */
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        chainCheck.close();
        ledger.close();
        MeshStreams.stop(streams);
        streamsMetrics.close();
        metrics.close();
    }
}
