package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.testing.MeshTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
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
    private static final byte[] VIEW_SECRET = "chaos-secret".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void stoppingTheBrokerLeadingTheProductLosesNoAcknowledgedRecordAndTheAppsRecoverAlone(EmbeddedMesh mesh) throws Exception {
        try (var catalog = startCatalog(mesh);
             var grants = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             var views = startViews(mesh);
             var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"))) {
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

            Checked checked = checkExactlyOnce(product, acknowledged);
            await().atMost(Duration.ofSeconds(60)).until(() -> product.inSyncReplicas().stream().allMatch(isr -> isr.size() == 3));
            assertThat(catalog.state()).isEqualTo(KafkaStreams.State.RUNNING);
            System.out.printf("chaos broker-restart: broker %d (leading the product) stopped and restarted; %d records acknowledged; "
                    + "product end offset %d while it was down; %s; in sync again %s; catalog %s%n", leader, acknowledged,
                    productWhileDown, checked, product.inSyncReplicas(), catalog.state());
        }
    }

    /** What a test found on the product, its dead-letter topic and its view. */
    private record Checked(int product, int deadLetters, int view) {
        @Override
        public String toString() {
            return "product " + product + ", dead letters " + deadLetters + ", view " + view + ", each exactly once";
        }
    }

    private static Checked checkExactlyOnce(ChaosProduct product, int acknowledged) {
        Map<String, Integer> products = exactlyOnce(product, product.address().topic(), ChaosProduct.accepted(acknowledged));
        Map<String, Integer> dead = exactlyOnce(product, product.address().deadLetterTopic(), ChaosProduct.deadLettered(acknowledged));
        Map<String, Integer> view = exactlyOnce(product, product.view(), ChaosProduct.inView(acknowledged));
        return new Checked(products.size(), dead.size(), view.size());
    }

    private static Map<String, Integer> exactlyOnce(ChaosProduct product, String topic, Set<String> expected) {
        Map<String, Integer> copies = product.committedCopies(topic, expected);
        assertThat(copies.keySet()).as("the records in %s", topic).isEqualTo(expected);
        assertThat(copies.values()).as("each once in %s", topic).containsOnly(1);
        return copies;
    }

    private CatalogApp startCatalog(EmbeddedMesh mesh) {
        return CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()), dir.resolve("catalog"),
                mesh.state().credentials(), 0));
    }

    private ViewApp startViews(EmbeddedMesh mesh) {
        return ViewApp.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), dir.resolve("views"),
                VIEW_SECRET, new SimpleMeterRegistry());
    }
}
