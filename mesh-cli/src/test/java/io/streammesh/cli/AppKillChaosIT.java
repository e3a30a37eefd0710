package io.streammesh.cli;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's data-path app faults on a three-broker cluster: the contract gate, then the
 * policy-enforcer (its grants and views), each in a JVM of its own ({@link ChaosAppMain}), killed with no clean
 * close ({@code kill -9}) while records flow, then started again. After it, each acknowledged
 * record is in the product or the DLQ exactly once and the view holds exactly the records its
 * filter lets through, once each; and {@link ChaosApps#checkAfterFault}. Each test prints the numbers it checked. The catalog's and
 * audit-sink's kills have classes of their own ({@link CatalogKillChaosIT}, {@link AuditKillChaosIT}).
 */
@MeshTest(brokers = 3)
class AppKillChaosIT {

    private static final int BATCH = 1_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void killingTheGateMidStreamKeepsEveryProductAndDeadLetterRecordExactlyOnce(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.catalog();
            apps.grants();
            apps.views();
            apps.audit();
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-gate", dir);
            var decided = product.decideGrants(catalog.restUrl());
            Process first = apps.process("gate");
            int acknowledged = product.killMidStream(first, product.address().topic(), BATCH);

            apps.restart("gate");
            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            String after = apps.checkAfterFault(product, decided);
            System.out.printf("chaos gate-kill: gate killed (kill -9) mid-stream and restarted; %d records acknowledged; %s; %s%n",
                    acknowledged, checked, after);
        }
    }

    /** The whole policy-enforcer (its grants and its views, one process as {@code mesh app enforcer}) killed. */
    @Test
    @Timeout(600)
    void killingTheEnforcerMidStreamKeepsEveryViewRecordExactlyOnceAndEveryGrantAsDecided(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.catalog();
            apps.gate();
            apps.audit();
            Process first = apps.process("enforcer");
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-views", dir);
            var decided = product.decideGrants(catalog.restUrl());
            int acknowledged = product.killMidStream(first, product.view(), BATCH);

            apps.restart("enforcer");
            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            String after = apps.checkAfterFault(product, decided);
            System.out.printf("chaos enforcer-kill: policy-enforcer (grants and views) killed (kill -9) mid-stream and restarted; "
                    + "%d records acknowledged; %s; %s%n", acknowledged, checked, after);
        }
    }
}
