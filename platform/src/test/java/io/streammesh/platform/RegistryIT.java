package io.streammesh.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.platform.testing.MeshTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@MeshTest
class RegistryIT {

    private static final String V1 = """
            {"type":"record","name":"Parcel","namespace":"test","fields":[
              {"name":"id","type":"string"}]}""";
    private static final String V2_COMPATIBLE = """
            {"type":"record","name":"Parcel","namespace":"test","fields":[
              {"name":"id","type":"string"},{"name":"weight","type":["null","double"],"default":null}]}""";
    private static final String V3_INCOMPATIBLE = """
            {"type":"record","name":"Parcel","namespace":"test","fields":[
              {"name":"id","type":"string"},{"name":"carrier","type":"string"}]}""";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void acceptsASchemaAndItsCompatibleEvolutionButRejectsABackwardIncompatibleOne(EmbeddedMesh mesh) throws Exception {
        String artifacts = mesh.endpoints().registryApiUrl() + "/groups/default/artifacts";

        var created = post(artifacts, V1, "registry-it.parcel.v1-value");
        var evolved = post(artifacts + "/registry-it.parcel.v1-value/versions", V2_COMPATIBLE, null);
        var refused = post(artifacts + "/registry-it.parcel.v1-value/versions", V3_INCOMPATIBLE, null);

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(evolved.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("RuleViolationException", "Incompatible artifact", "carrier");
    }

    @Test
    void servesSchemasThroughTheConfluentCompatibleApi(EmbeddedMesh mesh) throws Exception {
        post(mesh.endpoints().registryApiUrl() + "/groups/default/artifacts", V1, "registry-it.ccompat.v1-value");

        var subjects = http.send(HttpRequest.newBuilder(URI.create(mesh.endpoints().ccompatUrl() + "/subjects")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(subjects.statusCode()).isEqualTo(200);
        assertThat(subjects.body()).contains("registry-it.ccompat.v1-value");
    }

    /** The mesh start relies on this to pick another port instead of failing. */
    @Test
    void aPortTakenWhileTheRegistryStartsIsReportedAsSuch(@TempDir Path dir) throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            var registry = RegistryProcess.launch(RegistryProcess.locateJar(null), "127.0.0.1", taken.getLocalPort(),
                    dir, dir.resolve("registry.log"));
            try (registry) {
                assertThatThrownBy(registry::awaitReady)
                        .isInstanceOf(RegistryProcess.PortTaken.class)
                        .hasMessageContaining("port is in use");
            }
        }
    }

    private HttpResponse<String> post(String url, String schema, String artifactId) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("X-Registry-ArtifactType", "AVRO");
        if (artifactId != null) {
            request.header("X-Registry-ArtifactId", artifactId);
        }
        return http.send(request.POST(HttpRequest.BodyPublishers.ofString(schema)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
