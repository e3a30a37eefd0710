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
 * @param ingestUrl the HTTP ingest's base URL ({@code mesh produce} sends small files there), once it runs; null before
 */
public record MeshStatus(long pid, String bootstrapServers, String registryUrl, int kafkaPort,
                         int controllerPort, int registryPort, Instant startedAt, String catalogUrl,
                         int registryRestarts, String ingestUrl) {

    /** @param url the catalog REST API's base URL @return a copy with it */
    public MeshStatus withCatalogUrl(String url) {
        return new MeshStatus(pid, bootstrapServers, registryUrl, kafkaPort, controllerPort, registryPort, startedAt, url,
                registryRestarts, ingestUrl);
    }

    /** @param restarts how many times the registry was restarted @return a copy with it */
    public MeshStatus withRegistryRestarts(int restarts) {
        return new MeshStatus(pid, bootstrapServers, registryUrl, kafkaPort, controllerPort, registryPort, startedAt, catalogUrl,
                restarts, ingestUrl);
    }

    /** @param url the HTTP ingest's base URL @return a copy with it */
    public MeshStatus withIngestUrl(String url) {
        return new MeshStatus(pid, bootstrapServers, registryUrl, kafkaPort, controllerPort, registryPort, startedAt, catalogUrl,
                registryRestarts, url);
    }

    /** @return the endpoints clients use */
    public MeshEndpoints endpoints() {
        return new MeshEndpoints(bootstrapServers, registryUrl);
    }
}
