package io.streammesh.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where clients reach a running mesh.
 *
 * @param bootstrapServers Kafka's bootstrap servers, {@code host:port}
 * @param registryUrl the registry's base URL, e.g. {@code http://127.0.0.1:8081}
 */
public record MeshEndpoints(String bootstrapServers, String registryUrl) {

    /** @return the Apicurio v2 API, as used by the mesh's serdes and client */
    public String registryApiUrl() {
        return registryUrl + "/apis/registry/v2";
    }

    /** @return the Confluent-compatible API, for ksqlDB, Flink and kcat */
    public String ccompatUrl() {
        return registryUrl + "/apis/ccompat/v7";
    }

    /**
     * For tools that take the registry's login only in its URL (kcat's {@code -r}); never log it.
     *
     * @param name a principal name
     * @param password its password
     * @return the Confluent-compatible API with the login as the URL's user info
     */
    public String ccompatUrl(String name, String password) {
        int scheme = registryUrl.indexOf("://") + 3;
        return registryUrl.substring(0, scheme) + encode(name) + ":" + encode(password) + "@"
                + registryUrl.substring(scheme) + "/apis/ccompat/v7";
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
