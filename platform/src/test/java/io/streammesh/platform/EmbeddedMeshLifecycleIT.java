package io.streammesh.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Meshes of its own (not the shared one): restarts and refusals to start. */
@Tag("integration")
@Timeout(180)
class EmbeddedMeshLifecycleIT {

    @TempDir
    Path stateDir;

    @Test
    void aRestartKeepsTopicsDataSchemasAndPrincipals() throws Exception {
        String schemaUrl;
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            mesh.onboarding().addDomain("restart");
            MeshClients.createTopic(mesh.clientConfig("restart"), "restart.kept.v1");
            MeshClients.produce(mesh.clientConfig("restart"), "restart.kept.v1", "k", "survives a restart");
            schemaUrl = mesh.endpoints().registryApiUrl() + "/groups/default/artifacts/restart.kept.v1-value";
            var created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(mesh.endpoints().registryApiUrl()
                            + "/groups/default/artifacts"))
                    .header("X-Registry-ArtifactId", "restart.kept.v1-value").header("X-Registry-ArtifactType", "AVRO")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"string\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(200);
        }

        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            assertThat(mesh.onboarding().principals()).extracting(MeshPrincipal::name).contains("restart", "mesh-admin");
            assertThat(MeshClients.readAll(mesh.clientConfig("restart"), "restart.kept.v1", "restart.reader", 1))
                    .containsExactly("survives a restart");
            var schema = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    mesh.endpoints().registryApiUrl() + "/groups/default/artifacts/restart.kept.v1-value")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(schema.statusCode()).as("schema at %s after restart", schemaUrl).isEqualTo(200);
        }
    }

    @Test
    void aMeshRestartsAtOnceOnTheSamePorts() throws Exception {
        int kafkaPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            kafkaPort = socket.getLocalPort();
        }
        var config = MeshConfig.withFreePorts(stateDir).withPorts(kafkaPort, 0);
        // A client still connected when the broker stops: the broker closes first, leaving TIME_WAIT on its port.
        try (var client = new java.net.Socket()) {
            try (var mesh = EmbeddedMesh.start(config)) {
                client.connect(new java.net.InetSocketAddress("127.0.0.1", kafkaPort));
            }
        }
        try (var mesh = EmbeddedMesh.start(config)) {
            assertThat(mesh.endpoints().bootstrapServers()).isEqualTo("127.0.0.1:" + kafkaPort);
        }
    }

    @Test
    void aSecondMeshOnTheSameStateDirectoryIsRefused() {
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            assertThatThrownBy(() -> EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir)))
                    .isInstanceOf(MeshException.class)
                    .hasMessageContaining("a mesh is already running on state directory " + stateDir)
                    .hasMessageContaining("--state-dir");
        }
    }

    @Test
    void aPortInUseIsRefusedWithTheOptionToChangeIt() throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            var config = MeshConfig.withFreePorts(stateDir).withPorts(taken.getLocalPort(), 0);

            assertThatThrownBy(() -> EmbeddedMesh.start(config))
                    .isInstanceOf(MeshException.class)
                    .hasMessage("the Kafka port " + taken.getLocalPort() + " on 127.0.0.1 is in use (another Kafka, "
                            + "registry or mesh?); stop that process or pick another port with --port");
        }
        assertThat(new StateDirectory(stateDir).isLocked()).as("nothing left running").isFalse();
    }

    @Test
    void aRegistryThatCannotStartStopsEverythingAndSaysWhere() throws Exception {
        Path brokenJar = Files.writeString(stateDir.resolve("broken.jar"), "not a jar");
        var config = new MeshConfig(stateDir.resolve("state"), null, 0, 0, brokenJar, false, true);

        assertThatThrownBy(() -> EmbeddedMesh.start(config))
                .isInstanceOf(MeshException.class)
                .hasMessageStartingWith("the Apicurio Registry exited with code 1 while starting")
                .hasMessageContaining("registry.log");
        assertThat(new StateDirectory(config.stateDir()).isLocked()).isFalse();
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(config.stateDir()))) {
            assertThat(mesh.endpoints().bootstrapServers()).startsWith("127.0.0.1:");
        }
    }

    @Test
    void aStateDirectoryThatCannotBeCreatedIsRefused() throws Exception {
        // A path through a regular file cannot become a directory, even for root.
        Path file = Files.writeString(stateDir.resolve("a-file"), "");

        assertThatThrownBy(() -> EmbeddedMesh.start(MeshConfig.withFreePorts(file.resolve("mesh"))))
                .isInstanceOf(MeshException.class)
                .hasMessageStartingWith("state directory " + file.resolve("mesh") + " is not writable")
                .hasMessageEndingWith("fix its permissions or choose another with --state-dir");
    }
}
