package io.streammesh.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.connector.GateApp;
import io.streammesh.enforcer.ViewApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The contract gate, the policy-enforcer's views, catalog-stream or audit-sink in a JVM of their
 * own, so that a chaos test can kill them: {@code gate|views|catalog|audit <client config> <state
 * dir> [<credentials>]} (the catalog's REST callers' credential store); prints {@code <APP> RUNNING}
 * once running.
 */
public final class ChaosAppMain {

    static final String VIEW_SECRET = "chaos-secret";

    private ChaosAppMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        MeshClientConfig config = MeshClientConfig.load(Path.of(args[1]));
        Path state = Path.of(args[2]);
        switch (args[0]) {
            case "gate" -> GateApp.start(config, state);
            case "views" -> ViewApp.start(config, state, VIEW_SECRET.getBytes(StandardCharsets.UTF_8), new SimpleMeterRegistry());
            case "catalog" -> CatalogApp.start(CatalogConfig.embedded(config, state, Path.of(args[3]), 0));
            case "audit" -> AuditApp.start(AuditConfig.embedded(config, state));
            default -> throw new IllegalArgumentException("app '" + args[0] + "' is not gate, views, catalog or audit");
        }
        System.out.println(args[0].toUpperCase(java.util.Locale.ROOT) + " RUNNING");
        System.out.flush();
        Thread.currentThread().join();
    }
}
