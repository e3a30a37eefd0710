package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.CatalogClient;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's instance faults on a three-broker cluster, as {@code mesh up --instances 2}
 * runs the apps: two instances of the gate, the policy-enforcer (grants and views) or the catalog, one in this JVM
 * and one in a process of its own, and the process killed ({@code kill -9}) while records flow.
 * Nobody restarts it: the surviving instance takes over its partitions, and afterwards every
 * acknowledged record is in the product, DLQ and view exactly once, and a request approved after
 * the kill is granted once and enforced; and {@link ChaosApps#checkAfterFault}.
 */
@MeshTest(brokers = 3)
class InstanceKillChaosIT {

    private static final int BATCH = 1_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void killingOneOfTwoGatesLeavesTheOtherToCarryEveryRecordExactlyOnce(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.all();
            Process doomed = apps.process("gate");
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-gates", dir);
            var decided = product.decideGrants(catalog.restUrl());
            int acknowledged = product.killMidStream(doomed, product.address().topic(), BATCH);

            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            String after = apps.checkAfterFault(product, decided);
            System.out.printf("chaos gate-instance-kill: one of two gates killed (kill -9) mid-stream, not restarted; "
                    + "%d records acknowledged; %s; %s%n", acknowledged, checked, after);
        }
    }

    @Test
    @Timeout(600)
    void killingOneOfTwoEnforcerInstancesLeavesTheOtherToKeepEveryViewExactAndEveryGrant(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.all();
            Process doomed = apps.process("enforcer");
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-view-pair", dir);
            var decided = product.decideGrants(catalog.restUrl());
            int acknowledged = product.killMidStream(doomed, product.view(), BATCH);

            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            String after = apps.checkAfterFault(product, decided);
            System.out.printf("chaos enforcer-instance-kill: one of two policy-enforcers (grants and views) killed (kill -9) mid-stream, "
                    + "not restarted; %d records acknowledged; %s; %s%n", acknowledged, checked, after);
        }
    }

    @Test
    @Timeout(600)
    void killingOneOfTwoCatalogsLeavesTheOtherToAnswerAndGrant(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var survivor = apps.all();
            Process doomed = apps.process("catalog");
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-catalogs", dir);
            var rest = new CatalogClient(survivor.restUrl(), mesh.clientConfig(product.address().domain()));
            String request = product.requestAnalytics("chaos-catalogs-team", rest);
            int acknowledged = product.produce(0, BATCH);
            ChaosApps.kill(doomed);
            product.decide(request, DecisionKind.APPROVED);
            acknowledged += product.produce(BATCH, 2 * BATCH);

            await().atMost(Duration.ofSeconds(120)).until(() -> product.viewReadableBy("chaos-catalogs-team"));
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                    .until(() -> rest.get("/api/access/requests/" + request).path("status").asText().equals("APPROVED"));
            assertThat(await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> rest.get("/api/products/" + product.address()).path("address").asText(), product.address().toString()::equals))
                    .as("the surviving catalog answers for the product").isEqualTo(product.address().toString());
            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            assertThat(product.committedCopies(MeshTopics.ACCESS_GRANTS, Set.of(request))).as("the grant for %s", request)
                    .containsEntry(request, 1);
            String after = apps.checkAfterFault(product, null);
            System.out.printf("chaos catalog-instance-kill: one of two catalogs killed (kill -9), not restarted, and request %s "
                    + "approved after it; the survivor answers for the product and the request, the grant is in %s once and the "
                    + "view's READ ACL present; %d records acknowledged; %s; %s%n", request, MeshTopics.ACCESS_GRANTS, acknowledged, checked,
                    after);
        }
    }
}
