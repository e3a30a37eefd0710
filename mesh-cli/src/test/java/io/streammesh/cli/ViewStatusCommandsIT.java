package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.RecordProducers;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ViewState;
import io.streammesh.schema.ViewStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh catalog show} says which views the policy-enforcer reports degraded, and why; only the enforcer says so. */
@MeshTest
class ViewStatusCommandsIT {

    private static final String REASON = "'record.tags.all(a, record.tags.all(b, a + b >= 0))' is over the evaluation budget "
            + "of 10000 iterations per record";

    @TempDir
    Path dir;

    @Test
    void aDomainCannotWriteAViewsStatus(EmbeddedMesh mesh) {
        mesh.onboarding().addDomain("vs-forger");
        ProductAddress address = ProductAddress.parse("vs-forger.order-placed.v1");
        ViewStatus forged = ViewStatus.newBuilder().setAddress(address.toString()).setView("analytics").setState(ViewState.OK)
                .setFailures(0).setUpdatedAt(Instant.now()).build();
        try (var forger = RecordProducers.<ViewStatus>create(mesh.clientConfig("vs-forger"), "test-forger")) {
            assertThatThrownBy(() -> forger.send(new ProducerRecord<>(MeshTopics.VIEW_STATUS, MeshTopics.viewStatusKey(address, "analytics"),
                    forged)).get()).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void catalogShowListsEachViewWithItsStateAndTheReasonItIsDegraded(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("vs-shop");
        ProductAddress address = ProductAddress.parse("vs-shop.order-placed.v1");
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                mesh.state().credentials(), 0))) {
            String state = mesh.state().root().toString();
            var published = CommandRun.of("product", "publish", contract().toString(), "--state-dir", state);
            assertThat(published.exitCode()).as(published.err()).isZero();
            try (var enforcer = RecordProducers.<ViewStatus>create(mesh.clientConfig("mesh-enforcer"), "test-enforcer")) {
                enforcer.send(new ProducerRecord<>(MeshTopics.VIEW_STATUS, MeshTopics.viewStatusKey(address, "analytics"),
                        ViewStatus.newBuilder().setAddress(address.toString()).setView("analytics").setState(ViewState.DEGRADED)
                                .setReason(REASON).setFailures(3).setLastFailureAt(Instant.now()).setUpdatedAt(Instant.now()).build())).get();
            }

            String shown = await().atMost(Duration.ofSeconds(20)).until(() -> CommandRun.of("catalog", "show", address.toString(),
                    "--as", "vs-shop", "--catalog-url", catalog.restUrl(), "--state-dir", state).out(), out -> out.contains("DEGRADED"));
            assertThat(shown).contains("  view         full (owner_approval)\n               state OK\n",
                    "               state DEGRADED (" + REASON + ", 3 records failed in a row)\n");
        }
    }

    private Path contract() throws Exception {
        Path examples = Path.of("..", "examples", "orders");
        Files.copy(examples.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        return Files.writeString(dir.resolve("vs-shop.yaml"), Files.readString(examples.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: vs-shop").replace("User:orders", "User:vs-shop")
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
    }
}
