package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Meshes of its own (not the shared one): restarts and refusals to start. */
@Tag("integration")
@Timeout(180)
class EmbeddedMeshLifecycleIT {

    private static final String SCHEMA_PATH = "/apis/registry/v2/groups/default/artifacts/restart.kept.v1-value";

    @TempDir
    Path stateDir;

    @Test
    void aRestartKeepsTopicsDataSchemasAndPrincipals() throws Exception {
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            mesh.onboarding().addDomain("restart");
            MeshClients.createTopic(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), "restart.kept.v1");
            MeshClients.produce(mesh.clientConfig(PlatformApp.GATE.applicationId()), "restart.kept.v1", "k", "survives a restart");
            var created = RegistryHttp.as(mesh, mesh.clientConfig("restart")).createArtifact("restart.kept.v1-value", "{\"type\":\"string\"}");
            assertThat(created.statusCode()).isEqualTo(200);
        }

        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            assertThat(mesh.onboarding().principals()).extracting(MeshPrincipal::name).contains("restart", "mesh-admin");
            assertThat(MeshClients.readAll(mesh.clientConfig("restart"), "restart.kept.v1", "restart.reader", 1))
                    .containsExactly("survives a restart");
            var schema = RegistryHttp.as(mesh, mesh.clientConfig("restart")).get(SCHEMA_PATH);
            assertThat(schema.statusCode()).as("schema at %s after restart", SCHEMA_PATH).isEqualTo(200);
        }
    }

    @Test
    void aKilledRegistryIsBackWithinSecondsOnTheSamePortWithItsSchemasAndTheRestartIsCounted() throws Exception {
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            mesh.onboarding().addDomain("restart");
            var domain = RegistryHttp.as(mesh, mesh.clientConfig("restart"));
            assertThat(domain.createArtifact("restart.kept.v1-value", "{\"type\":\"string\"}").statusCode()).isEqualTo(200);
            Path pidFile = mesh.state().registry().resolve("registry.pid");
            ProcessHandle registry = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();

            registry.destroyForcibly();
            registry.onExit().get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(IOException.class).untilAsserted(() -> {
                assertThat(domain.get(SCHEMA_PATH).statusCode()).as("schema after the restart").isEqualTo(200);
                assertThat(mesh.state().readStatus().orElseThrow().registryRestarts()).isEqualTo(1);
            });
            assertThat(Long.parseLong(Files.readString(pidFile).strip())).isNotEqualTo(registry.pid());
        }
    }

    @Test
    void theStateDirectoryAndTheFilesTheMeshWritesAreItsOwnersAlone() throws Exception {
        Files.createDirectories(stateDir.resolve("mesh"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path root = stateDir.resolve("mesh");
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(root))) {
            mesh.onboarding().addDomain("private");
            MeshClients.createTopic(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), "private.records.v1");
            MeshClients.produce(mesh.clientConfig(PlatformApp.GATE.applicationId()), "private.records.v1", "k", "personal data");

            assertThat(permissions(root)).isEqualTo("rwx------");
            try (Stream<Path> entries = Files.list(root)) {
                assertThat(entries.filter(Files::isDirectory).toList()).isNotEmpty()
                        .allSatisfy(dir -> assertThat(permissions(dir)).as("%s", dir).isEqualTo("rwx------"));
            }
            List<Path> written = new ArrayList<>(List.of(root.resolve("credentials"), root.resolve("credentials.lock"),
                    root.resolve("mesh.json"), root.resolve("mesh.lock"), mesh.state().registry().resolve("registry.pid"),
                    mesh.state().logs().resolve("registry.log")));
            try (Stream<Path> clients = Files.list(mesh.state().clients())) {
                written.addAll(clients.toList());
            }
            assertThat(written).allSatisfy(file -> assertThat(permissions(file)).as("%s", file).isEqualTo("rw-------"));
        }
    }

    private static String permissions(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
    void freePortsAreChosenBelowTheRangeOutgoingConnectionsTakeTheirsFrom() throws Exception {
        int ephemeralFrom = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
                .split("\\s+")[0]);
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            MeshStatus status = mesh.state().readStatus().orElseThrow();
            // a port of that range could be taken by a connection between its choice and the broker's bind, seconds later
            assertThat(List.of(status.kafkaPort(), status.controllerPort(), status.registryPort())).allSatisfy(port ->
                    assertThat(port).isGreaterThanOrEqualTo(10_000).isLessThan(ephemeralFrom));
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
