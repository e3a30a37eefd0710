package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streammesh.client.PlatformApp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot run here (no Docker engine); what can be checked without one is: it
 * runs the operator path OperatorPathIT proves, with prebuilt jars.
 */
class ComposeFileTest {

    private static JsonNode services;

    @BeforeAll
    static void readTheComposeFile() throws IOException {
        services = new ObjectMapper(new YAMLFactory()).readTree(Path.of("..", "docker-compose.yml").toFile()).path("services");
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
