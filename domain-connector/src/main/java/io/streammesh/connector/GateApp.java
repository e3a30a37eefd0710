package io.streammesh.connector;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streammesh.client.ChangelogWidth;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshStreams;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordSerdes;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.metrics.MetricsEndpoint;
import io.streammesh.schema.ProductAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The contract gate, running: {@link GateTopology} under exactly-once v2 as principal
 * {@code mesh-gate}, the only writer of product topics, the {@link IngestCleanup} of what it
 * has processed, and the {@link ChangelogWidth} that keeps its changelog as wide as its widest
 * ingest topic; it encrypts the fields contracts list with their subjects' data keys
 * ({@link SubjectKeys}) and destroys the keys of the subjects domains erase ({@link SubjectErasures}).
 * A crash and restart neither loses nor repeats a product or dead-letter record.
 * Its {@link MetricsEndpoint} serves the per-product record counts ({@code mesh.gate.records}) and
 * Kafka Streams' own metrics at {@link #metricsUrl()}.
 */
public final class GateApp implements AutoCloseable {

    /** How often processed ingest records are deleted. */
    public static final Duration CLEANUP_EVERY = Duration.ofSeconds(30);
    /**
     * How often the gate's changelog is checked against its widest ingest topic: well within the
     * consumer's metadata refresh (5 s), so that it is mostly widened before Streams sees a wider topic.
     */
    private static final Duration CHANGELOG_CHECK_EVERY = Duration.ofSeconds(1);

    /**
     * Where a gate started without a mesh's key directory keeps its local KEKs, inside its own
     * state (tests, benchmarks): only it can then unwrap its data keys.
     */
    private static final String OWN_KEKS = "keks";

    /** Where the metrics endpoint listens: this machine only, as the embedded mesh's other endpoints. */
    private static final String METRICS_HOST = "127.0.0.1";

    private final KafkaStreams streams;
    private final SchemaRegistry registry;
    private final IngestCleanup cleanup;
    private final ChangelogWidth changelogWidth;
    private final MetricsEndpoint metrics;
    private final KafkaStreamsMetrics streamsMetrics;
    private final SubjectKeys keys;
    private final SubjectErasures erasures;

    private GateApp(KafkaStreams streams, SchemaRegistry registry, IngestCleanup cleanup, ChangelogWidth changelogWidth,
                    MetricsEndpoint metrics, KafkaStreamsMetrics streamsMetrics, SubjectKeys keys, SubjectErasures erasures) {
        this.keys = keys;
        this.erasures = erasures;
        this.streams = streams;
        this.registry = registry;
        this.cleanup = cleanup;
        this.changelogWidth = changelogWidth;
        this.metrics = metrics;
        this.streamsMetrics = streamsMetrics;
    }

    /**
     * @param clientConfig the {@code mesh-gate} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @return the running gate
     * @throws MeshException if it does not start
     */
    public static GateApp start(MeshClientConfig clientConfig, Path stateDir) {
        return start(clientConfig, stateDir, CLEANUP_EVERY);
    }

    /**
     * @param clientConfig the {@code mesh-gate} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param cleanupEvery how often processed ingest records are deleted
     * @return the running gate, its metrics on any free port
     * @throws MeshException if it does not start
     */
    public static GateApp start(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery) {
        return start(clientConfig, stateDir, cleanupEvery, 0);
    }

    /**
     * @param clientConfig the {@code mesh-gate} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param cleanupEvery how often processed ingest records are deleted
     * @param metricsPort the port of its {@code /metrics} endpoint on 127.0.0.1, or 0 for any free one
     * @return the running gate
     * @throws MeshException if it does not start
     * @throws IllegalStateException if the metrics port cannot be bound
     */
    public static GateApp start(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery, int metricsPort) {
        return start(clientConfig, stateDir, cleanupEvery, MetricsEndpoint.start(METRICS_HOST, metricsPort));
    }

    /**
     * @param clientConfig the {@code mesh-gate} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param cleanupEvery how often processed ingest records are deleted
     * @param metricsPort the port of its {@code /metrics} endpoint on 127.0.0.1, or 0 for any free one
     * @param kekDir where the domains' local key-encryption keys are kept ({@link LocalKms})
     * @return the running gate
     * @throws MeshException if it does not start
     * @throws IllegalStateException if the metrics port cannot be bound
     */
    public static GateApp start(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery, int metricsPort, Path kekDir) {
        return start(clientConfig, stateDir, cleanupEvery, MetricsEndpoint.start(METRICS_HOST, metricsPort), kekDir);
    }

    /**
     * @param clientConfig the {@code mesh-gate} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param cleanupEvery how often processed ingest records are deleted
     * @param metrics where its metrics are served; the gate closes it when it stops (or fails to start)
     * @return the running gate, its local key-encryption keys in its own state directory
     * @throws MeshException if it does not start
     */
    public static GateApp start(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery, MetricsEndpoint metrics) {
        return start(clientConfig, stateDir, cleanupEvery, metrics, stateDir.resolve(OWN_KEKS));
    }

    /**
     * @param clientConfig the {@code mesh-gate} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param cleanupEvery how often processed ingest records are deleted
     * @param metrics where its metrics are served; the gate closes it when it stops (or fails to start)
     * @param kekDir where the domains' local key-encryption keys are kept ({@link LocalKms}), shared
     *        with every other holder of the mesh's data keys
     * @return the running gate
     * @throws MeshException if it does not start
     */
    public static GateApp start(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery, MetricsEndpoint metrics,
                                Path kekDir) {
        SubjectKeys keys;
        try {
            // read in the background: the stream thread does not wait for the broker once a second to look for erasures
            keys = SubjectKeys.local(clientConfig, kekDir).refreshingInBackground();
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        return start(clientConfig, stateDir, cleanupEvery, metrics, keys);
    }

    /**
     * A gate whose data keys are those given (a test's, with a KMS of its own).
     *
     * @param clientConfig the {@code mesh-gate} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param cleanupEvery how often processed ingest records are deleted
     * @param keys the data subjects' keys, closed with the gate
     * @return the running gate, its metrics on any free port
     */
    static GateApp start(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery, SubjectKeys keys) {
        return start(clientConfig, stateDir, cleanupEvery, MetricsEndpoint.start(METRICS_HOST, 0), keys);
    }

    private static GateApp start(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery, MetricsEndpoint metrics,
                                 SubjectKeys keys) {
        try {
            return startMeasured(clientConfig, stateDir, cleanupEvery, metrics, keys);
        } catch (RuntimeException e) {
            keys.close();
            metrics.close();
            throw e;
        }
    }

    private static GateApp startMeasured(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery, MetricsEndpoint metrics,
                                         SubjectKeys keys) {
        String applicationId = PlatformApp.GATE.applicationId();
        var registry = SchemaRegistry.connect(clientConfig);
        var topology = GateTopology.build(GateConfig.of(RecordSerdes.registry(clientConfig), ProductSchemas.registry(registry), keys),
                metrics.meters());
        var streams = MeshStreams.create(topology, MeshStreams.independentPartitions(MeshStreams.exactlyOnce(clientConfig, applicationId, stateDir)));
        var streamsMetrics = new KafkaStreamsMetrics(streams);
        // A product published or republished with more partitions than any before widens the
        // gate's tasks; from before the start, since a gate that was down may find one.
        var changelogWidth = new ChangelogWidth(Admin.create(clientConfig.kafka()), applicationId, ProductAddress.INGEST_TOPICS,
                CHANGELOG_CHECK_EVERY);
        try {
            MeshStreams.start(streams, "contract gate");
            // Kafka Streams' own metrics (records-lag-max among them) beside the gate's counts: bound once it runs, as
            // binding its several hundred metrics took a tenth of the gate's start (~50 ms) while no record was read
            streamsMetrics.bindTo(metrics.meters());
        } catch (RuntimeException e) {
            // a gate that failed to start is stopped (closing it again is harmless), never left running unowned
            MeshStreams.stop(streams);
            changelogWidth.close();
            streamsMetrics.close();
            registry.close();
            throw e;
        }
        var cleanup = new IngestCleanup(Admin.create(clientConfig.kafka()), applicationId, cleanupEvery);
        return new GateApp(streams, registry, cleanup, changelogWidth, metrics, streamsMetrics, keys, new SubjectErasures(clientConfig, keys));
    }

    /** @return where Prometheus scrapes the gate, e.g. {@code http://127.0.0.1:41234/metrics} */
    public String metricsUrl() {
        return metrics.url();
    }

    /** @return the gate's Kafka Streams state */
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        erasures.close();
        changelogWidth.close();
        cleanup.close();
        MeshStreams.stop(streams);
        streamsMetrics.close();
        registry.close();
        keys.close();
        metrics.close();
    }
}
