package io.streammesh.cli;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.connector.GateApp;
import io.streammesh.connector.IngestApi;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.streammesh.embedded.BrokerMeters;
import io.streammesh.metrics.MetricsEndpoint;
import io.streammesh.metrics.MetricsPorts;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.StartedParts;
import io.streammesh.embedded.MeshConfig;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.client.MeshClientConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mesh up}: runs the whole mesh in this process until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Runs the embedded mesh until Ctrl-C: a SASL Kafka broker (KRaft) in this JVM, the Apicurio Registry, "
                + "catalog-stream with its REST API, and the policy-enforcer (views, grants as broker ACLs).",
                "Writes a Java (.properties) and a kcat (.kcat.conf) client config for every principal into "
                + "<state-dir>/clients. A second run keeps topics, data, schemas and principals."})
final class UpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StateDirOption state;

    @Option(names = "--demo", description = "Onboard the demo domains (orders, customers) with their products and a live "
            + "stream of records, and the consumer team analytics.")
    boolean demo;

    @Option(names = "--fresh", description = "Wipe the state directory's topics, schemas and principals first.")
    boolean fresh;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + MeshConfig.DEFAULT_KAFKA_PORT,
            description = "Kafka's client port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int kafkaPort;

    @Option(names = "--brokers", paramLabel = "N", defaultValue = "1",
            description = "How many Kafka brokers to run, each also a KRaft controller (default: ${DEFAULT-VALUE}). With 3, every "
                    + "topic is replicated 3 times and a write needs 2 copies, so one broker may stop; brokers 2 and 3 listen on "
                    + "the ports after --port.")
    int brokers;

    @Option(names = "--instances", paramLabel = "N", defaultValue = "1",
            description = "How many instances of each platform app to run, sharing its work (default: ${DEFAULT-VALUE}); "
                    + "every catalog instance answers REST for any key.")
    int instances;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "" + MeshConfig.DEFAULT_REGISTRY_PORT,
            description = "The registry's HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int registryPort;

    @Option(names = "--catalog-port", paramLabel = "PORT", defaultValue = "" + CatalogConfig.DEFAULT_REST_PORT,
            description = "The catalog REST API's port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int catalogPort;

    @Option(names = "--gate-metrics-port", paramLabel = "PORT", defaultValue = "0",
            description = "The port of the contract gate's Prometheus /metrics on 127.0.0.1 (default: a free one, "
                    + "printed in the ready banner).")
    int gateMetricsPort;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "0",
            description = "The first of " + MetricsPorts.PARTS + " consecutive ports of the Prometheus /metrics endpoints on 127.0.0.1, "
                    + "in the order broker, catalog, enforcer, gate, audit (default: free ports, printed in the ready banner; "
                    + "--gate-metrics-port, if given, wins for the gate).")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException {
        if (instances < 1) {
            throw new UsageError("--instances must be at least 1, got " + instances);
        }
        long started = System.nanoTime();
        var directory = state.directory();
        directory.prepare();
        LogFile.redirectTo(directory.logs().resolve("mesh.log"));
        var config = new MeshConfig(state.stateDir, null, kafkaPort, registryPort, null, fresh, true).withBrokers(brokers);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Starting StreamMesh on " + directory.root() + " ...");
        out.flush();

        var stopped = new CountDownLatch(1);
        // Everything started, stopped in reverse order: on Ctrl-C (also while starting), or when a later part cannot start.
        var running = new StartedParts();
        var shutdown = new Thread(() -> stop(out, running, stopped), "mesh-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        EmbeddedMesh mesh;
        CatalogApp catalog;
        DemoMesh demoMesh;
        GateApp gate;
        String ingestUrl;
        List<String> moreCatalogs;
        var metricsUrls = new LinkedHashMap<String, String>();
        try {
            MetricsPorts ports = metricsPorts();
            progress(out, (brokers == 1 ? "the Kafka broker" : brokers + " Kafka brokers") + " (KRaft, SASL) and the schema registry");
            mesh = running.add(EmbeddedMesh.start(config));
            metricsUrls.put("broker", brokerMetrics(ports, running).url());
            Path apps = directory.root().resolve("apps");
            progress(out, "the platform apps: catalog, audit, policy-enforcer, contract gate");
            CatalogConfig catalogConfig = CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()),
                    apps.resolve(PlatformApp.CATALOG.applicationId()), directory.credentials(), catalogPort);
            catalog = running.add(CatalogApp.start(catalogConfig, ports.start(ports.catalog()), directory.keks()));
            String catalogUrl = catalog.restUrl();
            directory.updateStatus(status -> status.withCatalogUrl(catalogUrl));
            AuditApp audit = running.add(AuditApp.start(AuditConfig.embedded(mesh.clientConfig(PlatformApp.AUDIT.applicationId()),
                    apps.resolve(PlatformApp.AUDIT.applicationId())), ports.start(ports.audit())));
            MeshClientConfig enforcerConfig = mesh.clientConfig(PlatformApp.ENFORCER.applicationId());
            // the enforcer's two parts, grants and views, serve one endpoint, as they would in one process of their own
            MetricsEndpoint enforcerMetrics = running.add(ports.start(ports.enforcer()));
            running.add(GrantEnforcer.start(enforcerConfig, enforcerMetrics.meters()));
            running.add(ViewApp.start(enforcerConfig, apps.resolve(PlatformApp.ENFORCER.applicationId()),
                    ViewSecret.of(directory), enforcerMetrics.meters(), directory.keks()));
            MetricsEndpoint gateMetrics = ports.start(ports.gate());
            MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
            gate = running.add(GateApp.start(gateConfig, apps.resolve(PlatformApp.GATE.applicationId()), GateApp.CLEANUP_EVERY, gateMetrics,
                    directory.keks()));
            // beside the gate, as a REST proxy beside its broker; the records it takes are written as each caller
            ingestUrl = running.add(IngestApi.start(catalogConfig.restHost(), 0, catalogUrl, gateConfig, gateMetrics.meters())).url();
            String ingest = ingestUrl;
            directory.updateStatus(status -> status.withIngestUrl(ingest));
            moreCatalogs = AppInstances.start(instances, mesh, directory, running);
            metricsUrls.put("catalog", catalog.metricsUrl());
            metricsUrls.put("enforcer", enforcerMetrics.url());
            metricsUrls.put("audit", audit.metricsUrl());
            if (demo) {
                progress(out, "the demo: domains orders and customers, their products and live records, team analytics");
            }
            demoMesh = demo ? running.add(DemoMesh.start(mesh, catalogUrl, catalogConfig.health().window())) : null;
        } catch (RuntimeException e) {
            stopAfterFailure(shutdown, running);
            throw e;
        }
        metricsUrls.put("gate", gate.metricsUrl());
        Banner.print(out, mesh, catalog.restUrl(), ingestUrl, metricsUrls, demoMesh == null ? List.of() : demoMesh.products(), Duration.ofNanos(System.nanoTime() - started));
        if (!moreCatalogs.isEmpty()) {
            out.printf("%d instances of each app; the catalog's REST API also at %s%n", instances, String.join(", ", moreCatalogs));
            out.flush();
        }
        stopped.await();
        return Mesh.OK;
    }

    private MetricsPorts metricsPorts() {
        MetricsPorts ports = MetricsPorts.from(MetricsPorts.LOCAL, metricsPort);
        return gateMetricsPort == 0 ? ports
                : new MetricsPorts(ports.host(), ports.broker(), ports.catalog(), ports.enforcer(), gateMetricsPort, ports.audit());
    }

    /**
     * The broker's own metrics and this JVM's (memory, GC, threads, CPU), which the embedded mesh's
     * apps share: one endpoint, started beside the broker and stopped after it.
     */
    private static MetricsEndpoint brokerMetrics(MetricsPorts ports, StartedParts running) {
        MetricsEndpoint endpoint = running.add(ports.start(ports.broker()));
        new BrokerMeters().bindTo(endpoint.meters());
        new JvmMemoryMetrics().bindTo(endpoint.meters());
        new JvmThreadMetrics().bindTo(endpoint.meters());
        new ProcessorMetrics().bindTo(endpoint.meters());
        running.add(new JvmGcMetrics()).bindTo(endpoint.meters());
        return endpoint;
    }

    /** A part could not start: the error is the message, not a stop (unless Ctrl-C is what broke the start). */
    private static void stopAfterFailure(Thread shutdown, StartedParts running) {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C during the start: the hook stops everything and says so
            return;
        }
        running.close();
    }

    private static void progress(PrintWriter out, String what) {
        out.println("  Starting " + what + " ...");
        out.flush();
    }

    /** On Ctrl-C (or SIGTERM): says so, and stops every part started, the last first. */
    private static void stop(PrintWriter out, StartedParts running, CountDownLatch stopped) {
        out.println();
        out.println("Stopping StreamMesh ...");
        out.flush();
        long started = System.nanoTime();
        running.close();
        out.printf("StreamMesh stopped (%.1f s).%n", (System.nanoTime() - started) / 1e9);
        out.flush();
        stopped.countDown();
    }

    /** The ready banner: what a new user needs to connect. */
    static final class Banner {
        private Banner() {
        }

        /** @param metricsUrls each part's Prometheus endpoint, the gate's among them */
        static void print(PrintWriter out, EmbeddedMesh mesh, String catalogUrl, String ingestUrl, Map<String, String> metricsUrls,
                          List<String> products,
                          Duration took) {
            var clients = mesh.state().clients();
            String cwd = java.nio.file.Path.of("").toAbsolutePath().toString();
            String shown = clients.toString().startsWith(cwd + "/") ? clients.toString().substring(cwd.length() + 1) : clients.toString();
            out.printf("%nStreamMesh is ready (%.1f s).%n", took.toMillis() / 1000.0);
            out.printf("  Kafka bootstrap   %s   (SASL_PLAINTEXT: SCRAM-SHA-512 or PLAIN)%n", mesh.endpoints().bootstrapServers());
            out.printf("  Schema registry   %s   (HTTP Basic: principal and password; Confluent-compatible: %s)%n",
                    mesh.endpoints().registryApiUrl(), mesh.endpoints().ccompatUrl());
            out.printf("  Catalog API       %s/api/products   (HTTP Basic: principal and password; OpenAPI at /api/openapi.yaml)%n", catalogUrl);
            out.printf("  Portal            %s/catalog   (sign in with a principal and its password from its client config)%n", catalogUrl);
            out.printf("  Ingest API        %s%s   (POST JSON Lines or CSV, HTTP Basic: written as that principal)%n", ingestUrl,
                    IngestApi.RECORDS_PATH.replace("{address}", "<address>"));
            out.printf("  Metrics           gate %s%n", metricsUrls.get("gate"));
            metricsUrls.forEach((part, url) -> {
                if (!part.equals("gate")) {
                    out.printf("                    %s %s%n", part, url);
                }
            });
            out.printf("  Client configs    %s/<principal>.properties (Java)  %s/<principal>.kcat.conf (kcat)%n", shown, shown);
            out.printf("  Principals        %s%n", String.join(", ",
                    mesh.onboarding().principals().stream().map(MeshPrincipal::name).toList()));
            out.printf("  Audit             every access hash-chained in mesh.audit: ./mesh audit verify, ./mesh audit query \"SELECT ...\"%n");
            out.printf("  Logs              %s%n", mesh.state().logs());
            if (!products.isEmpty()) {
                out.printf("  Demo products     %s (live records; a few break a quality rule, within the product's SLO, and go to <address>.dlq)%n",
                        String.join(", ", products));
            }
            out.printf("%nTry:  kcat -F %s/orders.kcat.conf -L%n", shown);
            if (!products.isEmpty()) {
                out.printf("      kcat -F %s/analytics.kcat.conf -G analytics mesh.view.orders.order-placed.v1.analytics%n", shown);
                out.println("      ./mesh catalog search");
            }
            out.println("Stop with Ctrl-C.");
            out.flush();
        }
    }
}
