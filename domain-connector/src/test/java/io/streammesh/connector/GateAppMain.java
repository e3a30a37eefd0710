package io.streammesh.connector;

import io.streammesh.client.MeshClientConfig;
import java.nio.file.Path;

/** The contract gate in a JVM of its own, so that a test can kill it: {@code <client config> <state dir>}. */
public final class GateAppMain {

    private GateAppMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        GateApp.start(MeshClientConfig.load(Path.of(args[0])), Path.of(args[1]));
        System.out.println("GATE RUNNING");
        System.out.flush();
        Thread.currentThread().join();
    }
}
