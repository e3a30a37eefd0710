package io.streammesh.enforcer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streammesh.platform.ClientConfigs;
import io.streammesh.platform.MeshException;
import io.streammesh.platform.SchemaRegistry;
import io.streammesh.platform.WireAvro;
import io.streammesh.platform.PlatformApp;
import io.streammesh.platform.RecordSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy-enforcer's views, running: {@link ViewTopology} under exactly-once v2 as principal
 * {@code mesh-enforcer}. A crash and restart neither loses nor repeats a view record.
 */
public final class ViewApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ViewApp.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final KafkaStreams streams;
    private final ViewTopics topics;
    private final SchemaRegistry registry;

    private ViewApp(KafkaStreams streams, ViewTopics topics, SchemaRegistry registry) {
        this.streams = streams;
        this.topics = topics;
        this.registry = registry;
    }

    /**
     * @param clientConfig the {@code mesh-enforcer} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param secret the mesh's view secret, from which each product's hashing key is derived
     * @param meters where view counts go
     * @return the running app
     */
    public static ViewApp start(Properties clientConfig, Path stateDir, byte[] secret, MeterRegistry meters) {
        return start(clientConfig, stateDir, secret, meters, PlatformApp.ENFORCER.applicationId());
    }

    /**
     * As {@link #start(Properties, Path, byte[], MeterRegistry)} under another application id
     * (benchmarks run fresh instances side by side; the principal needs the ACLs of that id).
     *
     * @param clientConfig the principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param secret the mesh's view secret
     * @param meters where view counts go
     * @param applicationId the Kafka Streams application id
     * @return the running app
     */
    public static ViewApp start(Properties clientConfig, Path stateDir, byte[] secret, MeterRegistry meters, String applicationId) {
        var topics = new ViewTopics(Admin.create(ClientConfigs.kafkaOnly(clientConfig)));
        var registry = SchemaRegistry.connect(clientConfig);
        var wire = new WireAvro(registry);
        var topology = ViewTopology.build(RecordSerdes.registry(clientConfig),
                () -> (topic, bytes) -> wire.decode(bytes), () -> (topic, record) -> wire.encode(topic + "-value", record),
                topics::ensure, secret, meters);
        var props = ClientConfigs.kafkaOnly(clientConfig);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        props.put(StreamsConfig.METADATA_MAX_AGE_CONFIG, "5000");
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1");
        // A crashed instance's partitions move to the others after 10 s, not Kafka's default 45 s.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "3000");
        var streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("policy-enforcer view thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        // Kafka Streams' own metrics (consumer lag records-lag-max among them) beside the view counts.
        new KafkaStreamsMetrics(streams).bindTo(meters);
        streams.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                streams.close(Duration.ofSeconds(10));
                topics.close();
                registry.close();
                throw new MeshException("policy-enforcer views did not start (state " + streams.state() + "); see the mesh log");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted", e);
            }
        }
        return new ViewApp(streams, topics, registry);
    }

    @Override
    public void close() {
        // Leave the group on a clean stop, so that a restart gets its partitions at once, not after the session timeout.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        topics.close();
        registry.close();
    }
}
