package io.streammesh.cli;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.connector.IngestApi;
import io.streammesh.embedded.StartedParts;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.metrics.MetricsEndpoint;
import io.streammesh.schema.MeshException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mesh app catalog|audit|enforcer|gate}: one platform app on its own, against any cluster
 * {@code mesh platform init} bootstrapped, until Ctrl-C; it starts the app as {@code mesh up}
 * does in its process. Instances of an app share the work.
 */
@Command(name = "app", mixinStandardHelpOptions = true,
        description = {"Runs one platform app on its own, against any cluster, until Ctrl-C (mesh up runs them all in its process).",
                "Each runs as its platform principal, from the client config mesh platform init wrote for it."})
final class AppCommand {

    @Spec
    CommandSpec spec;

    /** The options every app takes. */
    static final class AppOptions {
        @Mixin
        StateDirOption state;

        @Option(names = "--client-config", paramLabel = "FILE", required = true,
                description = "The app principal's client config (e.g. <state-dir>/clients/mesh-gate.properties), with apicurio.registry.url.")
        Path clientConfig;

        @Option(names = "--app-dir", paramLabel = "DIR",
                description = "Where Kafka Streams keeps local state (default: <state-dir>/apps/<app>).")
        Path appDir;

        /**
         * @param app the app to run
         * @return its client config
         * @throws MeshException if the file logs in as another principal: the app's ACLs are its principal's
         */
        MeshClientConfig clientConfig(PlatformApp app) {
            MeshClientConfig config = MeshClientConfig.load(clientConfig);
            if (!config.principal().equals(app.principal().name())) {
                throw new MeshException("mesh app " + app.name().toLowerCase() + " runs as " + app.principal().kafkaPrincipal()
                        + ", but " + clientConfig + " logs in as " + config.kafkaPrincipal());
            }
            return config;
        }

        Path appDir(PlatformApp app) {
            return appDir != null ? appDir : state.directory().apps().resolve(app.applicationId());
        }
    }

    @Command(name = "catalog", mixinStandardHelpOptions = true, description = "Runs catalog-stream and its REST API.")
    int catalog(@Mixin AppOptions options,
                @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + CatalogConfig.DEFAULT_REST_PORT,
                        description = "The REST API's port (default: ${DEFAULT-VALUE}; 0 picks a free one).") int port,
                @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
                        description = "The address the REST API binds to and other instances reach it at (default: ${DEFAULT-VALUE}).") String host,
                @Option(names = "--credentials", paramLabel = "FILE",
                        description = "The credential store REST callers authenticate against (default: the state directory's).")
                Path credentials,
                @Option(names = "--access-history", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "90d",
                        description = "How long requests that were rejected, denied or withdrawn, grants that ended and access rejections "
                                + "stay in the catalog (default: ${DEFAULT-VALUE}); the audit trail keeps them.") Duration accessHistory,
                @Mixin AppMetricsOption metrics) throws InterruptedException {
        PlatformApp app = PlatformApp.CATALOG;
        if (accessHistory.compareTo(Duration.ofHours(1)) < 0 || accessHistory.compareTo(CatalogConfig.MAX_ACCESS_HISTORY) > 0) {
            // shorter, and a request could leave the catalog before the person who decided it sees the verdict
            throw new UsageError("--access-history takes 1h to 36500d, got " + accessHistory);
        }
        var config = CatalogConfig.embedded(options.clientConfig(app), options.appDir(app),
                credentials != null ? credentials : options.state.directory().credentials(), port).withRest(host, port)
                .withAccessHistory(accessHistory);
        return run(app, running -> {
            CatalogApp catalog = running.add(CatalogApp.start(config, metrics.start(), options.state.directory().keks()));
            return "REST API at " + catalog.restUrl() + "/api, metrics at " + catalog.metricsUrl();
        });
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Runs audit-sink: the consumption ledger and the hash-chained mesh.audit.")
    int audit(@Mixin AppOptions options, @Mixin AppMetricsOption metrics) throws InterruptedException {
        PlatformApp app = PlatformApp.AUDIT;
        var config = AuditConfig.embedded(options.clientConfig(app), options.appDir(app));
        return run(app, running -> {
            AuditApp audit = running.add(AuditApp.start(config, metrics.start()));
            return "appending to mesh.audit, metrics at " + audit.metricsUrl();
        });
    }

    @Command(name = "enforcer", mixinStandardHelpOptions = true, description = "Runs the policy-enforcer: grants as broker ACLs, and the views.")
    int enforcer(@Mixin AppOptions options,
                 @Option(names = "--view-secret", paramLabel = "FILE",
                         description = "The key hashed view fields derive from, made if missing; every enforcer instance needs the same "
                                 + "(default: <state-dir>/view.secret).") Path viewSecret,
                 @Mixin AppMetricsOption metrics) throws InterruptedException {
        PlatformApp app = PlatformApp.ENFORCER;
        MeshClientConfig config = options.clientConfig(app);
        byte[] secret = viewSecret != null ? ViewSecret.of(viewSecret) : ViewSecret.of(options.state.directory());
        Path appDir = options.appDir(app);
        return run(app, running -> {
            // grants and views serve one endpoint, as in mesh up
            MetricsEndpoint endpoint = running.add(metrics.start());
            running.add(GrantEnforcer.start(config, endpoint.meters()));
            running.add(ViewApp.start(config, appDir, secret, endpoint.meters(), options.state.directory().keks()));
            return "grants and views, metrics at " + endpoint.url();
        });
    }

    @Command(name = "gate", mixinStandardHelpOptions = true, description = "Runs the contract gate: <address>.ingest to the product or its .dlq.")
    int gate(@Mixin AppOptions options, @Mixin AppMetricsOption metrics,
             @Option(names = "--catalog-url", paramLabel = "URL",
                     description = "The catalog REST API's base URL: with it, the gate also serves the HTTP ingest, which checks its callers' "
                             + "logins there (mesh produce --ingest-url, POST /api/products/<address>/records).") String catalogUrl,
             @Option(names = "--ingest-port", paramLabel = "PORT", defaultValue = "0",
                     description = "The HTTP ingest's port (default: ${DEFAULT-VALUE}, a free one).") int ingestPort,
             @Option(names = "--ingest-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
                     description = "The address the HTTP ingest binds to (default: ${DEFAULT-VALUE}).") String ingestHost)
            throws InterruptedException {
        PlatformApp app = PlatformApp.GATE;
        MeshClientConfig config = options.clientConfig(app);
        Path appDir = options.appDir(app);
        return run(app, running -> {
            // The domains' key-encryption keys are the state directory's, where `mesh keys rotate` finds them; keys
            // kept in an app directory would be lost with it, and every data key they wrap with them.
            MetricsEndpoint endpoint = metrics.start();
            GateApp gate = running.add(GateApp.start(config, appDir, GateApp.CLEANUP_EVERY, endpoint, options.state.directory().keks()));
            if (catalogUrl == null) {
                return "metrics at " + gate.metricsUrl();
            }
            IngestApi ingest = running.add(IngestApi.start(ingestHost, ingestPort, catalogUrl, config, endpoint.meters()));
            return "metrics at " + gate.metricsUrl() + ", HTTP ingest at " + ingest.url();
        });
    }

    /** What starts an app's parts, adding each to those stopped on Ctrl-C, and says where it serves. */
    @FunctionalInterface
    private interface Start {
        String start(StartedParts running);
    }

    private int run(PlatformApp app, Start start) throws InterruptedException {
        var running = new StartedParts();
        String serving;
        try {
            serving = start.start(running);
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, app.applicationId() + "-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s is running as %s: %s (Ctrl-C to stop)%n", app.applicationId(), app.principal().kafkaPrincipal(), serving);
        out.flush();
        stopped.await();
        return Mesh.OK;
    }
}
