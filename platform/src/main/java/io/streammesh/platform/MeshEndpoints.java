package io.streammesh.platform;

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
}
