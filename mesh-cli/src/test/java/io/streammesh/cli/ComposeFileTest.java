package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streammesh.client.PlatformApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot run here (no Docker engine); what can be checked without one is: it
 * runs the operator path OperatorPathIT proves, with prebuilt jars.
 */
class ComposeFileTest {

    /** The container port every part of the mesh serves its /metrics on. */
    private static final String METRICS_PORT = "9404";
    /** The services Prometheus scrapes: the broker and every platform app. */
    private static final List<String> SCRAPED = List.of("kafka", "catalog", "enforcer", "gate", "audit");

    private static JsonNode services;
    private static JsonNode prometheus;

    @BeforeAll
    static void readTheComposeFile() throws IOException {
        var yaml = new ObjectMapper(new YAMLFactory());
        services = yaml.readTree(Path.of("..", "docker-compose.yml").toFile()).path("services");
        prometheus = yaml.readTree(Path.of("..", "ops", "prometheus", "prometheus.yml").toFile());
    }

    @Test
    void everyAppServesItsMetricsOnAllOfItsContainersAddressesOnTheMetricsPort() {
        for (PlatformApp app : PlatformApp.values()) {
            String name = app.name().toLowerCase();

            assertThat(commandOf(services.path(name))).as(name)
                    .containsSubsequence("--metrics-host", "0.0.0.0").containsSubsequence("--metrics-port", METRICS_PORT);
        }
    }

    /** Compose starts an app that exits with an error again; the healthcheck marks one whose /metrics no longer answers unhealthy. */
    @Test
    void everyAppHasAHealthcheckAndIsRestartedOnFailure() {
        for (PlatformApp app : PlatformApp.values()) {
            JsonNode service = services.path(app.name().toLowerCase());

            assertThat(service.at("/healthcheck/test").isArray()).as(app + " healthcheck").isTrue();
            assertThat(service.path("restart").asText()).as(app + " restart").isEqualTo("on-failure");
        }
    }

    @Test
    void theBrokerServesItsMetricsThroughThePluginJarsReporter() {
        JsonNode kafka = services.at("/kafka/environment");

        assertThat(kafka.path("KAFKA_METRIC_REPORTERS").asText()).isEqualTo("io.streammesh.authorizer.BrokerMetricsReporter");
        assertThat(kafka.path("KAFKA_MESH_METRICS_PORT").asText()).isEqualTo(METRICS_PORT);
        assertThat(kafka.path("KAFKA_MESH_METRICS_HOST").asText()).isEqualTo("0.0.0.0");
        assertThat(kafka.path("CLASSPATH").asText()).isEqualTo("/opt/streammesh/audit-authorizer.jar");
    }

    @Test
    void prometheusScrapesEachPartByItsServiceNameOnTheMetricsPort() {
        List<String> targets = new ArrayList<>();
        prometheus.path("scrape_configs").forEach(job -> job.path("static_configs")
                .forEach(config -> config.path("targets").forEach(target -> targets.add(target.asText()))));

        assertThat(targets).containsExactlyInAnyOrderElementsOf(SCRAPED.stream().map(service -> service + ":" + METRICS_PORT).toList());
        assertThat(SCRAPED).allSatisfy(service -> assertThat(services.has(service)).as(service).isTrue());
    }

    @Test
    void everyPublishedPortListensOnTheHostsLoopbackOnly() {
        List<String> published = new ArrayList<>();
        services.fields().forEachRemaining(service -> service.getValue().path("ports").forEach(port -> published.add(service.getKey()
                + " " + port.asText())));

        assertThat(published).isNotEmpty().allSatisfy(port -> assertThat(port).matches("\\S+ 127\\.0\\.0\\.1:\\d+:\\d+"));
        assertThat(published).contains("prometheus 127.0.0.1:9090:9090", "grafana 127.0.0.1:3000:3000", "kafka 127.0.0.1:9404:9404",
                "catalog 127.0.0.1:9405:9404", "enforcer 127.0.0.1:9406:9404", "gate 127.0.0.1:9407:9404", "audit 127.0.0.1:9408:9404");
    }

    @Test
    void aFlinkSessionClusterOfTheVersionAuditQueryIsBuiltWithTakesQueries() throws IOException {
        Matcher version = Pattern.compile("<flink.version>([^<]+)</flink.version>").matcher(Files.readString(Path.of("..", "pom.xml")));
        assertThat(version.find()).as("flink.version in the root pom").isTrue();

        for (String service : List.of("jobmanager", "taskmanager")) {
            assertThat(services.at("/" + service + "/image").asText()).as(service).isEqualTo("flink:" + version.group(1) + "-java17");
            assertThat(services.at("/" + service + "/command").asText()).as(service).isEqualTo(service);
        }
        assertThat(services.at("/jobmanager/healthcheck/test").isArray()).isTrue();
        assertThat(services.at("/taskmanager/depends_on/jobmanager/condition").asText()).isEqualTo("service_healthy");
        assertThat(services.at("/jobmanager/environment/FLINK_PROPERTIES").asText()).contains("rest.bind-address: 0.0.0.0");
    }

    /** A service holding mesh-admin's login (a super user: no ACL binds it) would bypass every grant, view and audit attribution. */
    @Test
    void onlyTheBrokerAndPlatformInitHoldMeshAdminsLogin() {
        List<String> holders = new ArrayList<>();
        services.fields().forEachRemaining(service -> {
            String text = service.getValue().toString();
            if (text.contains("MESH_ADMIN_PASSWORD") || text.contains("mesh-admin:") || text.contains("username=\\\"mesh-admin")) {
                holders.add(service.getKey());
            }
        });

        assertThat(holders).containsExactlyInAnyOrder("admin-config", "kafka", "platform-init");
        assertThat(services.fieldNames()).toIterable().noneMatch(name -> name.startsWith("ksql"));
    }

    /** The gate encrypts, the enforcer decrypts for views, the catalog's key service serves grantees: one set of KEKs, written by the gate alone. */
    @Test
    void theAppsThatHandleDataKeysShareTheDomainsKeyEncryptionKeys() {
        assertThat(services.at("/gate/volumes").toString()).contains("\"mesh-keks:/mesh/keks\"");
        assertThat(services.at("/catalog/volumes").toString()).contains("\"mesh-keks:/mesh/keks:ro\"");
        assertThat(services.at("/enforcer/volumes").toString()).contains("\"mesh-keks:/mesh/keks:ro\"");
        assertThat(services.at("/audit/volumes").toString()).doesNotContain("mesh-keks");
    }

    @Test
    void theClusterIdIsSixteenBytesAsKafkaFormatsStorage() {
        String clusterId = services.at("/kafka/environment/CLUSTER_ID").asText();

        assertThatCode(() -> Uuid.fromString(clusterId)).doesNotThrowAnyException();
    }

    @Test
    void noContainerBuildsTheProject() {
        services.fields().forEachRemaining(service -> assertThat(commandOf(service.getValue()))
                .as(service.getKey()).noneMatch(word -> word.contains("mvn") || word.equals("./mesh")));
    }

    @Test
    void everyPlatformAppIsAServiceRunningMeshAppWithItsPrincipalsConfig() {
        for (PlatformApp app : PlatformApp.values()) {
            String name = app.name().toLowerCase();
            List<String> command = commandOf(services.path(name));

            assertThat(command).as(name).containsSubsequence("-jar", "/opt/streammesh/cli/mesh-cli.jar", "app", name)
                    .containsSubsequence("--client-config", "/mesh/clients/" + app.principal().name() + ".properties");
            assertThat(services.at("/" + name + "/depends_on/platform-init/condition").asText()).isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void platformInitRunsOnceTheBrokerAndTheRegistryAreHealthy() {
        JsonNode init = services.path("platform-init");

        assertThat(commandOf(init)).containsSubsequence("/opt/streammesh/cli/mesh-cli.jar", "platform", "init", "--client-config");
        assertThat(init.at("/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
        assertThat(init.at("/depends_on/registry/condition").asText()).isEqualTo("service_healthy");
        for (String service : List.of("kafka", "registry", "catalog", "gate")) {
            assertThat(services.at("/" + service + "/healthcheck/test").isArray()).as(service + " healthcheck").isTrue();
        }
    }

    private static List<String> commandOf(JsonNode service) {
        List<String> words = new ArrayList<>();
        service.path("entrypoint").forEach(word -> words.add(word.asText()));
        service.path("command").forEach(word -> words.add(word.asText()));
        if (service.path("command").isTextual()) {
            words.addAll(List.of(service.path("command").asText().split("\\s+")));
        }
        return words;
    }
}
