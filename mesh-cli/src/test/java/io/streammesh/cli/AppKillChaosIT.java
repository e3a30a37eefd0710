package io.streammesh.cli;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's data-path app faults on a three-broker cluster: the contract gate, then the
 * policy-enforcer's views, each in a JVM of its own ({@link ChaosAppMain}), killed with no clean
 * close ({@code kill -9}) while records flow, then started again. After it, each acknowledged
 * record is in the product or the DLQ exactly once and the view holds exactly the records its
 * filter lets through, once each. Each test prints the numbers it checked. The catalog's and
 * audit-sink's kills have classes of their own ({@link CatalogKillChaosIT}, {@link AuditKillChaosIT}).
 */
@MeshTest(brokers = 3)
class AppKillChaosIT {

    private static final int BATCH = 1_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void killingTheGateMidStreamKeepsEveryProductAndDeadLetterRecordExactlyOnce(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            apps.catalog();
            apps.grants();
            apps.views();
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-gate", dir);
            Process first = apps.process("gate");
            int acknowledged = product.killMidStream(first, product.address().topic(), BATCH);

            apps.process("gate");
            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            System.out.printf("chaos gate-kill: gate killed (kill -9) mid-stream and restarted; %d records acknowledged; %s%n",
                    acknowledged, checked);
        }
    }

    @Test
    @Timeout(300)
    void killingTheEnforcerViewsMidStreamKeepsEveryViewRecordExactlyOnce(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            apps.catalog();
            apps.grants();
            apps.gate();
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-views", dir);
            Process first = apps.process("views");
            int acknowledged = product.killMidStream(first, product.view(), BATCH);

            apps.process("views");
            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            System.out.printf("chaos views-kill: enforcer views killed (kill -9) mid-stream and restarted; %d records acknowledged; %s%n",
                    acknowledged, checked);
        }
    }
}
