package io.streammesh.cli;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.testing.AppProcess;
import io.streammesh.testing.MeshTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's app faults on a three-broker cluster: the contract gate, then the
 * policy-enforcer's views, each in a JVM of its own ({@link ChaosAppMain}), killed with no clean
 * close ({@code kill -9}) while records flow, then started again. After it, each acknowledged
 * record is in the product or the DLQ exactly once and the view holds exactly the records its
 * filter lets through, once each. Each test prints the numbers it checked.
 */
@MeshTest(brokers = 3)
class AppKillChaosIT {

    private static final int BATCH = 1_000;
    /** Kept after the run, so that a failure shows what the killed app did. */
    private static final Path LOGS = Path.of("target", "chaos-logs");

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void killingTheGateMidStreamKeepsEveryProductAndDeadLetterRecordExactlyOnce(EmbeddedMesh mesh) throws Exception {
        try (var catalog = startCatalog(mesh);
             var grants = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             var views = startViews(mesh)) {
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-gate", dir);
            Process first = startProcess(mesh, "gate", PlatformApp.GATE);
            int acknowledged = product.produce(0, 2 * BATCH);
            await().atMost(Duration.ofSeconds(60)).until(() -> product.endOffsets(product.address().topic()) > BATCH / 2);
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            acknowledged += product.produce(2 * BATCH, 3 * BATCH);

            Process second = startProcess(mesh, "gate", PlatformApp.GATE);
            try {
                ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
                System.out.printf("chaos gate-kill: gate killed (kill -9) mid-stream and restarted; %d records acknowledged; %s%n",
                        acknowledged, checked);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(300)
    void killingTheEnforcerViewsMidStreamKeepsEveryViewRecordExactlyOnce(EmbeddedMesh mesh) throws Exception {
        try (var catalog = startCatalog(mesh);
             var grants = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0,
                     mesh.state().keks())) {
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-views", dir);
            Process first = startProcess(mesh, "views", PlatformApp.ENFORCER);
            int acknowledged = product.produce(0, 2 * BATCH);
            await().atMost(Duration.ofSeconds(60)).until(() -> product.endOffsets(product.view()) > BATCH / 2);
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            acknowledged += product.produce(2 * BATCH, 3 * BATCH);

            Process second = startProcess(mesh, "views", PlatformApp.ENFORCER);
            try {
                ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
                System.out.printf("chaos views-kill: enforcer views killed (kill -9) mid-stream and restarted; %d records acknowledged; %s%n",
                        acknowledged, checked);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private CatalogApp startCatalog(EmbeddedMesh mesh) {
        return CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()), dir.resolve("catalog"),
                mesh.state().credentials(), 0));
    }

    private ViewApp startViews(EmbeddedMesh mesh) {
        return ViewApp.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), dir.resolve("views"),
                ChaosAppMain.VIEW_SECRET.getBytes(StandardCharsets.UTF_8), new SimpleMeterRegistry(), mesh.state().keks());
    }

    private Process startProcess(EmbeddedMesh mesh, String app, PlatformApp principal) throws Exception {
        Path config = mesh.state().clients().resolve(principal.applicationId() + ".properties");
        Files.createDirectories(LOGS);
        return AppProcess.start(ChaosAppMain.class, Files.createTempFile(LOGS, app + "-", ".log"), app.toUpperCase(Locale.ROOT)
                + " RUNNING", app, config.toString(), dir.resolve(app + "-process").toString(), mesh.state().keks().toString());
    }
}
