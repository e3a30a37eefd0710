package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.demo.orders.OrderPlaced;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry killed under a producer (kill -9, as in issue 11): good records still reach the
 * product, never the dead-letter topic; a producer waits for a registry that comes back, and
 * fails with one clear line for one that stays away.
 */
@MeshTest
class ProducerOutageIT {

    private EmbeddedMesh mesh;

    @AfterEach
    void registryIsBackForTheNextTest() {
        if (mesh != null && !registryAnswers(mesh)) {
            mesh.restartRegistry();
        }
    }

    @Test
    void goodRecordsSentWhileTheRegistryIsDeadReachTheProductAndOnlyRuleBreakersAreDeadLettered(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        MeshClientConfig config = TestContracts.publishOrders(mesh, "outage-send");
        ProductAddress address = ProductAddress.parse("outage-send.order-placed.v1");
        GateIT.admit(mesh, config, address);
        List<CompletableFuture<Delivery>> deliveries = new ArrayList<>();
        try (var producer = ProductProducer.<OrderPlaced>open(address, config, new SimpleMeterRegistry())) {
            mesh.killRegistry();
            for (int i = 0; i < 50; i++) {
                OrderPlaced order = ProductProducerIT.order("d-" + i);
                if (i % 10 == 9) {
                    order.setAmount(-1.0);
                }
                deliveries.add(producer.send(order));
            }
            producer.flush();
        }

        List<Delivery> done = deliveries.stream().map(CompletableFuture::join).toList();
        assertThat(done).filteredOn(Delivery::deadLettered).extracting(Delivery::rule).hasSize(5).containsOnly("positive-amount");
        mesh.restartRegistry();
        // the gate, which reads schemas from the registry, checks them once it is back
        try (var gate = ProductProducerIT.startGate(mesh)) {
            assertThat(ProductProducerIT.read(config, address.topic(), 45)).hasSize(45);
            List<ConsumerRecord<String, byte[]>> dlq = ProductProducerIT.read(config, address.deadLetterTopic(), 5);
            assertThat(dlq).extracting(r -> ProductProducerIT.header(r, DeadLetterHeaders.RULE)).containsOnly("positive-amount");
        }
    }

    @Test
    void aProducerOpenedWhileTheRegistryIsDeadWaitsUntilItIsBackThenSendsEveryRecordToTheProduct(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        MeshClientConfig config = TestContracts.publishOrders(mesh, "outage-open");
        ProductAddress address = ProductAddress.parse("outage-open.order-placed.v1");
        GateIT.admit(mesh, config, address);
        mesh.killRegistry();
        CompletableFuture<Void> restart = CompletableFuture.runAsync(mesh::restartRegistry);

        List<Delivery> done = new ArrayList<>();
        try (var producer = ProductProducer.<OrderPlaced>open(address, config, new SimpleMeterRegistry(),
                new ProductProducer.Options(Duration.ofSeconds(100), false))) {
            for (int i = 0; i < 20; i++) {
                done.add(producer.send(ProductProducerIT.order("w-" + i)).join());
            }
        }
        restart.join();

        assertThat(done).noneMatch(Delivery::deadLettered);
        try (var gate = ProductProducerIT.startGate(mesh)) {
            assertThat(ProductProducerIT.read(config, address.topic(), 20)).hasSize(20);
        }
    }

    @Test
    void aRegistryDeadLongerThanTheWaitIsOneClearErrorAndNothingIsDeadLettered(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        MeshClientConfig config = TestContracts.publishOrders(mesh, "outage-long");
        ProductAddress address = ProductAddress.parse("outage-long.order-placed.v1");
        mesh.killRegistry();

        assertThatThrownBy(() -> ProductProducer.open(address, config, new SimpleMeterRegistry(),
                new ProductProducer.Options(Duration.ofSeconds(3), false)))
                .isInstanceOf(SchemaRegistry.Unreachable.class)
                .hasMessageStartingWith("the schema registry at " + mesh.endpoints().registryApiUrl() + " does not answer (")
                .hasMessageEndingWith(" and still did not after 3 s; is the mesh running?")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(TopicOffsets.end(mesh.admin(), address.deadLetterTopic())).isZero();
    }

    private static boolean registryAnswers(EmbeddedMesh mesh) {
        try (var registry = SchemaRegistry.connect(mesh.clientConfig("mesh-admin"))) {
            registry.latest("outage-probe-value");
            return true;
        } catch (SchemaRegistry.Unreachable e) {
            return false;
        }
    }
}
