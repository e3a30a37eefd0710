package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
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
    @Timeout(300)
    void stoppingTheBrokerLeadingTheProductLosesNoAcknowledgedRecordAndTheAppsRecoverAlone(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.catalog();
            apps.grants();
            apps.views();
            apps.gate();
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-broker", dir);
            int acknowledged = product.produce(0, BATCH);
            int leader = product.leadingBroker();

            mesh.brokers().stop(leader);
            long productWhileDown;
            try {
                acknowledged += product.produce(BATCH, 2 * BATCH);
                long before = product.endOffsets(product.address().topic());
                await().atMost(Duration.ofSeconds(60)).until(() -> product.endOffsets(product.address().topic()) > before);
                productWhileDown = product.endOffsets(product.address().topic());
            } finally {
                mesh.brokers().start(leader);
            }
            acknowledged += product.produce(2 * BATCH, 3 * BATCH);

            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            await().atMost(Duration.ofSeconds(60)).until(() -> product.inSyncReplicas().stream().allMatch(isr -> isr.size() == 3));
            assertThat(catalog.state()).isEqualTo(KafkaStreams.State.RUNNING);
            System.out.printf("chaos broker-restart: broker %d (leading the product) stopped and restarted; %d records acknowledged; "
                    + "product end offset %d while it was down; %s; in sync again %s; catalog %s%n", leader, acknowledged,
                    productWhileDown, checked, product.inSyncReplicas(), catalog.state());
        }
    }
}
