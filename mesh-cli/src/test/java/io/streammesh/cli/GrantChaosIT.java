package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.CatalogClient;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.DecisionKind;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's faults while grants are decided, on a three-broker cluster with records
 * flowing through gate and views: a broker cut off for 30 s while one grant is approved and
 * another revoked. After it, the chaos suite's exactly-once check
 * ({@link ChaosProduct#checkExactlyOnce}) holds and both grants are enforced as decided. Each
 * test prints the numbers it checked.
 */
@MeshTest(brokers = 3)
class GrantChaosIT {

    private static final int BATCH = 1_000;
    private static final Duration CUT_OFF = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void cuttingABrokerOffWhileAGrantIsApprovedAndAnotherRevokedEnforcesBothAsDecided(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.all();
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-cut", dir);
            var rest = new CatalogClient(catalog.restUrl(), mesh.clientConfig(product.address().domain()));
            String revoked = product.requestAnalytics("chaos-cut-revoked", rest);
            product.decide(revoked, DecisionKind.APPROVED);
            await().atMost(Duration.ofSeconds(60)).until(() -> product.viewReadableBy("chaos-cut-revoked"));
            String approved = product.requestAnalytics("chaos-cut-approved", rest);
            int acknowledged = product.produce(0, BATCH);
            int broker = product.leadingBroker();

            long cutAt = System.nanoTime();
            Duration cut;
            mesh.brokers().stop(broker);
            try {
                product.decide(approved, DecisionKind.APPROVED);
                product.decide(revoked, DecisionKind.REVOKED);
                acknowledged += product.produce(BATCH, 2 * BATCH);
                Duration left = CUT_OFF.minusNanos(System.nanoTime() - cutAt);
                // the broker stays away the full 30 s; the decisions must hold at the end of it, not merely once
                await().pollDelay(left.isNegative() ? Duration.ZERO : left).atMost(left.plus(Duration.ofSeconds(60)))
                        .until(() -> product.viewReadableBy("chaos-cut-approved") && !product.viewReadableBy("chaos-cut-revoked"));
            } finally {
                cut = Duration.ofNanos(System.nanoTime() - cutAt);
                mesh.brokers().start(broker);
            }
            acknowledged += product.produce(2 * BATCH, 3 * BATCH);

            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            assertThat(product.viewReadableBy("chaos-cut-approved")).as("the grant approved while the broker was away").isTrue();
            assertThat(product.viewReadableBy("chaos-cut-revoked")).as("the grant revoked while the broker was away").isFalse();
            String after = apps.checkAfterFault(product, null);
            System.out.printf("chaos broker-cut: broker %d (leading the product) cut off for %d s while request %s was approved and "
                    + "%s's grant revoked; %d records acknowledged; %s; the approved grant's READ ACL present, the revoked one's gone; "
                    + "in sync again %s; %s%n", broker, cut.toSeconds(), approved, revoked,
                    acknowledged, checked, product.inSyncReplicas(), after);
        }
    }
}
