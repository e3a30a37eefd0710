package io.streammesh.connector;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshStreams;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordSerdes;
import io.streammesh.client.SchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The contract gate, running: {@link GateTopology} under exactly-once v2 as principal
 * {@code mesh-gate}, the only writer of product topics, and the {@link IngestCleanup} of what it
 * has processed. A crash and restart neither loses nor repeats a product or dead-letter record.
 */
public final class GateApp implements AutoCloseable {

    /** How often processed ingest records are deleted. */
    public static final Duration CLEANUP_EVERY = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final SchemaRegistry registry;
    private final IngestCleanup cleanup;

    private GateApp(KafkaStreams streams, SchemaRegistry registry, IngestCleanup cleanup) {
        this.streams = streams;
        this.registry = registry;
        this.cleanup = cleanup;
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
     * @return the running gate
     * @throws MeshException if it does not start
     */
    public static GateApp start(MeshClientConfig clientConfig, Path stateDir, Duration cleanupEvery) {
        String applicationId = PlatformApp.GATE.applicationId();
        var registry = SchemaRegistry.connect(clientConfig);
        var topology = GateTopology.build(GateConfig.of(RecordSerdes.registry(clientConfig), ProductSchemas.registry(registry)));
        var streams = new KafkaStreams(topology, MeshStreams.exactlyOnce(clientConfig, applicationId, stateDir));
        try {
            MeshStreams.start(streams, "contract gate");
        } catch (MeshException e) {
            registry.close();
            throw e;
        }
        var cleanup = new IngestCleanup(Admin.create(clientConfig.kafka()), applicationId, cleanupEvery);
        return new GateApp(streams, registry, cleanup);
    }

    @Override
    public void close() {
        cleanup.close();
        MeshStreams.stop(streams);
        registry.close();
    }
}
