package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicReader;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.testing.ProductRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** A product's analytics view on the real broker and registry: rows filtered, fields masked, exactly once. */
@MeshTest
class ViewAppIT {

    @Test
    void theViewHoldsTheFilteredRowsWithTheirPiiMasked(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("view-shop");
        String address = "view-shop.order-placed.v1";
        MeshClientConfig domain = mesh.clientConfig("view-shop");
        Schema schema = ViewAppITCatalog.orderSchema();
        long contentId = ViewAppITCatalog.publishWithTopic(mesh, address, "view-shop", schema);

        var meters = new SimpleMeterRegistry();
        try (var app = ViewApp.start(mesh.clientConfig("mesh-enforcer"), Files.createTempDirectory("views-"), "test-secret".getBytes(), meters)) {
            int expected = 0;
            Map<String, GenericRecord> orders = new LinkedHashMap<>();
            for (int i = 0; i < 1000; i++) {
                String country = i % 4 == 0 ? "DE" : "FR";
                expected += country.equals("DE") ? 0 : 1;
                orders.put("o-" + i, ViewAppITCatalog.order(schema, "o-" + i, country));
            }
            ProductRecords.write(mesh, address, orders);
            List<GenericRecord> view = read(mesh.clientConfig("mesh-admin"), "mesh.view." + address + ".analytics", expected);

            assertThat(view).hasSize(expected);
            assertThat(view).allSatisfy(r -> {
                assertThat(r.get("country")).hasToString("FR");
                assertThat(r.get("customerEmail").toString()).matches("[0-9a-f]{64}");
                assertThat(r.get("shippingAddress")).hasToString("");
            });
            assertThat(view.stream().map(r -> r.get("customerEmail").toString()).distinct()).as("same email, same hash").hasSize(1);
            assertThat(meters.get("mesh.view.records").tag("outcome", "filtered").counter().count())
                    .as("at least: a transaction aborted and redone counts its records again").isGreaterThanOrEqualTo(1000 - expected);
            assertThat(meters.find("kafka.consumer.fetch.manager.records.lag.max").gauges()).as("lag is measured").isNotEmpty();

            String later = "view-shop.returned.v1";
            try (var registry = SchemaRegistry.connect(domain)) {
                registry.register(later + "-value", schema.toString());
            }
            mesh.admin().createTopics(List.of(new NewTopic(later, 1, (short) 1))).all().get();
            ViewAppITCatalog.publish(mesh, later, "view-shop", contentId);
            ProductRecords.write(mesh, later, Map.of("r-1", ViewAppITCatalog.order(schema, "r-1", "NL")));
            assertThat(read(mesh.clientConfig("mesh-admin"), "mesh.view." + later + ".analytics", 1))
                    .as("a product published while the app runs gets its view").hasSize(1);
        }
    }

    /**
     * An enforcer upgraded from a version whose catalog table was persistent finds the offsets
     * that table had reached checkpointed in its state directory: the in-memory table must still
     * read the catalog from its start (Kafka Streams 4.3 uses a global checkpoint only for a
     * persistent store; were it used, the products catalogued before would never reach a view).
     */
    @Test
    void anEnforcerUpgradedFromAPersistentCatalogTableReadsTheWholeCatalog(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("upgrade-shop");
        String address = "upgrade-shop.order-placed.v1";
        Schema schema = ViewAppITCatalog.orderSchema();
        ViewAppITCatalog.publishWithTopic(mesh, address, "upgrade-shop", schema);
        Path stateDir = Files.createTempDirectory("views-upgraded-");
        Path global = Files.createDirectories(stateDir.resolve(PlatformApp.ENFORCER.applicationId()).resolve("global/rocksdb/enforcer-catalog"))
                .getParent().getParent();
        var partitions = mesh.admin().describeTopics(List.of(MeshTopics.CATALOG)).allTopicNames().get().get(MeshTopics.CATALOG).partitions()
                .stream().map(p -> new TopicPartition(MeshTopics.CATALOG, p.partition())).toList();
        var ends = mesh.admin().listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
        // OffsetCheckpoint's format: version 0, the count, then one "topic partition offset" line each
        var checkpoint = new StringBuilder("0\n" + ends.size() + "\n");
        ends.forEach((partition, end) -> checkpoint.append(partition.topic()).append(' ').append(partition.partition()).append(' ')
                .append(end.offset()).append('\n'));
        Files.writeString(global.resolve(".checkpoint"), checkpoint);

        try (var app = ViewApp.start(mesh.clientConfig("mesh-enforcer"), stateDir, "test-secret".getBytes(), new SimpleMeterRegistry())) {
            ProductRecords.write(mesh, address, Map.of("o-1", ViewAppITCatalog.order(schema, "o-1", "FR")));

            assertThat(read(mesh.clientConfig("mesh-admin"), "mesh.view." + address + ".analytics", 1)).hasSize(1);
        }
    }

    private static List<GenericRecord> read(MeshClientConfig config, String topic, int expected) {
        var props = config.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "view-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return TopicReader.of(props, new StringDeserializer(), MeshSerdes.<GenericRecord>valueDeserializer(config, false))
                .settlingFor(Duration.ofSeconds(2))
                .readUntil(topic, expected, Duration.ofSeconds(60)).stream().map(ConsumerRecord::value).toList();
    }
}
