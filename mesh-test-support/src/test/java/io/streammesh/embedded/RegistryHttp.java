package io.streammesh.embedded;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Raw HTTP to the registry as a principal (HTTP Basic from its client config), or as nobody. */
final class RegistryHttp {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String baseUrl;
    private final String authorization;

    private RegistryHttp(String baseUrl, String authorization) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
    }

    /** @return calls as the principal whose client config this is */
    static RegistryHttp as(EmbeddedMesh mesh, MeshClientConfig clientConfig) {
        MeshSerdes.RegistryLogin login = MeshSerdes.registryLogin(clientConfig);
        return withLogin(mesh, login.name(), login.password());
    }

    /** @return calls with this name and password, right or wrong */
    static RegistryHttp withLogin(EmbeddedMesh mesh, String name, String password) {
        return new RegistryHttp(mesh.endpoints().registryUrl(), "Basic " + Base64.getEncoder()
                .encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** @return calls without credentials */
    static RegistryHttp anonymous(EmbeddedMesh mesh) {
        return new RegistryHttp(mesh.endpoints().registryUrl(), null);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    HttpResponse<String> put(String path, String json) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Creates (or returns) an Avro artifact in the default group through the v2 API. */
    HttpResponse<String> createArtifact(String artifactId, String schema) throws IOException, InterruptedException {
        return send(request("/apis/registry/v2/groups/default/artifacts?ifExists=RETURN_OR_UPDATE")
                .header("Content-Type", "application/json")
                .header("X-Registry-ArtifactType", "AVRO").header("X-Registry-ArtifactId", artifactId)
                .POST(HttpRequest.BodyPublishers.ofString(schema)));
    }

    private HttpRequest.Builder request(String path) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path));
        return authorization == null ? builder : builder.header("Authorization", authorization);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
