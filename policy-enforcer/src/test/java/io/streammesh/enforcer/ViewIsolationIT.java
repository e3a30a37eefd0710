package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.client.CatalogClient;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewAccess;
import io.streammesh.testing.ProductRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One domain's expensive view filter on the real broker, registry and catalog: it passes the
 * publish-time budget (two nested comprehensions over a list field) but not the run-time one on
 * records with thousands of tags. Its records are its view's failures, its view is DEGRADED in
 * the catalog with the reason, and another product's view keeps flowing meanwhile.
 */
@MeshTest
class ViewIsolationIT {

    private static final String BAD = "iso-bad.basket.v1";
    private static final String GOOD = "iso-good.order-placed.v1";
    /** Without a budget, 9 million iterations per record of 3000 tags: seconds each. */
    private static final String PAIRS = "record.tags.all(a, record.tags.all(b, a + b >= 0))";
    private static final int BAD_RECORDS = 20;
    private static final int GOOD_RECORDS = 200;

    @Test
    @Timeout(300)
    void aViewOverTheCelBudgetIsDegradedWhileAnotherProductsViewKeepsFlowing(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("iso-bad");
        mesh.onboarding().addDomain("iso-good");
        Schema orders = ViewAppITCatalog.orderSchema();
        ViewAppITCatalog.publishWithTopic(mesh, GOOD, "iso-good", orders);
        Schema baskets = SchemaBuilder.record("Basket").namespace("io.streammesh.test").fields().requiredString("id")
                .name("tags").type().array().items().longType().noDefault().endRecord();
        publishBaskets(mesh, baskets);

        Path dir = Files.createTempDirectory("view-isolation-");
        var meters = new SimpleMeterRegistry();
        try (var catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                     mesh.state().credentials(), 0));
             var views = ViewApp.start(mesh.clientConfig("mesh-enforcer"), dir.resolve("views"), "iso-secret".getBytes(), meters)) {
            send(mesh, BAD, BAD_RECORDS, i -> basket(baskets, "b-" + i, 3000));
            send(mesh, GOOD, GOOD_RECORDS, i -> ViewAppITCatalog.order(orders, "o-" + i, "FR"));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(meters, GOOD, "out"))
                    .as("the other product's view flows (counted again after an aborted transaction)")
                    .isGreaterThanOrEqualTo(GOOD_RECORDS));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(meters, BAD, "dead-lettered"))
                    .as("each over-budget record is its view's failure (counted again after an aborted transaction)")
                    .isGreaterThanOrEqualTo(BAD_RECORDS));

            var api = new CatalogClient(catalog.restUrl(), mesh.clientConfig("mesh-admin"));
            String reason = "'" + PAIRS + "' is over the evaluation budget of 10000 iterations per record";
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                JsonNode status = api.get("/api/products/" + BAD).at("/views/0/status");
                assertThat(status.path("state").asText()).isEqualTo("DEGRADED");
                assertThat(status.path("reason").asText()).isEqualTo(reason);
            });
            assertThat(api.get("/api/products/" + GOOD).at("/views/0/status/state").asText()).isEqualTo("OK");
            // This test's products only: the module's tests share one mesh, and others degrade views of their own.
            assertThat(api.get("/api/views?state=DEGRADED").path("views"))
                    .filteredOn(view -> view.path("address").asText().startsWith("iso-"))
                    .singleElement().satisfies(view -> {
                        assertThat(view.path("address").asText()).isEqualTo(BAD);
                        assertThat(view.path("view").asText()).isEqualTo("analytics");
                        assertThat(view.path("reason").asText()).isEqualTo(reason);
                    });
        }
    }

    /** Registers the basket schema and topic and puts the product, with its expensive filter, into the catalog. */
    private static void publishBaskets(EmbeddedMesh mesh, Schema baskets) throws Exception {
        long contentId;
        try (var registry = SchemaRegistry.connect(mesh.clientConfig("iso-bad"))) {
            contentId = registry.register(BAD + "-value", baskets.toString()).contentId();
        }
        mesh.admin().createTopics(List.of(new NewTopic(BAD, 3, (short) 1))).all().get();
        DataProduct product = ViewAppITCatalog.product(BAD, "iso-bad", contentId, Map.of());
        ProductRegistration registration = ProductRegistration.newBuilder(product.getRegistration())
                .setViews(List.of(ProductView.newBuilder().setName("analytics").setAccess(ViewAccess.OWNER_APPROVAL)
                        .setFilter(PAIRS).setMasks(Map.of()).build())).build();
        ViewAppITCatalog.put(mesh, DataProduct.newBuilder(product).setRegistration(registration).build());
    }

    private static void send(EmbeddedMesh mesh, String topic, int records, IntFunction<GenericRecord> record) {
        Map<String, GenericRecord> values = new LinkedHashMap<>();
        for (int i = 0; i < records; i++) {
            values.put("k-" + i, record.apply(i));
        }
        ProductRecords.write(mesh, topic, values);
    }

    private static GenericRecord basket(Schema schema, String id, int tags) {
        GenericRecord basket = new GenericData.Record(schema);
        basket.put("id", id);
        basket.put("tags", LongStream.range(0, tags).boxed().toList());
        return basket;
    }

    private static double count(SimpleMeterRegistry meters, String address, String outcome) {
        var counter = meters.find("mesh.view.records").tag("view", "mesh.view." + address + ".analytics").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
