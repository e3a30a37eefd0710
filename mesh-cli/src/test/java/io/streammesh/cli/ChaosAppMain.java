package io.streammesh.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.connector.GateApp;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One platform app in a JVM of its own, so that a chaos test can kill it:
 * {@code gate|enforcer|catalog|audit <client config> <state dir> <KEK dir> [<credential store> <REST port>]}
 * (the last two for the catalog); prints {@code <APP> RUNNING} once running.
 */
public final class ChaosAppMain {

    static final String VIEW_SECRET = "chaos-secret";

    private ChaosAppMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        MeshClientConfig config = MeshClientConfig.load(Path.of(args[1]));
        Path state = Path.of(args[2]);
        // the gate encrypts and the views decrypt with the same key-encryption keys
        Path keks = Path.of(args[3]);
        Supplier<KafkaStreams.State> streams = switch (args[0]) {
            case "gate" -> GateApp.start(config, state, GateApp.CLEANUP_EVERY, 0, keks)::state;
            case "enforcer" -> {
                // both sides of the policy-enforcer, as `mesh app enforcer` runs them
                GrantEnforcer.start(config);
                yield ViewApp.start(config, state, VIEW_SECRET.getBytes(StandardCharsets.UTF_8), new SimpleMeterRegistry(), keks)::state;
            }
            case "catalog" -> CatalogApp.start(CatalogConfig.embedded(config, state, Path.of(args[4]), Integer.parseInt(args[5])), keks)::state;
            case "audit" -> AuditApp.start(AuditConfig.embedded(config, state))::state;
            default -> throw new IllegalArgumentException("app '" + args[0] + "' is not gate, enforcer, catalog or audit");
        };
        System.out.println(args[0].toUpperCase(java.util.Locale.ROOT) + " RUNNING");
        System.out.flush();
        // A process whose app stopped running ends, so that a test finding it alive knows the app runs (Kafka Streams
        // passes through REBALANCING, which is running too).
        while (streams.get().isRunningOrRebalancing()) {
            Thread.sleep(500);
        }
        System.out.println(args[0].toUpperCase(java.util.Locale.ROOT) + " " + streams.get());
        System.exit(1);
    }
}
