package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.IngestGrants;
import io.streammesh.testing.MeshTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh catalog show} tells a stopped contract gate from a quiet producer: the gate's lag on the product's ingest topic. */
@MeshTest
class GateLagCommandsIT {

    private static final Duration MEASURED = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void catalogShowListsTheIngestTopicAndTheGateLagGrowsWhileTheGateIsStoppedAndReturnsToZeroOnceItRuns(EmbeddedMesh mesh)
            throws Exception {
        mesh.onboarding().addDomain("lag-shop");
        ProductAddress address = ProductAddress.parse("lag-shop.order-placed.v1");
        String state = mesh.state().root().toString();
        Path gateState = dir.resolve("gate");
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                mesh.state().credentials(), 0));
             var producer = new KafkaProducer<>(mesh.clientConfig("lag-shop").kafka(), new StringSerializer(), new StringSerializer())) {
            var published = CommandRun.of("product", "publish", contract().toString(), "--state-dir", state);
            assertThat(published.exitCode()).as(published.err()).isZero();
            // what the policy-enforcer does once the catalog has admitted the product: its topics, then the domain's WRITE
            IngestGrants.allow(mesh, address);

            try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), gateState)) {
                producer.send(new ProducerRecord<>(address.ingestTopic(), "o-0", order("o-0"))).get();
                // Before the gate stops: a lag of 0 measured before o-0 was sent would satisfy the catalog at once.
                await().atMost(MEASURED).until(() -> gateCommitted(mesh, address) >= 1);
                String caughtUp = show(catalog, address, state, "  gate         lag 0 records,");
                assertThat(caughtUp).contains("  ingest       lag-shop.order-placed.v1.ingest (retention 1 d)\n");
            }

            for (int i = 1; i <= 5; i++) {
                producer.send(new ProducerRecord<>(address.ingestTopic(), "o-" + i, order("o-" + i))).get();
            }
            show(catalog, address, state, "  gate         lag 5 records,");

            try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), gateState)) {
                show(catalog, address, state, "  gate         lag 0 records,");
            }
        }
    }

    @Test
    void theCatalogMayReadTheGatesCommittedOffsetsButNeitherMoveNorDeleteThem(EmbeddedMesh mesh) throws Exception {
        String gateGroup = PlatformApp.GATE.applicationId();
        try (Admin catalog = Admin.create(mesh.clientConfig(PlatformApp.CATALOG.applicationId()).kafka())) {
            assertThat(catalog.listConsumerGroupOffsets(gateGroup).partitionsToOffsetAndMetadata().get()).isNotNull();

            var reset = Map.of(new TopicPartition("lag-shop.order-placed.v1.ingest", 0), new OffsetAndMetadata(0));
            assertThatThrownBy(() -> catalog.alterConsumerGroupOffsets(gateGroup, reset).all().get())
                    .hasCauseInstanceOf(GroupAuthorizationException.class);
            assertThatThrownBy(() -> catalog.deleteConsumerGroups(List.of(gateGroup)).all().get())
                    .hasCauseInstanceOf(GroupAuthorizationException.class);
        }
    }

    /** @return the gate's committed offsets on the product's ingest topic, summed over its partitions */
    private static long gateCommitted(EmbeddedMesh mesh, ProductAddress address) throws Exception {
        return mesh.admin().listConsumerGroupOffsets(PlatformApp.GATE.applicationId()).partitionsToOffsetAndMetadata().get().entrySet()
                .stream().filter(e -> e.getKey().topic().equals(address.ingestTopic()) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    /** {@code mesh catalog show}, again until it shows {@code line}. */
    private static String show(CatalogApp catalog, ProductAddress address, String state, String line) {
        return await().atMost(MEASURED).until(() -> CommandRun.of("catalog", "show", address.toString(), "--as", "lag-shop",
                "--catalog-url", catalog.restUrl(), "--state-dir", state).out(), out -> out.contains(line));
    }

    private static String order(String id) {
        return "{\"orderId\": \"" + id + "\", \"customerId\": \"c-1\", \"customerEmail\": \"ann@example.com\", "
                + "\"shippingAddress\": \"1 Main Street\", \"country\": \"FR\", \"amount\": 9.5, \"currency\": \"EUR\", "
                + "\"items\": 1, \"placedAt\": 1795600800000}";
    }

    private Path contract() throws Exception {
        Path examples = Path.of("..", "examples", "orders");
        Files.copy(examples.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        return Files.writeString(dir.resolve("lag-shop.yaml"), Files.readString(examples.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: lag-shop").replace("User:orders", "User:lag-shop")
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
    }
}
