package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewAccess;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.ProductRecords;
import io.streammesh.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One domain evolves its own contract through the catalog (a minor version whose analytics view
 * now hashes an int field): the view's schema turns that field into a string, which the
 * registry's global BACKWARD rule refuses under the view's subject. The view's preparation fails;
 * another domain's product, whose partitions share the view app's tasks, keeps flowing, and the
 * refused view is DEGRADED with its records on its dead-letter topic.
 */
@MeshTest
class ViewPreparationIsolationIT {

    private static final String BAD = "prep-bad.order-placed.v1";
    private static final String GOOD = "prep-good.order-placed.v1";
    private static final int RECORDS = 50;

    @Test
    @Timeout(300)
    void aViewSchemaTheRegistryRefusesStallsNoOtherDomainsView(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("prep-bad");
        mesh.onboarding().addDomain("prep-good");
        Schema orders = ViewAppITCatalog.orderSchema();
        ViewAppITCatalog.publishWithTopic(mesh, GOOD, "prep-good", orders);
        Schema shipments = SchemaBuilder.record("Shipment").namespace("io.streammesh.test.prep").fields()
                .requiredString("shipmentId").requiredInt("parcels").requiredString("country").endRecord();
        long badContentId;
        try (var registry = SchemaRegistry.connect(mesh.clientConfig("prep-bad"))) {
            badContentId = registry.register(BAD + "-value", shipments.toString()).contentId();
        }
        mesh.admin().createTopics(List.of(new NewTopic(BAD, 3, (short) 1))).all().get();

        Path dir = Files.createTempDirectory("view-preparation-");
        var meters = new SimpleMeterRegistry();
        try (var catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                     mesh.state().credentials(), 0));
             var views = ViewApp.start(mesh.clientConfig("mesh-enforcer"), dir.resolve("views"), "prep-secret".getBytes(), meters)) {
            var api = new CatalogClient(catalog.restUrl(), mesh.clientConfig("mesh-admin"));
            // Version 1.0.0, through the catalog's governance like any domain's contract.
            register(mesh, registration(badContentId, "1.0.0", Map.of("country", "redact")));
            awaitVersion(api, "1.0.0");

            send(mesh, BAD, 0, i -> shipment(shipments, i));
            send(mesh, GOOD, 0, i -> ViewAppITCatalog.order(orders, "o-0-" + i, "FR"));
            // at least: a record is counted again when its transaction aborts (as registering a view schema may make it)
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(count(meters, BAD, "out")).as("the bad domain's view flows at first").isGreaterThanOrEqualTo(RECORDS);
                assertThat(count(meters, GOOD, "out")).as("the good domain's view flows at first").isGreaterThanOrEqualTo(RECORDS);
            });

            // Version 1.1.0: the view also hashes 'parcels' (an int), so the view schema has it as a string.
            register(mesh, registration(badContentId, "1.1.0", Map.of("country", "redact", "parcels", "hash")));
            awaitVersion(api, "1.1.0");
            // Each view task that has a plan for the product follows 1.1.0 (its catalog look-up runs every second).
            long admitted = Instant.parse(api.get("/api/products/" + BAD).path("updatedAt").asText()).toEpochMilli();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(meters.find("mesh.view.catalog.entry").tag("product", BAD)
                    .gauges()).isNotEmpty().allSatisfy(task -> assertThat(task.value()).isGreaterThanOrEqualTo(admitted)));
            send(mesh, BAD, 1, i -> shipment(shipments, RECORDS + i));
            send(mesh, GOOD, 1, i -> ViewAppITCatalog.order(orders, "o-1-" + i, "FR"));

            // Read as consumers read the views (read_committed): under exactly-once, a task that fails counts records it
            // then aborts. And not failed at a stream thread's first death: what counts is whether the records arrive.
            MeshClientConfig admin = mesh.clientConfig("mesh-admin");
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(keys(admin, view(GOOD)).size())
                    .as("the other domain's view keeps flowing").isEqualTo(2 * RECORDS));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(keys(admin, MeshTopics.deadLetter(view(BAD))).size())
                    .as("the refused view's records are its own failures, on its dead-letter topic").isEqualTo(RECORDS));
            assertThat(keys(admin, view(BAD)).size()).as("the refused view holds only the records of before").isEqualTo(RECORDS);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                JsonNode status = api.get("/api/products/" + BAD).at("/views/0/status");
                assertThat(status.path("state").asText()).isEqualTo("DEGRADED");
                assertThat(status.path("reason").asText()).contains("refused").contains(MeshTopics.VIEW_PREFIX + BAD + ".analytics-value");
            });
            assertThat(api.get("/api/products/" + GOOD).at("/views/0/status/state").asText()).isEqualTo("OK");
        }
    }

    private static ProductRegistration registration(long contentId, String version, Map<String, String> masks) {
        return ProductRegistration.newBuilder().setAddress(BAD).setDomain("prep-bad").setName("order-placed").setVersion(version)
                .setOwner(Owner.newBuilder().setTeam("prep-bad-team").setPrincipal("User:prep-bad").setContact("prep-bad@example.com").build())
                .setDescription("Orders of the prep-bad domain.").setClassification("confidential")
                .setSchemaSubject(BAD + "-value").setSchemaVersion(1).setSchemaContentId(contentId)
                .setFreshnessMs(300_000L).setPublishedBy("User:prep-bad").setPublishedAt(Instant.now())
                .setViews(List.of(ProductView.newBuilder().setName("analytics").setAccess(ViewAccess.OWNER_APPROVAL).setMasks(masks).build()))
                .build();
    }

    /** As the domain itself: its registrations topic, which only it may write, judged by the catalog's governance. */
    private static void register(EmbeddedMesh mesh, ProductRegistration registration) throws Exception {
        MeshClientConfig config = mesh.clientConfig("prep-bad");
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(),
                MeshSerdes.<ProductRegistration>valueSerializer(config, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations("prep-bad"), registration.getAddress(), registration)).get();
        }
    }

    private static void awaitVersion(CatalogClient api, String version) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(api.get("/api/products/" + BAD)
                .at("/contract/version").asText()).as("admitted by the catalog").isEqualTo(version));
    }

    private static void send(EmbeddedMesh mesh, String topic, int batch, IntFunction<GenericRecord> record) {
        Map<String, GenericRecord> values = new LinkedHashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            values.put("k-" + batch + "-" + i, record.apply(i));
        }
        ProductRecords.write(mesh, topic, values);
    }

    private static GenericRecord shipment(Schema schema, int i) {
        GenericRecord shipment = new GenericData.Record(schema);
        shipment.put("shipmentId", "s-" + i);
        shipment.put("parcels", i % 5 + 1);
        shipment.put("country", "NL");
        return shipment;
    }

    private static String view(String address) {
        return MeshTopics.VIEW_PREFIX + address + ".analytics";
    }

    /** The distinct keys committed on a topic so far. */
    private static Set<String> keys(MeshClientConfig config, String topic) {
        return TopicReader.of(config.kafka(), new StringDeserializer(), new ByteArrayDeserializer()).committed(topic).stream()
                .map(ConsumerRecord::key).collect(Collectors.toSet());
    }

    private static double count(SimpleMeterRegistry meters, String address, String outcome) {
        var counter = meters.find("mesh.view.records").tag("view", "mesh.view." + address + ".analytics").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
