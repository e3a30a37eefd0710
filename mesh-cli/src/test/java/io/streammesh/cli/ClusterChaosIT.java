package io.streammesh.cli;

import static org.awaitility.Awaitility.await;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite on a three-broker cluster ({@code mesh up --brokers 3}), records flowing from an
 * ingest topic through the contract gate to the product, its dead-letter topic and its analytics
 * view. One fault per test; after it, each acknowledged record is in the product or the DLQ
 * exactly once, the view holds exactly the records its filter lets through, once each, and the
 * apps carry on with no one restarting them. Each prints the numbers it checked.
 */
@MeshTest(brokers = 3)
class ClusterChaosIT {

    private static final int BATCH = 1_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void stoppingTheBrokerLeadingTheProductLosesNoAcknowledgedRecordAndTheAppsRecoverAlone(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.all();
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-broker", dir);
            var decided = product.decideGrants(catalog.restUrl());
            int acknowledged = product.produce(0, BATCH);
            int leader = product.leadingBroker();

            mesh.brokers().stop(leader);
            long productWhileDown;
            try {
                // Read before the batch is sent: the gate may have written all of it by the time its acknowledgements are in.
                long before = product.endOffsets(product.address().topic());
                acknowledged += product.produce(BATCH, 2 * BATCH);
                await().atMost(Duration.ofSeconds(60)).until(() -> product.endOffsets(product.address().topic()) > before);
                productWhileDown = product.endOffsets(product.address().topic());
            } finally {
                mesh.brokers().start(leader);
            }
            acknowledged += product.produce(2 * BATCH, 3 * BATCH);

            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            String after = apps.checkAfterFault(product, decided);
            System.out.printf("chaos broker-restart: broker %d (leading the product) stopped and restarted; %d records acknowledged; "
                    + "product end offset %d while it was down; %s; in sync again %s; %s%n", leader, acknowledged,
                    productWhileDown, checked, product.inSyncReplicas(), after);
        }
    }

    /**
     * A view's topic is created once the catalog has the view, with the cluster's replication
     * factor (3). A view added while a broker is down may not get it until the broker is back (Kafka
     * may place no replica on a broker that shut down): its product's records wait for it, no other
     * product's view waits at all, and once the broker is back the view has its topic and its
     * records, in sync on three brokers.
     */
    @Test
    @Timeout(600)
    void aViewAddedWhileABrokerIsDownGetsItsTopicAndHoldsUpNoOtherProduct(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            apps.all();
            ChaosProduct flowing = ChaosProduct.publish(mesh, "chaos-flowing", Files.createDirectories(dir.resolve("flowing")));
            Path changingDir = Files.createDirectories(dir.resolve("changing"));
            ChaosProduct changing = ChaosProduct.publish(mesh, "chaos-changing", changingDir);
            int flowingAcknowledged = flowing.produce(0, BATCH);
            int changingAcknowledged = changing.produce(0, BATCH);
            // all of the flowing product's batch 1 in its view first: its growth while the broker is down must be batch 2
            flowing.committedCopies(flowing.view(), ChaosProduct.inView(flowingAcknowledged));
            await().atMost(Duration.ofSeconds(60)).until(() -> changing.endOffsets(changing.view()) > 0);
            int stopped = mesh.brokers().nodeIds().get(mesh.brokers().nodeIds().size() - 1);

            mesh.brokers().stop(stopped);
            String germany;
            boolean germanyWhileDown;
            long flowingViewWhileDown;
            try {
                germany = changing.publishWithGermanView(changingDir);
                changingAcknowledged += changing.produce(BATCH, 2 * BATCH);
                long flowingBefore = flowing.endOffsets(flowing.view());
                flowingAcknowledged += flowing.produce(BATCH, 2 * BATCH);
                await().atMost(Duration.ofSeconds(60)).until(() -> flowing.endOffsets(flowing.view()) > flowingBefore);
                flowingViewWhileDown = flowing.endOffsets(flowing.view());
                germanyWhileDown = mesh.admin().listTopics().names().get().contains(germany);
            } finally {
                mesh.brokers().start(stopped);
            }
            // Records the enforcer read before its copy of the catalog had the new view are not in it: these come after.
            changingAcknowledged += changing.produce(2 * BATCH, 3 * BATCH);
            await().atMost(Duration.ofSeconds(60)).until(() -> mesh.admin().listTopics().names().get().contains(germany)
                    && changing.endOffsets(germany) > 0);

            ChaosProduct.Checked checkedChanging = changing.checkExactlyOnce(changingAcknowledged);
            ChaosProduct.Checked checkedFlowing = flowing.checkExactlyOnce(flowingAcknowledged);
            String after = apps.checkAfterFault(changing, null);
            System.out.printf("chaos view-added-with-a-broker-down: broker %d stopped; the new view %s had its topic while it was down: %s; "
                    + "the other product's view reached %d meanwhile; after the restart: changing %s, flowing %s; the new view in sync on %s; %s%n",
                    stopped, germany, germanyWhileDown, flowingViewWhileDown, checkedChanging, checkedFlowing, changing.inSyncReplicas(germany),
                    after);
        }
    }
}
