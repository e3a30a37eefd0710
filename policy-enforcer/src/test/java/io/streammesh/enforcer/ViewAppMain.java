package io.streammesh.enforcer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.MeshClientConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The view app in a JVM of its own, so that a test can kill it: {@code <client config> <state dir> <secret>}. */
public final class ViewAppMain {

    private ViewAppMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ViewApp.start(MeshClientConfig.load(Path.of(args[0])), Path.of(args[1]), args[2].getBytes(StandardCharsets.UTF_8), new SimpleMeterRegistry());
        System.out.println("VIEWS RUNNING");
        System.out.flush();
        Thread.currentThread().join();
    }
}
