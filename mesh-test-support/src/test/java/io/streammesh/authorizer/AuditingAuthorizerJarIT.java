package io.streammesh.authorizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.KafkaServerProcess;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit authorizer as an operator installs it: the one {@code broker-plugin} jar on the class
 * path of Kafka's own {@code kafka.Kafka}, in a broker process of its own configured by a
 * {@code server.properties} (KRaft combined mode, SASL PLAIN and SCRAM-SHA-512, ACLs, the keys of
 * {@link AuditAuthorizerConfig}). The harness's mesh lends only its registry, whose mesh-admin
 * login the plugin's shipper uses.
 */
@MeshTest
class AuditingAuthorizerJarIT {

    /** Copied from audit-authorizer's build by this module's pom. */
    private static final Path PLUGIN_JAR = Path.of(System.getProperty("audit.plugin.jar", "target/audit-plugin/audit-authorizer-broker-plugin.jar"));
    /** Today 4.5 MB, mostly Jackson: a library that slips in unrelocated or unneeded shows here. */
    private static final long AT_MOST_BYTES = 6_000_000;
    private static final String TOPIC = "plugin.orders.v1";
    private static final String WRITER = "plugin-writer";
    private static final String STRANGER = "plugin-stranger";
    private static final String PASSWORD = "plugin-secret";
    private static final Duration SHIPPED = Duration.ofSeconds(60);
    /** What the broker's output shows when the jar lacks a class, or brings one that clashes with the broker's. */
    private static final String[] MISSING_CLASS = {"ClassNotFoundException", "NoClassDefFoundError", "NoSuchMethodError",
            "NoSuchFieldError", "LinkageError"};

    /** Kept when a test fails: it holds the broker's server.properties and its output (server.log). */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    private static KafkaServerProcess broker;
    private static MeshClientConfig admin;
    private static URI metrics;

    @BeforeAll
    static void startTheBrokerAsAnOperatorWould(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig meshAdmin = mesh.clientConfig("mesh-admin");
        int clientPort = freePort();
        int controllerPort = freePort();
        int metricsPort = freePort();
        metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        admin = MeshClientConfig.of("127.0.0.1:" + clientPort, meshAdmin.principal(), meshAdmin.registryUrl(),
                meshAdmin.password().reveal());
        Path shipperConfig = dir.resolve("mesh-admin.properties");
        admin.store(shipperConfig);

        broker = KafkaServerProcess.start(dir, serverProperties(clientPort, controllerPort, metricsPort, shipperConfig, meshAdmin),
                List.of("--add-scram", "SCRAM-SHA-512=[name=mesh-admin,password=" + meshAdmin.password().reveal() + "]"),
                List.of(PLUGIN_JAR));

        try (Admin kafka = Admin.create(admin.kafka())) {
            kafka.createTopics(List.of(new NewTopic(MeshTopics.AUDIT_RAW, 1, (short) 1), new NewTopic(TOPIC, 1, (short) 1))).all().get();
            kafka.alterUserScramCredentials(List.of(scram(WRITER), scram(STRANGER))).all().get();
            kafka.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                    new AccessControlEntry("User:" + WRITER, "*", AclOperation.WRITE, AclPermissionType.ALLOW)))).all().get();
        }
        awaitLogin(WRITER);
        awaitLogin(STRANGER);
    }

    @AfterAll
    static void stopTheBroker() {
        if (broker != null) {
            broker.close();
            assertThat(broker.handle().isAlive()).as("the broker process after close").isFalse();
            // The plugin spools what is left as the broker stops: that path must find its classes too.
            assertThat(broker.output()).doesNotContain(MISSING_CLASS);
        }
    }

    @Test
    void thePluginJarHoldsOurClassesAndRelocatedLibrariesButNoKafkaNorSlf4j() throws IOException {
        assertThat(Files.size(PLUGIN_JAR)).isLessThan(AT_MOST_BYTES);
        try (var jar = new JarFile(PLUGIN_JAR.toFile())) {
            List<String> classes = jar.stream().map(JarEntry::getName).filter(name -> name.endsWith(".class")).toList();
            assertThat(classes).contains("io/streammesh/authorizer/AuditingAuthorizer.class",
                    "io/streammesh/authorizer/AuthorizationShipper.class", "io/streammesh/authorizer/AuthorizationSpool.class");
            assertThat(classes).allSatisfy(name -> assertThat(name).startsWith("io/streammesh/"));
            assertThat(classes).noneMatch(name -> name.startsWith("io/streammesh/schema/cel/"));
        }
    }

    @Test
    void anAllowedWriteIsAuditedWithItsPrincipalOperationAndTopic() throws Exception {
        try (var producer = new KafkaProducer<>(login(WRITER).kafka(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "order-1", "placed")).get();
        }

        List<AuthorizationEvent> writes = awaitEvents(e -> e.getPrincipal().equals("User:" + WRITER) && e.getResourceName().equals(TOPIC)
                && e.getOperation().equals("WRITE") && !e.getProbe());
        assertThat(writes).allSatisfy(write -> {
            assertThat(write.getDecision()).isEqualTo(Decision.ALLOWED);
            assertThat(write.getResourceType()).isEqualTo("TOPIC");
            assertThat(write.getBrokerId()).isEqualTo(1);
            assertThat(write.getSource()).startsWith("mesh-audit-authorizer-broker-1/");
        });
    }

    @Test
    void aWriteByAPrincipalWithoutAclsIsRefusedAndAudited() throws Exception {
        var config = login(STRANGER).kafka();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, "order-2", "forged")).get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }

        // A producer first asks for the topic's metadata; without DESCRIBE it is refused there, before any WRITE.
        List<AuthorizationEvent> refusals = awaitEvents(e -> e.getPrincipal().equals("User:" + STRANGER) && e.getResourceName().equals(TOPIC));
        assertThat(refusals).allSatisfy(refusal -> {
            assertThat(refusal.getDecision()).isEqualTo(Decision.DENIED);
            assertThat(refusal.getOperation()).isEqualTo("DESCRIBE");
            assertThat(refusal.getResourceType()).isEqualTo("TOPIC");
            assertThat(refusal.getProbe()).isFalse();
            assertThat(refusal.getClientAddress()).isEqualTo("127.0.0.1");
        });
    }

    @Test
    void theBrokerServesItsOwnMetricsAndTheAuthorizersDecisionsByOutcomeInPrometheusFormat() throws Exception {
        try (var producer = new KafkaProducer<>(login(WRITER).kafka(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "order-3", "placed")).get();
        }
        var config = login(STRANGER).kafka();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, "order-4", "forged")).get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }

        await().atMost(SHIPPED).untilAsserted(() -> {
            HttpResponse<String> scrape = scrape();
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(sample(scrape.body(), "kafka_server_brokertopicmetrics_messagesinpersec_per_topic_total", "topic=\"" + TOPIC + "\""))
                    .isGreaterThanOrEqualTo(1);
            assertThat(sample(scrape.body(), "kafka_plugins_mesh_authorizer_decisions_total", "outcome=\"allowed\"")).isGreaterThanOrEqualTo(1);
            assertThat(sample(scrape.body(), "kafka_plugins_mesh_authorizer_decisions_total", "outcome=\"denied\"")).isGreaterThanOrEqualTo(1);
            assertThat(scrape.body()).contains("# TYPE kafka_plugins_mesh_authorizer_decisions_total counter\n",
                    "# TYPE kafka_server_brokertopicmetrics_messagesinpersec_per_topic_total counter\n",
                    "kafka_socket_server_metrics_");
        });
    }

    @Test
    void theMetricsEndpointServesOnlyReadsAndOnlyOnLoopback() throws Exception {
        var post = HttpRequest.newBuilder(metrics).POST(HttpRequest.BodyPublishers.noBody()).build();
        assertThat(HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(405);
        assertThat(broker.output()).contains("Serving the broker's metrics at http://127.0.0.1:" + metrics.getPort() + "/metrics");
    }

    @Test
    void theBrokerFoundEveryClassThePluginNeeds() {
        await().atMost(SHIPPED).until(() -> !rawEvents(e -> true).isEmpty());

        assertThat(broker.output()).doesNotContain(MISSING_CLASS);
    }

    /**
     * The operator's {@code server.properties}: one node in KRaft combined mode; brokers and the
     * controller log in with PLAIN, clients with SCRAM-SHA-512; the plugin as the authorizer.
     */
    private static Map<String, String> serverProperties(int clientPort, int controllerPort, int metricsPort, Path shipperConfig,
            MeshClientConfig meshAdmin) {
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"mesh-admin\" password=\""
                + meshAdmin.password().reveal() + "\" user_mesh-admin=\"" + meshAdmin.password().reveal() + "\";";
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
        settings.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        settings.put("authorizer.class.name", AuditingAuthorizer.class.getName());
        settings.put(AuditAuthorizerConfig.CLIENT_CONFIG, shipperConfig.toString());
        settings.put(AuditAuthorizerConfig.SPOOL_DIR, dir.resolve("audit-spool").toString());
        settings.put("metric.reporters", BrokerMetricsReporter.class.getName());
        settings.put(AuditAuthorizerConfig.METRICS_PORT, Integer.toString(metricsPort));
        settings.put("super.users", "User:mesh-admin");
        settings.put("allow.everyone.if.no.acl.found", "false");
        settings.put("auto.create.topics.enable", "false");
        settings.put("log.dirs", dir.resolve("data").toString());
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        return settings;
    }

    private static HttpResponse<String> scrape() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the summed value of the family's samples whose labels contain {@code label}, 0 if none */
    private static double sample(String exposition, String family, String label) {
        return exposition.lines().filter(line -> line.startsWith(family + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static List<AuthorizationEvent> awaitEvents(Predicate<AuthorizationEvent> which) {
        return await().atMost(SHIPPED).until(() -> rawEvents(which), events -> !events.isEmpty());
    }

    /** @return what the plugin has shipped to the broker's own {@code mesh.audit.raw} so far */
    private static List<AuthorizationEvent> rawEvents(Predicate<AuthorizationEvent> which) {
        var reader = TopicReader.of(admin.kafka(), new StringDeserializer(), MeshSerdes.<AuthorizationEvent>valueDeserializer(admin, true));
        return reader.committed(MeshTopics.AUDIT_RAW).stream().map(ConsumerRecord::value).filter(which).toList();
    }

    private static MeshClientConfig login(String principal) {
        return MeshClientConfig.of(admin.bootstrap(), principal, admin.registryUrl(), PASSWORD);
    }

    /** SCRAM credentials reach the broker's login through the metadata log, a moment after they are set. */
    private static void awaitLogin(String principal) {
        await().atMost(SHIPPED).ignoreExceptions().until(() -> {
            try (Admin user = Admin.create(login(principal).kafka())) {
                return user.describeCluster().clusterId().get() != null;
            }
        });
    }

    private static UserScramCredentialUpsertion scram(String principal) {
        return new UserScramCredentialUpsertion(principal, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), PASSWORD);
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
