package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.authorizer.AuditAuthorizerConfig;
import io.streammesh.authorizer.AuditingAuthorizer;
import io.streammesh.authorizer.BrokerMetricsReporter;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.keys.KekSource;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.DirectoryKms;
import io.streammesh.testing.KafkaServerProcess;
import io.streammesh.testing.TopicReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path an operator takes to a cluster of their own, without Docker: Kafka's own
 * {@code kafka.Kafka} in a JVM of its own from a {@code server.properties} (SASL, ACLs, the audit
 * authorizer's drop-in jar), the registry server's jar as its own process, then only {@code mesh}
 * commands: {@code platform init} (twice: the second changes nothing), {@code domain add} and
 * {@code principal add} with mesh-admin's client config, each platform app as {@code mesh app …}
 * in its own JVM, and the demo flow through them: publish, produce through the ingest topic, the
 * gate to the product and the DLQ, the view, a request approved, the view read with the grant,
 * the audit chain verified. The apps' key-encryption keys are in a KMS their client configs name
 * ({@link KekSource}), not in a state directory they share. No embedded broker or harness anywhere.
 */
class OperatorPathIT {

    private static final Path PLUGIN_JAR = Path.of(System.getProperty("audit.plugin.jar", "target/audit-plugin/audit-authorizer-broker-plugin.jar"));
    private static final ProductAddress PRODUCT = ProductAddress.parse("orders.order-placed.v1");
    private static final Path EXAMPLES = Path.of("..", "examples", "orders");
    /** The example's 8 orders are all valid; 7 are not shipped to DE, which the analytics view filters out. */
    private static final int ORDERS = 8;
    private static final int ORDERS_IN_VIEW = 7;
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration FLOW = Duration.ofSeconds(60);

    /** Kept when the test fails: server.properties, every process's output. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final List<AutoCloseable> processes = new ArrayList<>();
    /** Each part's /metrics, as an operator's Prometheus would scrape it. */
    private final Map<String, URI> metrics = new LinkedHashMap<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }

    @Test
    @Timeout(600)
    void anOperatorsClusterBootstrappedWithMeshCommandsRunsTheDemoFlowEndToEnd() throws Exception {
        String adminPassword = CredentialStore.newPassword();
        Path state = dir.resolve("state");
        int registryPort = freePort();
        Process registry = startRegistry(state.resolve("credentials"), registryPort);
        MeshClientConfig admin = MeshClientConfig.of("127.0.0.1:" + freePort(), MeshPrincipal.ADMIN.name(),
                URI.create("http://127.0.0.1:" + registryPort + "/apis/registry/v2"), adminPassword);
        Path adminConfig = dir.resolve("admin.properties");
        admin.store(adminConfig);
        startBroker(admin, adminConfig);
        await().atMost(START).until(() -> ready("http://127.0.0.1:" + registryPort + "/health/ready") && registry.isAlive());

        var init = mesh("platform", "init", "--client-config", adminConfig.toString(), "--state-dir", state.toString());
        assertThat(init.out()).contains("Platform initialised on " + admin.bootstrap(), "New principals   mesh-admin, mesh-audit, mesh-catalog, mesh-enforcer, mesh-gate");
        var again = mesh("platform", "init", "--client-config", adminConfig.toString(), "--state-dir", state.toString());
        assertThat(again.out()).startsWith("The platform on " + admin.bootstrap() + " (registry http://127.0.0.1:" + registryPort
                + ") is in place already: nothing changed.");
        // A cluster of an older version: its grants topic kept tombstones the broker's default day.
        try (Admin kafka = Admin.create(admin.kafka())) {
            kafka.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, MeshTopics.ACCESS_GRANTS),
                    List.of(new AlterConfigOp(new ConfigEntry("delete.retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all().get();
            await().atMost(START).until(() -> kafka.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, MeshTopics.ACCESS_GRANTS)))
                    .all().get().values().iterator().next().get("delete.retention.ms").source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        }
        var upgrade = mesh("platform", "init", "--client-config", adminConfig.toString(), "--state-dir", state.toString());
        assertThat(upgrade.out()).contains("0 topics, 0 principals and 0 ACLs created; 1 topics given this version's configs",
                "Configured       " + MeshTopics.ACCESS_GRANTS + " [delete.retention.ms=2592000000]");

        mesh("domain", "add", "orders", "--client-config", adminConfig.toString(), "--state-dir", state.toString());
        mesh("principal", "add", "analytics", "--client-config", adminConfig.toString(), "--state-dir", state.toString());
        Path clients = state.resolve("clients");
        // The apps' KEKs in a KMS the client configs name, not the local keysets: apps on machines of their own share no state directory.
        Path kms = dir.resolve("kms");
        for (PlatformApp app : List.of(PlatformApp.GATE, PlatformApp.ENFORCER, PlatformApp.CATALOG)) {
            Files.writeString(clients.resolve(app.principal().name() + ".properties"),
                    System.lineSeparator() + KekSource.KEK_URI + "=" + DirectoryKms.uriTemplate(kms) + System.lineSeparator(), StandardOpenOption.APPEND);
        }
        int catalogPort = freePort();
        String catalogUrl = "http://127.0.0.1:" + catalogPort;
        int ingestPort = freePort();
        startApps(state, List.of(List.of("catalog", "--port", Integer.toString(catalogPort)), List.of("audit"), List.of("enforcer"),
                List.of("gate", "--catalog-url", catalogUrl, "--ingest-port", Integer.toString(ingestPort))));
        assertThat(metrics).containsOnlyKeys("broker", "catalog", "audit", "enforcer", "gate");

        String orders = clients.resolve("orders.properties").toString();
        mesh("product", "publish", contractWithoutLineage().toString(), "--client-config", orders, "--catalog-url", catalogUrl);
        mesh("produce", PRODUCT.toString(), "--file", EXAMPLES.resolve("order-placed.jsonl").toString(), "--client-config", orders,
                "--ingest-url", "http://127.0.0.1:" + ingestPort);
        produceGarbageToIngest(MeshClientConfig.load(Path.of(orders)));

        var reader = TopicReader.of(admin.kafka(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        assertThat(awaitCommitted(reader, PRODUCT.topic(), ORDERS)).hasSize(ORDERS);
        assertThat(awaitCommitted(reader, PRODUCT.deadLetterTopic(), 1)).hasSize(1);
        String view = PRODUCT.viewTopic("analytics");
        assertThat(awaitCommitted(reader, view, ORDERS_IN_VIEW)).hasSize(ORDERS_IN_VIEW);

        String analytics = clients.resolve("analytics.properties").toString();
        var request = mesh("access", "request", PRODUCT.toString(), "--view", "analytics", "--group", "analytics",
                "--purpose", "weekly sales dashboard", "--duration", "30d", "--client-config", analytics, "--catalog-url", catalogUrl);
        Matcher id = Pattern.compile("request (\\S+)").matcher(request.out());
        assertThat(id.find()).as("a request id in: %s", request.out()).isTrue();
        var refused = CommandRun.of("consume", view, "--client-config", analytics, "--group", "analytics", "--from-beginning",
                "--max", "1", "--timeout", "5s");
        assertThat(refused.exitCode()).as("a read before the approval").isEqualTo(Mesh.FAILED);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).startsWith("mesh: User:analytics may not read " + view + ": ask its owner, User:orders, for a grant");
        mesh("access", "approve", id.group(1), "--client-config", orders, "--catalog-url", catalogUrl);

        var read = await().atMost(FLOW).until(() -> CommandRun.of("consume", view, "--client-config", analytics, "--group", "analytics",
                "--from-beginning", "--max", Integer.toString(ORDERS_IN_VIEW), "--timeout", "10s", "-o", "json"), run -> run.exitCode() == Mesh.OK);
        assertThat(read.out().lines()).hasSize(ORDERS_IN_VIEW).allSatisfy(line -> assertThat(line).doesNotContain("@example.com"));
        // The gate encrypted the orders' e-mail addresses, and the enforcer opened them to hash them, with the KMS's KEK.
        assertThat(kms.resolve("orders.kek.json")).exists();
        assertThat(state.resolve("keks").resolve("orders.kek.json")).doesNotExist();

        // The broker's authorizer (the drop-in jar) and the apps report; audit-sink chains it all in mesh.audit.
        var verify = await().atMost(FLOW).until(() -> mesh("audit", "verify", "--client-config", adminConfig.toString()),
                run -> auditedEvents(run.out()) > 0);
        assertThat(verify.out()).startsWith("mesh.audit is intact: ");

        await().atMost(FLOW).untilAsserted(this::everyPartServesItsNamedMetrics);

        // The catalog's key service opens them, with the same KMS, for a team granted decryption.
        var decrypting = mesh("access", "request", PRODUCT.toString(), "--view", "full", "--group", "analytics.fraud", "--purpose", "fraud checks",
                "--decrypt", "--client-config", analytics, "--catalog-url", catalogUrl);
        Matcher decryptId = Pattern.compile("request (\\S+)").matcher(decrypting.out());
        assertThat(decryptId.find()).as("a request id in: %s", decrypting.out()).isTrue();
        mesh("access", "approve", decryptId.group(1), "--client-config", orders, "--catalog-url", catalogUrl);
        var opened = await().atMost(FLOW).until(() -> CommandRun.of("consume", PRODUCT.toString(), "--group", "analytics.fraud", "--decrypt",
                "--from-beginning", "--max", Integer.toString(ORDERS), "--timeout", "10s", "-o", "json", "--client-config", analytics,
                "--catalog-url", catalogUrl), run -> run.exitCode() == Mesh.OK);
        assertThat(opened.out().lines()).hasSize(ORDERS).anySatisfy(line -> assertThat(line).contains("\"ana@example.com\""));
    }

    /** Kafka's broker (the plugin jar's reporter) and each app process, scraped as Prometheus scrapes them. */
    private void everyPartServesItsNamedMetrics() throws IOException, InterruptedException {
        String product = "{product=\"" + PRODUCT + "\"}";
        assertThat(scrape("broker")).containsPattern("kafka_server_brokertopicmetrics_messagesinpersec_per_topic_total\\{topic=\""
                        + Pattern.quote(PRODUCT.topic()) + "\"} [1-9]")
                .containsPattern("kafka_plugins_mesh_authorizer_decisions_total\\{[^}]*outcome=\"denied\"[^}]*role=\"broker\"} [1-9]");
        assertThat(scrape("catalog")).contains("mesh_product_freshness_seconds" + product, "mesh_product_health" + product + " 0.0");
        assertThat(scrape("enforcer")).contains("mesh_grants_active" + product + " 1.0", "mesh_view_lag_records" + product);
        assertThat(scrape("gate")).containsPattern("mesh_gate_records_total\\{outcome=\"accepted\",product=\"" + Pattern.quote(PRODUCT.toString())
                + "\",rule=\"none\"} [1-9]");
        assertThat(scrape("gate")).as("the file went through the gate's HTTP ingest, its producer counted there")
                .containsPattern("mesh_product_records_total\\{outcome=\"sent\",product=\"" + Pattern.quote(PRODUCT.toString()) + "\",rule=\"none\"} 8");
        assertThat(scrape("audit")).contains("mesh_audit_chain_intact 1.0").containsPattern("mesh_audit_events_total\\{type=\"authorization\"} [1-9]");
    }

    private String scrape(String part) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.get(part)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(part + " /metrics").isEqualTo(200);
        return response.body();
    }

    /** The registry server's jar, as an operator (or the compose file) runs it, checking the state directory's credential store. */
    private Process startRegistry(Path credentials, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        var registry = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dmesh.credentials=" + credentials.toAbsolutePath(), "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-jar", EmbeddedMesh.registryServerJar().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile());
        registry.environment().put("REGISTRY_DATASOURCE_URL", "jdbc:h2:file:" + dir.resolve("registry-data").toAbsolutePath() + ";LOCK_TIMEOUT=10000");
        Process process = registry.start();
        processes.add(() -> stop(process));
        return process;
    }

    /** KRaft combined mode, clients over SCRAM-SHA-512 (mesh-admin's added at format time), the audit authorizer's jar. */
    private void startBroker(MeshClientConfig admin, Path adminConfig) throws IOException, InterruptedException {
        int clientPort = Integer.parseInt(admin.bootstrap().substring(admin.bootstrap().lastIndexOf(':') + 1));
        int controllerPort = freePort();
        String password = admin.password().reveal();
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"mesh-admin\" password=\""
                + password + "\" user_mesh-admin=\"" + password + "\";";
        var settings = new LinkedHashMap<String, String>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        settings.put("listeners", "CLIENT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        settings.put("advertised.listeners", "CLIENT://127.0.0.1:" + clientPort);
        settings.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        settings.put("inter.broker.listener.name", "CLIENT");
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        settings.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        settings.put("sasl.mechanism.controller.protocol", "PLAIN");
        settings.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        settings.put("listener.name.client.plain.sasl.jaas.config", plain);
        settings.put("listener.name.controller.plain.sasl.jaas.config", plain);
        settings.put("listener.name.client.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        settings.put("authorizer.class.name", AuditingAuthorizer.class.getName());
        settings.put(AuditAuthorizerConfig.CLIENT_CONFIG, adminConfig.toString());
        settings.put(AuditAuthorizerConfig.SPOOL_DIR, dir.resolve("audit-spool").toString());
        int metricsPort = freePort();
        settings.put("metric.reporters", BrokerMetricsReporter.class.getName());
        settings.put(AuditAuthorizerConfig.METRICS_PORT, Integer.toString(metricsPort));
        metrics.put("broker", URI.create("http://127.0.0.1:" + metricsPort + "/metrics"));
        settings.put("super.users", "User:mesh-admin");
        settings.put("allow.everyone.if.no.acl.found", "false");
        settings.put("auto.create.topics.enable", "false");
        settings.put("log.dirs", dir.resolve("kafka-data").toString());
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        Path brokerDir = Files.createDirectories(dir.resolve("broker"));
        processes.add(KafkaServerProcess.start(brokerDir, settings,
                List.of("--add-scram", "SCRAM-SHA-512=[name=mesh-admin,password=" + password + "]"), List.of(PLUGIN_JAR)));
    }

    /**
     * Each {@code mesh app <app> <options>} in a JVM of its own, as an operator runs it, with the
     * client config platform init wrote for its principal; one after the other, so that each
     * boots within {@link #START} however loaded the machine.
     */
    private void startApps(Path state, List<List<String>> apps) throws IOException {
        for (List<String> appAndOptions : apps) {
            String app = appAndOptions.get(0);
            String principal = PlatformApp.valueOf(app.toUpperCase()).principal().name();
            var args = new ArrayList<>(List.of("app", app, "--client-config",
                    state.resolve("clients").resolve(principal + ".properties").toString(), "--state-dir", state.toString()));
            args.addAll(appAndOptions.subList(1, appAndOptions.size()));
            int metricsPort = freePort();
            args.addAll(List.of("--metrics-port", Integer.toString(metricsPort)));
            metrics.put(app, URI.create("http://127.0.0.1:" + metricsPort + "/metrics"));
            MeshProcess process = MeshProcess.start(dir, args.toArray(String[]::new));
            processes.add(process);
            process.awaitOutput(principal + " is running as", START);
            process.awaitOutput("metrics at " + metrics.get(app), START);
        }
    }

    /** Waits until the topic holds at least {@code count} committed records, then gives them all (so one too many shows). */
    private static List<ConsumerRecord<byte[], byte[]>> awaitCommitted(TopicReader<byte[], byte[]> reader, String topic, int count) {
        return await().atMost(FLOW).ignoreExceptions().until(() -> reader.committed(topic), records -> records.size() >= count);
    }

    /** Any client, any bytes: the gate dead-letters what is neither Avro of the product's schema nor a JSON object. */
    private static void produceGarbageToIngest(MeshClientConfig orders) {
        var config = orders.kafka();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            await().atMost(FLOW).ignoreExceptions().until(() -> producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-9", "not an order"))
                    .get() != null);
        }
    }

    /** The demo contract names customers' product as its input, which this mesh does not have. */
    private Path contractWithoutLineage() throws IOException {
        Files.copy(EXAMPLES.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        return Files.writeString(dir.resolve("order-placed.yaml"), Files.readString(EXAMPLES.resolve("order-placed.yaml"))
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
    }

    /** @return the events {@code mesh audit verify} found chained, 0 when it printed no count */
    private static long auditedEvents(String verified) {
        Matcher events = Pattern.compile("^mesh\\.audit is intact: (\\d+) events").matcher(verified);
        return events.find() ? Long.parseLong(events.group(1)) : 0;
    }

    private static CommandRun mesh(String... args) {
        var run = CommandRun.of(args);
        assertThat(run.exitCode()).as("mesh %s: %s%s", String.join(" ", args), run.out(), run.err()).isEqualTo(Mesh.OK);
        return run;
    }

    private static boolean ready(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
