package io.streammesh.audit;

import io.streammesh.client.MeshClientConfig;
import java.nio.file.Path;

/** The audit app in a JVM of its own, so that a test can kill it: {@code <client config> <state dir>}. */
public final class AuditAppMain {

    private AuditAppMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        AuditApp.start(AuditConfig.embedded(MeshClientConfig.load(Path.of(args[0])), Path.of(args[1])));
        System.out.println("AUDIT RUNNING");
        System.out.flush();
        Thread.currentThread().join();
    }
}
