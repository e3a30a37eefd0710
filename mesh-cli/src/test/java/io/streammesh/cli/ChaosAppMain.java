package io.streammesh.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.connector.GateApp;
import io.streammesh.enforcer.ViewApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The contract gate or the policy-enforcer's views in a JVM of their own, so that a chaos test can
 * kill them: {@code gate|views <client config> <state dir>}; prints {@code <APP> RUNNING} once running.
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
        switch (args[0]) {
            case "gate" -> GateApp.start(config, state, GateApp.CLEANUP_EVERY, 0, keks);
            case "views" -> ViewApp.start(config, state, VIEW_SECRET.getBytes(StandardCharsets.UTF_8), new SimpleMeterRegistry(), keks);
            default -> throw new IllegalArgumentException("app '" + args[0] + "' is not gate or views");
        }
        System.out.println(args[0].toUpperCase(java.util.Locale.ROOT) + " RUNNING");
        System.out.flush();
        Thread.currentThread().join();
    }
}
