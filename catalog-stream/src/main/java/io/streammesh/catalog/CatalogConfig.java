package io.streammesh.catalog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * How to run catalog-stream; read once at start. {@link #embedded} gives the defaults the
 * embedded mesh runs with.
 *
 * @param clientConfig the {@code mesh-catalog} principal's client config (Kafka, SASL, registry)
 * @param stateDir where Kafka Streams keeps its local state
 * @param credentials the mesh's credential store, against which REST callers authenticate
 * @param restHost the address the REST API binds to
 * @param restPort its port; 0 picks a free one
 * @param governance the global rules
 * @param maxGrantDuration the longest grant (and the duration of one that names none)
 * @param expiryCheckInterval how often grants are checked for expiry
 * @param accessPartitions partitions of {@code mesh.access.requests}, which decisions are repartitioned to match
 */
public record CatalogConfig(Properties clientConfig, Path stateDir, Path credentials, String restHost, int restPort,
                            GovernancePolicy governance, Duration maxGrantDuration, Duration expiryCheckInterval,
                            int accessPartitions) {

    /** The catalog REST API's usual port. */
    public static final int DEFAULT_REST_PORT = 8080;

    /**
     * @param clientConfig the {@code mesh-catalog} principal's client config
     * @param stateDir where Kafka Streams keeps its local state
     * @param credentials the mesh's credential store
     * @param restPort the REST API's port, 0 for a free one
     * @return the embedded mesh's defaults
     */
    public static CatalogConfig embedded(Properties clientConfig, Path stateDir, Path credentials, int restPort) {
        return new CatalogConfig(clientConfig, stateDir, credentials, "127.0.0.1", restPort, GovernancePolicy.defaults(),
                Duration.ofDays(365), Duration.ofSeconds(1), 3);
    }

    /** @param policy other global rules @return a copy using them */
    public CatalogConfig withGovernance(GovernancePolicy policy) {
        return new CatalogConfig(clientConfig, stateDir, credentials, restHost, restPort, policy, maxGrantDuration,
                expiryCheckInterval, accessPartitions);
    }
}
