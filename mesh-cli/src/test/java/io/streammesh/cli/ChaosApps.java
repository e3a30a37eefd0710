package io.streammesh.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.testing.AppProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The platform apps of one chaos test: those it leaves alone run in the test's JVM, the one it
 * kills runs as a process of its own ({@link ChaosAppMain}). Closing stops them all, in reverse
 * order, and a process that does not stop cleanly within 30 s is killed, so no app outlives its
 * test to join the next test's consumer groups on the shared cluster.
 */
final class ChaosApps implements AutoCloseable {

    /** Kept after the run, so that a failure shows what a killed app did. */
    private static final Path LOGS = Path.of("target", "chaos-logs");

    private final EmbeddedMesh mesh;
    private final Path dir;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final int catalogPort;

    ChaosApps(EmbeddedMesh mesh, Path dir) {
        this.mesh = mesh;
        this.dir = dir;
        this.catalogPort = freePort();
    }

    /** The catalog in this JVM, its REST API on a free port. */
    CatalogApp catalog() {
        return started(CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()),
                dir.resolve("catalog"), mesh.state().credentials(), 0)));
    }

    /**
     * The four apps a record and a grant go through, in this JVM, started in this order: catalog,
     * the enforcer's grants, its views, the gate.
     *
     * @return the catalog
     */
    CatalogApp all() {
        CatalogApp catalog = catalog();
        grants();
        views();
        gate();
        return catalog;
    }

    /** The policy-enforcer's grant side (ACLs for approved grants) in this JVM. */
    GrantEnforcer grants() {
        return started(GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId())));
    }

    /** The policy-enforcer's views in this JVM, with the domains' key-encryption keys. */
    ViewApp views() {
        return started(ViewApp.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), dir.resolve("views"),
                ChaosAppMain.VIEW_SECRET.getBytes(StandardCharsets.UTF_8), new SimpleMeterRegistry(), mesh.state().keks()));
    }

    /** The contract gate in this JVM; instances share the domains' key-encryption keys, as with {@code mesh app gate}. */
    GateApp gate() {
        return started(GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"),
                GateApp.CLEANUP_EVERY, 0, mesh.state().keks()));
    }

    /**
     * Starts {@code gate}, {@code views}, {@code catalog} or {@code audit} as a process of its own
     * and waits until it runs. Each start of an app keeps the same state directory (and, for the
     * catalog, the same REST port), as an operator's restart would.
     */
    Process process(String app) throws InterruptedException {
        PlatformApp principal = switch (app) {
            case "gate" -> PlatformApp.GATE;
            case "views" -> PlatformApp.ENFORCER;
            case "catalog" -> PlatformApp.CATALOG;
            case "audit" -> PlatformApp.AUDIT;
            default -> throw new IllegalArgumentException("no chaos app '" + app + "'");
        };
        List<String> args = new ArrayList<>(List.of(app, mesh.state().clients().resolve(principal.applicationId() + ".properties")
                .toString(), dir.resolve(app + "-process").toString(), mesh.state().keks().toString()));
        if (app.equals("catalog")) {
            args.addAll(List.of(mesh.state().credentials().toString(), String.valueOf(catalogPort)));
        }
        try {
            Files.createDirectories(LOGS);
            Process process = AppProcess.start(ChaosAppMain.class, Files.createTempFile(LOGS, app + "-", ".log"),
                    app.toUpperCase(Locale.ROOT) + " RUNNING", args.toArray(String[]::new));
            running.push(() -> stop(process));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The REST address of the catalog that {@link #process process("catalog")} starts. */
    String catalogProcessUrl() {
        return "http://127.0.0.1:" + catalogPort;
    }

    /** Kills a process as {@code kill -9} would: no clean close, no final commit. */
    static void kill(Process process) throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill(process);
        }
    }

    private <T extends AutoCloseable> T started(T app) {
        running.push(app);
        return app;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the catalog's REST API", e);
        }
    }
}
