package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's registry fault on a three-broker cluster: the registry is killed
 * ({@code kill -9}) while records flow through the contract gate to the product, its DLQ and its
 * view, and stays down longer than the serdes keep a schema lookup before refreshing it (30 s).
 * The apps carry on with the schemas they know: no acknowledged record lost or doubled, and the
 * catalog (whose global tables re-read their values on every cache flush) keeps running.
 */
@MeshTest(brokers = 3)
class RegistryKillChaosIT {

    private static final int BATCH = 500;
    /** Longer than Apicurio's schema cache period (30 s by default), so lookups are refreshed while it is down. */
    private static final Duration OUTAGE = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    @Timeout(660)
    void killingTheRegistryLosesNoRecordAndNoAppStops(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.all();
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-registry", dir);
            var decided = product.decideGrants(catalog.restUrl());
            var acknowledged = new AtomicInteger(product.produce(0, BATCH));
            // all of batch 1 in the view first: the view's growth during the outage must be records sent during it
            product.committedCopies(product.view(), ChaosProduct.inView(acknowledged.get()));

            mesh.killRegistry();
            long viewAtKill = product.endOffsets(product.view());
            long killedAt = System.nanoTime();
            List<KafkaStreams.State> catalogStates = new ArrayList<>();
            try {
                // Records keep coming, a small batch per look, until the outage has lasted long
                // enough and records sent during it have come through the gate into the view.
                await().atMost(OUTAGE.plusSeconds(120)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    int from = acknowledged.get();
                    acknowledged.addAndGet(product.produce(from, from + BATCH / 10));
                    catalogStates.add(catalog.state());
                    return Duration.ofNanos(System.nanoTime() - killedAt).compareTo(OUTAGE) > 0
                            && product.endOffsets(product.view()) > viewAtKill;
                });
            } finally {
                mesh.restartRegistry();
            }
            int from = acknowledged.get();
            acknowledged.addAndGet(product.produce(from, from + BATCH));

            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged.get());
            assertThat(catalogStates).as("the catalog's state at each look during the outage").containsOnly(KafkaStreams.State.RUNNING);
            String after = apps.checkAfterFault(product, decided);
            System.out.printf("chaos registry-kill: registry killed (kill -9) for %d s with records flowing, then restarted; "
                    + "%d records acknowledged; %s; catalog RUNNING at all %d looks during the outage; %s%n",
                    Duration.ofNanos(System.nanoTime() - killedAt).toSeconds(), acknowledged.get(), checked, catalogStates.size(), after);
        }
    }
}
