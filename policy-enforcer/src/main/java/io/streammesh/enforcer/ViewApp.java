package io.streammesh.enforcer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streammesh.schema.MeshException;
import io.streammesh.client.ChangelogWidth;
import io.streammesh.client.MeshStreams;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.metrics.ProductGauge;
import io.streammesh.metrics.ProductLag;
import io.streammesh.metrics.TopicLag;
import io.streammesh.schema.ProductAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The policy-enforcer's views, running: {@link ViewTopology} under exactly-once v2 as principal
 * {@code mesh-enforcer}. A crash and restart neither loses nor repeats a view record.
 */
public final class ViewApp implements AutoCloseable {

    /** How often the held records' changelog is checked against the widest product topic. */
    private static final Duration CHANGELOG_CHECK_EVERY = Duration.ofSeconds(1);
    /** How often the view lag ({@code mesh.view.lag}) is read from the consumers' own metrics. */
    private static final Duration LAG_EVERY = Duration.ofSeconds(5);
    /** The KEKs of an enforcer started without the mesh's: encrypted products' records then go to their views' dead letters. */
    private static final String OWN_KEKS = "keks";

    private final KafkaStreams streams;
    private final ViewPreparer preparer;
    private final SchemaRegistry registry;
    private final ChangelogWidth changelogWidth;
    private final ProductLag viewLag;
    private final SubjectKeys keys;

    private ViewApp(KafkaStreams streams, ViewPreparer preparer, SchemaRegistry registry, ChangelogWidth changelogWidth,
            ProductLag viewLag, SubjectKeys keys) {
        this.keys = keys;
        this.streams = streams;
        this.preparer = preparer;
        this.registry = registry;
        this.changelogWidth = changelogWidth;
        this.viewLag = viewLag;
    }

    /**
     * @param clientConfig the {@code mesh-enforcer} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param secret the mesh's view secret, from which each product's hashing key is derived
     * @param meters where view counts, the view lag per product ({@code mesh.view.lag}) and Kafka Streams' metrics go
     * @return the running app
     */
    public static ViewApp start(MeshClientConfig clientConfig, Path stateDir, byte[] secret, MeterRegistry meters) {
        return start(clientConfig, stateDir, secret, meters, PlatformApp.ENFORCER.applicationId());
    }

    /**
     * As {@link #start(MeshClientConfig, Path, byte[], MeterRegistry)}, opening the encrypted
     * fields of products in memory with the subjects' data keys: {@code mesh.keys.<domain>}, read
     * only, unwrapped with the local KEKs in {@code kekDir}.
     *
     * @param clientConfig the {@code mesh-enforcer} principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param secret the mesh's view secret
     * @param meters where view counts go
     * @param kekDir where the domains' local key-encryption keys are kept, shared with the gate (the state directory's {@code keks})
     * @return the running app
     */
    public static ViewApp start(MeshClientConfig clientConfig, Path stateDir, byte[] secret, MeterRegistry meters, Path kekDir) {
        return start(clientConfig, stateDir, secret, meters, PlatformApp.ENFORCER.applicationId(), kekDir);
    }

    /**
     * As {@link #start(MeshClientConfig, Path, byte[], MeterRegistry)} under another application id
     * (benchmarks run fresh instances side by side; the principal needs the ACLs of that id).
     *
     * @param clientConfig the principal's client config
     * @param stateDir where Kafka Streams keeps local state
     * @param secret the mesh's view secret
     * @param meters where view counts go
     * @param applicationId the Kafka Streams application id
     * @return the running app
     */
    public static ViewApp start(MeshClientConfig clientConfig, Path stateDir, byte[] secret, MeterRegistry meters, String applicationId) {
        return start(clientConfig, stateDir, secret, meters, applicationId, stateDir.resolve(OWN_KEKS));
    }

    /**
     * @param clientConfig the principal's client config (READ on the key topics to open encrypted products)
     * @param stateDir where Kafka Streams keeps local state
     * @param secret the mesh's view secret
     * @param meters where view counts go
     * @param applicationId the Kafka Streams application id
     * @param kekDir where the domains' local key-encryption keys are kept
     * @return the running app
     */
    public static ViewApp start(MeshClientConfig clientConfig, Path stateDir, byte[] secret, MeterRegistry meters, String applicationId,
                                Path kekDir) {
        // kept fresh in the background, so that the stream thread finds keys at hand rather than asking for a read each second
        var keys = SubjectKeys.reader(clientConfig, kekDir).refreshingInBackground();
        try {
            return start(clientConfig, stateDir, secret, meters, applicationId, keys);
        } catch (RuntimeException e) {
            keys.close();
            throw e;
        }
    }

    private static ViewApp start(MeshClientConfig clientConfig, Path stateDir, byte[] secret, MeterRegistry meters, String applicationId,
                                 SubjectKeys keys) {
        var registry = SchemaRegistry.connect(clientConfig);
        var wire = new WireAvro(registry);
        var preparer = new ViewPreparer(new ViewTopics(Admin.create(clientConfig.kafka())), wire);
        var topology = ViewTopology.build(RecordSerdes.registry(clientConfig), RecordFraming.wire(wire), preparer, secret,
                PreparedKeys.reading(keys, PreparedKeys.thread()), meters);
        var streams = MeshStreams.create(topology, MeshStreams.independentPartitions(MeshStreams.exactlyOnce(clientConfig, applicationId, stateDir)));
        // Kafka Streams' own metrics (consumer lag records-lag-max among them) beside the view counts.
        new KafkaStreamsMetrics(streams).bindTo(meters);
        // A product published or republished with more partitions than any before widens the views' tasks.
        var changelogWidth = new ChangelogWidth(Admin.create(clientConfig.kafka()), applicationId, ViewTopology.PRODUCT_TOPICS,
                CHANGELOG_CHECK_EVERY);
        try {
            MeshStreams.start(streams, "policy-enforcer views");
        } catch (MeshException e) {
            changelogWidth.close();
            preparer.close();
            registry.close();
            throw e;
        }
        var viewLag = ProductLag.start(new ProductGauge(meters, "mesh.view.lag", "records of the product the views have not processed yet",
                "records"), new TopicLag(streams::metrics), ProductAddress::isValid, LAG_EVERY);
        return new ViewApp(streams, preparer, registry, changelogWidth, viewLag, keys);
    }

    /** @return the views' Kafka Streams state */
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        viewLag.close();
        changelogWidth.close();
        MeshStreams.stop(streams);
        preparer.close();
        registry.close();
        keys.close();
    }
}
