package io.streammesh.embedded;

import io.streammesh.client.MeshEndpoints;
import java.time.Instant;

/**
 * What a running mesh listens on, kept in {@code mesh.json} in its state directory so that
 * {@code mesh status} and a later {@code mesh up} (which reuses the ports) can find it.
 *
 * @param pid the process running the mesh
 * @param bootstrapServers Kafka's bootstrap servers
 * @param registryUrl the registry's base URL
 * @param kafkaPort the client listener's port
 * @param controllerPort the KRaft controller listener's port
 * @param registryPort the registry's HTTP port
 * @param startedAt when the mesh became ready
 * @param catalogUrl the catalog REST API's base URL, once catalog-stream runs; null before
 * @param registryRestarts how many times the mesh restarted the registry after it died
 */
public record MeshStatus(long pid, String bootstrapServers, String registryUrl, int kafkaPort,
                         int controllerPort, int registryPort, Instant startedAt, String catalogUrl,
                         int registryRestarts) {

    /** @param url the catalog REST API's base URL @return a copy with it */
    public MeshStatus withCatalogUrl(String url) {
        return new MeshStatus(pid, bootstrapServers, registryUrl, kafkaPort, controllerPort, registryPort, startedAt, url,
                registryRestarts);
    }

    /** @param restarts how many times the registry was restarted @return a copy with it */
    public MeshStatus withRegistryRestarts(int restarts) {
        return new MeshStatus(pid, bootstrapServers, registryUrl, kafkaPort, controllerPort, registryPort, startedAt, catalogUrl,
                restarts);
    }

    /** @return the endpoints clients use */
    public MeshEndpoints endpoints() {
        return new MeshEndpoints(bootstrapServers, registryUrl);
    }
}
