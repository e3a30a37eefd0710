package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.MeshClientConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh up --demo} in a process of its own, every part's Prometheus endpoint scraped as Prometheus would. */
@Tag("integration")
@Timeout(480)
class MeshMetricsIT {

    /** A fresh mesh with the demo, on a 2-core machine that other builds share (192 s seen at load 48). */
    private static final Duration READY = Duration.ofSeconds(240);
    private static final Pattern ENDPOINT = Pattern.compile("(?m)^ {2}(?:Metrics {11}| {18})(broker|catalog|enforcer|gate|audit) (http://\\S+/metrics)");
    private static final String ORDERS = "orders.order-placed.v1";
    private static final Path DASHBOARD = Path.of("..", "ops", "grafana", "dashboards", "streammesh.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:mesh|kafka|jvm)_[a-z0-9_]+)");

    /** Kept when the test fails: the mesh's logs are in {@code state/logs}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void everyPartOfTheMeshServesItsMetricsAndARefusedReadCountsAsADeniedDecision() throws Exception {
        Path state = work.resolve("state");
        try (var up = MeshProcess.start(work, "up", "--demo", "--state-dir", state.toString(), "--port", "0", "--registry-port", "0",
                "--catalog-port", "0")) {
            up.awaitReady(READY);
            Map<String, String> endpoints = endpoints(up.output());
            assertThat(endpoints).as(up.output()).containsOnlyKeys("broker", "catalog", "enforcer", "gate", "audit");

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(scrape(endpoints.get("broker")))
                    .as("the broker's own metrics, per topic")
                    .containsPattern("kafka_server_brokertopicmetrics_messagesinpersec_per_topic_total\\{topic=\"" + ORDERS + "\"} [1-9]")
                    .contains("kafka_controller_kafkacontroller_activecontrollercount 1.0", "jvm_memory_used_bytes{"));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String catalog = scrape(endpoints.get("catalog"));
                assertThat(value(catalog, "mesh_product_health{product=\"" + ORDERS + "\"}"))
                        .as("OK (the mesh's log: %s)", state.resolve("logs/mesh.log")).hasValue(0.0);
                assertThat(value(catalog, "mesh_product_throughput_records_per_second{product=\"" + ORDERS + "\"}")).isPresent();
                assertThat(value(catalog, "mesh_product_freshness_seconds{product=\"" + ORDERS + "\"}")).isPresent();
                assertThat(value(catalog, "mesh_product_dead_letters_ratio{product=\"" + ORDERS + "\"}")).isPresent();
                assertThat(value(catalog, "mesh_product_gate_lag_records{product=\"" + ORDERS + "\"}")).isPresent();
                assertThat(catalog).as("Kafka Streams' metrics").contains("kafka_stream_thread_process_total{");
            });

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String enforcer = scrape(endpoints.get("enforcer"));
                assertThat(value(enforcer, "mesh_grants_active{product=\"" + ORDERS + "\"}")).as("the demo's one approved request").hasValue(1.0);
                assertThat(value(enforcer, "mesh_grants_active{product=\"customers.customer-profile.v1\"}")).hasValue(0.0);
                assertThat(value(enforcer, "mesh_view_lag_records{product=\"" + ORDERS + "\"}")).isPresent();
                assertThat(value(enforcer, "mesh_enforcer_acls")).hasValueSatisfying(acls -> assertThat(acls).isPositive());
                assertThat(enforcer).as("the grants consumer's and Kafka Streams' metrics")
                        .contains("kafka_consumer_fetch_manager_records_consumed_total{", "kafka_stream_thread_process_total{");
            });

            assertThat(scrape(endpoints.get("gate")))
                    .containsPattern("mesh_gate_records_total\\{outcome=\"accepted\",product=\"" + ORDERS + "\",rule=\"none\"} [1-9]");

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String audit = scrape(endpoints.get("audit"));
                assertThat(value(audit, "mesh_audit_chain_intact")).as("checked at start").hasValue(1.0);
                assertThat(value(audit, "mesh_audit_lag_records")).isPresent();
                assertThat(value(audit, "mesh_audit_events_total{type=\"authorization\"}")).hasValueSatisfying(n -> assertThat(n).isPositive());
            });
            String denied = "mesh_authorizer_decisions_total{outcome=\"denied\",principal=\"User:analytics\"}";
            double before = value(scrape(endpoints.get("audit")), denied).orElse(0.0);

            var analytics = MeshClientConfig.load(state.resolve("clients/analytics.properties")).kafka();
            try (var consumer = new KafkaConsumer<>(analytics, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.assign(List.of(new TopicPartition(ORDERS, 0)));
                // analytics holds a grant on a view, not on the product: the broker refuses once the consumer's metadata says so
                await().atMost(Duration.ofSeconds(60)).until(() -> refused(consumer));
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(value(scrape(endpoints.get("audit")), denied))
                    .as("the broker's refusal of analytics, counted by audit-sink").hasValueSatisfying(n -> assertThat(n).isGreaterThan(before)));

            StringBuilder scraped = new StringBuilder();
            for (String url : endpoints.values()) {
                scraped.append(scrape(url));
            }
            assertThat(dashboardMetrics()).as("every metric the Grafana dashboard shows is served").isNotEmpty()
                    .allSatisfy(name -> assertThat(scraped).as(name).containsPattern("(?m)^" + name + "[{ ]"));
        }
    }

    /** The metric names in the provisioned dashboard's queries. */
    private static Set<String> dashboardMetrics() throws Exception {
        String dashboard = Files.readString(DASHBOARD);
        var names = new TreeSet<String>();
        METRIC.matcher(dashboard).results().forEach(match -> names.add(match.group(1)));
        return names;
    }

    private static boolean refused(KafkaConsumer<byte[], byte[]> consumer) {
        try {
            consumer.poll(Duration.ofSeconds(1));
            return false;
        } catch (TopicAuthorizationException e) {
            return true;
        }
    }

    private static Map<String, String> endpoints(String banner) {
        var endpoints = new TreeMap<String, String>();
        ENDPOINT.matcher(banner).results().forEach(match -> endpoints.put(match.group(1), match.group(2)));
        return endpoints;
    }

    /** @return the value of the series named exactly so (name and every label), if scraped */
    private static Optional<Double> value(String scraped, String series) {
        return scraped.lines().filter(line -> line.startsWith(series + " "))
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim())).findFirst();
    }

    private static String scrape(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
