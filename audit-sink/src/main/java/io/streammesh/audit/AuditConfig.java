package io.streammesh.audit;

import io.streammesh.client.MeshClientConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run the audit app; read once at start. {@link #embedded} gives the embedded mesh's
 * defaults.
 *
 * @param clientConfig the {@code mesh-audit} principal's client config (Kafka, SASL, registry)
 * @param stateDir where Kafka Streams keeps its local state (the chain heads among it)
 * @param ledgerInterval how often the consumption ledger reads every group's committed offsets
 * @param auditPartitions partitions of {@code mesh.audit}, one hash chain each
 */
public record AuditConfig(MeshClientConfig clientConfig, Path stateDir, Duration ledgerInterval, int auditPartitions) {

    /**
     * @param clientConfig the {@code mesh-audit} principal's client config
     * @param stateDir where Kafka Streams keeps its local state
     * @return the embedded mesh's defaults: offsets read every 2 s, three chains
     */
    public static AuditConfig embedded(MeshClientConfig clientConfig, Path stateDir) {
        return new AuditConfig(clientConfig, stateDir, Duration.ofSeconds(2), 3);
    }
}
