package io.streammesh.catalog;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streammesh.credentials.CredentialCheck;
import io.streammesh.metrics.MetricsEndpoint;
import io.streammesh.metrics.MetricsPorts;
import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.MeshStreams;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshTopics;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.SubjectKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * catalog-stream, running: the {@link CatalogTopology} and, as an app (group) of its own, the
 * {@link HealthTopology}, both under exactly-once v2 as principal {@code mesh-catalog}, and the
 * REST API. Records they cannot process go to {@value #DEAD_LETTER_TOPIC} and the apps keep running.
 *
 * <pre>{@code
 * try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(clientConfig, stateDir, credentials, 8080))) {
 *     String api = catalog.restUrl();   // http://127.0.0.1:8080/api/products
 * }
 * }</pre>
 */
public final class CatalogApp implements AutoCloseable {

    /** Where records the app cannot process go, with Kafka Streams' error headers. */
    public static final String DEAD_LETTER_TOPIC = MeshTopics.deadLetter(PlatformApp.CATALOG.applicationId());

    private static final Logger LOG = LoggerFactory.getLogger(CatalogApp.class);
    /**
     * Where a catalog started without the mesh's key directory keeps local KEKs, inside its own
     * state (tests): its key service then unwraps no data key the contract gate wrapped.
     */
    private static final String OWN_KEKS = "keks";

    private final KafkaStreams streams;
    /** Product health ({@link HealthTopology}): a group of its own, which publishing products rebalances. */
    private final KafkaStreams health;
    private final String host;
    private final CatalogApi api;
    private final RestAccessLog accessLog;
    private final GateLagPoller gateLags;
    private final MetricsEndpoint metrics;
    private final KafkaStreamsMetrics streamsMetrics;
    private final KafkaStreamsMetrics healthMetrics;
    private final KeyService keyService;

    private CatalogApp(KafkaStreams streams, KafkaStreams health, String host, CatalogApi api, RestAccessLog accessLog, GateLagPoller gateLags,
                       MetricsEndpoint metrics, KafkaStreamsMetrics streamsMetrics, KafkaStreamsMetrics healthMetrics, KeyService keyService) {
        this.keyService = keyService;
        this.streams = streams;
        this.health = health;
        this.healthMetrics = healthMetrics;
        this.host = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        this.api = api;
        this.accessLog = accessLog;
        this.gateLags = gateLags;
        this.metrics = metrics;
        this.streamsMetrics = streamsMetrics;
    }

    /**
     * Starts the app and waits until it is running.
     *
     * @param config how to run it
     * @return the running app; close it to stop it
     * @throws MeshException if it cannot start
     */
    public static CatalogApp start(CatalogConfig config) {
        return start(config, MetricsEndpoint.start(MetricsPorts.LOCAL, 0));
    }

    /**
     * Starts the app and waits until it is running, its key service reading the domains' KEKs in {@code kekDir}.
     *
     * @param config how to run it
     * @param kekDir where the domains' local key-encryption keys are kept ({@link LocalKms}), shared with the contract gate
     * @return the running app; close it to stop it
     * @throws MeshException if it cannot start
     */
    public static CatalogApp start(CatalogConfig config, Path kekDir) {
        return start(config, MetricsEndpoint.start(MetricsPorts.LOCAL, 0), kekDir);
    }

    /**
     * Starts the app and waits until it is running, its metrics served apart from the REST API.
     *
     * @param config how to run it
     * @param metrics where its metrics are served; the app closes it when it stops (or fails to start)
     * @return the running app; close it to stop it
     * @throws MeshException if it cannot start
     */
    public static CatalogApp start(CatalogConfig config, MetricsEndpoint metrics) {
        return start(config, metrics, config.stateDir().resolve(OWN_KEKS));
    }

    /**
     * Starts the app and waits until it is running, its key service reading the domains' KEKs in
     * {@code kekDir} (the mesh's, shared with the contract gate that wraps the data keys).
     *
     * @param config how to run it
     * @param metrics where its metrics are served; the app closes it when it stops (or fails to start)
     * @param kekDir where the domains' local key-encryption keys are kept ({@link LocalKms})
     * @return the running app; close it to stop it
     * @throws MeshException if it cannot start
     */
    public static CatalogApp start(CatalogConfig config, MetricsEndpoint metrics, Path kekDir) {
        try {
            return start(config, metrics, new ProductHealthMeters(metrics.meters()), kekDir);
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
    }

    private static CatalogApp start(CatalogConfig config, MetricsEndpoint metrics, ProductHealthMeters healthMeters, Path kekDir) {
        int accessPartitions = prepareTopics(config.clientConfig());
        RestAccessLog accessLog = null;
        KeyService keyService = null;
        GateLagPoller gateLags = null;
        CatalogApi api = null;
        KafkaStreams streams = null;
        KafkaStreams health = null;
        KafkaStreamsMetrics streamsMetrics = null;
        KafkaStreamsMetrics healthMetrics = null;
        try {
            accessLog = new RestAccessLog(config.clientConfig());
            // read in the background: a key fetch never waits for the broker on its path, only for a subject not yet seen;
            // a reader, as the catalog's ACLs are: the key service hands keys out, it never writes the key log
            keyService = new KeyService(SubjectKeys.reader(config.clientConfig(), kekDir).refreshingInBackground(), accessLog, Clock.systemUTC());
            gateLags = new GateLagPoller(Admin.create(config.clientConfig().kafka()), config.health().checkInterval());
            // The REST port must be known before Kafka Streams starts: it is this instance's application.server.
            api = new CatalogApi(config.restHost(), config.restPort(), CredentialCheck.againstBrokerFile(config.credentials()), accessLog,
                    config.clientConfig());
            var self = new HostInfo(config.restHost(), api.port());
            var snapshots = new CatalogSnapshots();
            var serdes = RecordSerdes.registry(config.clientConfig());
            Topology catalogTopology = CatalogTopology.build(config, accessPartitions, serdes, snapshots);
            Properties catalogProperties = properties(config, self);
            // Health's tasks, from before it was an app of its own, would fail the start.
            MeshStreams.forgetRemovedSubtopologies(catalogTopology, catalogProperties);
            streams = MeshStreams.create(catalogTopology, catalogProperties);
            health = MeshStreams.create(HealthTopology.build(config, accessPartitions, serdes, gateLags, healthMeters), healthProperties(config));
            streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(metrics.meters());
            healthMetrics = new KafkaStreamsMetrics(health);
            healthMetrics.bindTo(metrics.meters());
            startBoth(streams, health);
            api.start(new CatalogQueries(streams, snapshots, self, config.clientConfig()),
                    new PublishedContracts(config.clientConfig(), ContractRenderer.installed()), keyService);
            LOG.info("catalog-stream running; REST API at http://{}:{}/api", self.host(), self.port());
            return new CatalogApp(streams, health, config.restHost(), api, accessLog, gateLags, metrics, streamsMetrics, healthMetrics,
                    keyService);
        } catch (RuntimeException e) {
            if (api != null) {
                api.close();
            }
            // Either may have started (closing is idempotent), or only been made: its clients are open either way.
            if (health != null) {
                health.close(Duration.ofSeconds(10));
            }
            if (streams != null) {
                streams.close(Duration.ofSeconds(10));
            }
            if (streamsMetrics != null) {
                streamsMetrics.close();
            }
            if (healthMetrics != null) {
                healthMetrics.close();
            }
            closeQuietly(gateLags, e);
            closeQuietly(keyService, e);
            closeQuietly(accessLog, e);
            throw e;
        }
    }

    /**
     * Starts both apps at once (each waits for its global tables and its group) and waits until
     * both run; when either fails, the other is stopped too before this returns.
     */
    private static void startBoth(KafkaStreams streams, KafkaStreams health) {
        var healthStart = new FutureTask<Void>(() -> MeshStreams.start(health, "catalog-stream's health tracking"), null);
        new Thread(healthStart, "mesh-catalog-health-start").start();
        try {
            MeshStreams.start(streams, "catalog-stream");
            healthStart.get();
        } catch (ExecutionException e) {
            MeshStreams.stop(streams);
            throw e.getCause() instanceof RuntimeException cause ? cause : new MeshException(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw stopBoth(streams, health, healthStart, new MeshException("interrupted while starting catalog-stream", e));
        } catch (RuntimeException e) {
            throw stopBoth(streams, health, healthStart, e);
        }
    }

    /** Stops both apps, the health one whether or not its start has ended (its start then sees it stopped and ends). */
    private static RuntimeException stopBoth(KafkaStreams streams, KafkaStreams health, FutureTask<Void> healthStart, RuntimeException failure) {
        health.close(Duration.ofSeconds(10));
        streams.close(Duration.ofSeconds(10));
        try {
            healthStart.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            failure.addSuppressed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return failure;
    }

    /** Closes what a failed start had started, keeping the start's failure as the one thrown. */
    private static void closeQuietly(AutoCloseable started, RuntimeException failure) {
        if (started == null) {
            return;
        }
        try {
            started.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** @return the REST API's base URL, e.g. {@code http://127.0.0.1:8080} */
    public String restUrl() {
        return "http://" + host + ":" + api.port();
    }

    /** @return where Prometheus scrapes the catalog (no login: product health and Kafka Streams' metrics, no record or grant) */
    public String metricsUrl() {
        return metrics.url();
    }

    /**
     * @return the catalog app's Kafka Streams state, unless its health tracking is not running
     *         (neither RUNNING nor REBALANCING, which each product published causes): then that
     *         app's state
     */
    public KafkaStreams.State state() {
        KafkaStreams.State healthState = health.state();
        return healthState.isRunningOrRebalancing() ? streams.state() : healthState;
    }

    static Properties properties(CatalogConfig config, HostInfo self) {
        var props = appProperties(config, PlatformApp.CATALOG.applicationId());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        return props;
    }

    /**
     * As {@link #properties} for health tracking, which no REST call queries (so no application
     * server), and whose records of different products do not wait for each other
     * ({@link MeshStreams#independentPartitions}).
     */
    static Properties healthProperties(CatalogConfig config) {
        return MeshStreams.independentPartitions(appProperties(config, HealthTopology.APPLICATION_ID));
    }

    private static Properties appProperties(CatalogConfig config, String applicationId) {
        var props = MeshStreams.exactlyOnce(config.clientConfig(), applicationId, config.stateDir());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, DEAD_LETTER_TOPIC);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        props.putAll(MeshSerdes.config(config.clientConfig(), true));
        return props;
    }

    /**
     * Creates the dead-letter topic, gives health tracking the catalog's positions on a mesh where
     * the catalog tracked health itself ({@link HealthOffsets}), and reads how many partitions the
     * repartition topics get.
     *
     * @return the partitions of {@code mesh.access.grants} ({@link AccessPartitions})
     */
    private static int prepareTopics(MeshClientConfig clientConfig) {
        try (var admin = Admin.create(clientConfig.kafka())) {
            KafkaCalls.createMissing(admin, List.of(new NewTopic(DEAD_LETTER_TOPIC, 1, (short) -1)));
            HealthOffsets.takeOver(admin);
            return AccessPartitions.read(admin);
        }
    }

    @Override
    public void close() {
        api.close();
        MeshStreams.stop(health);
        MeshStreams.stop(streams);
        gateLags.close();
        keyService.close();
        accessLog.close();
        streamsMetrics.close();
        healthMetrics.close();
        metrics.close();
    }
}
