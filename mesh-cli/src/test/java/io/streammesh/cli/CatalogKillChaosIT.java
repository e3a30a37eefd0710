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
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's catalog fault on a three-broker cluster: the catalog, in a JVM of its own, is
 * killed ({@code kill -9}) while records flow, and an owner approves a pending request while it is
 * down. After its restart the request is approved, granted exactly once and enforced (the view's
 * READ ACL), and every product, DLQ and view record is there exactly once.
 */
@MeshTest(brokers = 3)
class CatalogKillChaosIT {

    private static final int BATCH = 1_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void killingTheCatalogWhileARequestIsApprovedGrantsItExactlyOnceAfterItsRestart(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            apps.grants();
            apps.views();
            apps.gate();
            apps.audit();
            Process first = apps.process("catalog");
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-catalog", dir);
            var rest = new CatalogClient(apps.catalogProcessUrl(), mesh.clientConfig(product.address().domain()));
            var decided = product.decideGrants(apps.catalogProcessUrl());
            String request = product.requestAnalytics("chaos-catalog-team", rest);
            int acknowledged = product.produce(0, BATCH);
            ChaosApps.kill(first);
            product.decide(request, DecisionKind.APPROVED);
            acknowledged += product.produce(BATCH, 2 * BATCH);

            apps.restart("catalog");
            await().atMost(Duration.ofSeconds(120)).until(() -> product.viewReadableBy("chaos-catalog-team"));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> rest.get("/api/access/requests/" + request).path("status").asText().equals("APPROVED"));
            acknowledged += product.produce(2 * BATCH, 3 * BATCH);
            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            Map<String, Integer> grantCopies = product.committedCopies(MeshTopics.ACCESS_GRANTS, Set.of(request));
            assertThat(grantCopies).as("the grant for %s in %s", request, MeshTopics.ACCESS_GRANTS).containsEntry(request, 1);
            String after = apps.checkAfterFault(product, decided);
            System.out.printf("chaos catalog-kill: catalog killed (kill -9) and request %s approved while it was down; after "
                    + "its restart the grant is in %s once and the view's READ ACL present; %d records acknowledged; %s; %s%n",
                    request, MeshTopics.ACCESS_GRANTS, acknowledged, checked, after);
        }
    }
}
