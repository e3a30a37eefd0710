package io.streammesh.connector;

import io.streammesh.schema.DeadLetterHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.demo.orders.OrderPlaced;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordProducers;
import io.streammesh.testing.CataloguedTopics;
import io.streammesh.testing.IngestGrants;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.streammesh.client.MeshClientConfig;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@MeshTest
class GateIT {

    @Test
    void jsonAndAvroFromAPlainProducerReachTheProductAndABadRecordTheDeadLetterTopicWhileTheNextFlows(EmbeddedMesh mesh)
            throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "gate-shop");
        ProductAddress address = ProductAddress.parse("gate-shop.order-placed.v1");
        ProductRegistration registration = admit(mesh, domain, address);
        Schema schema = ProductProducer.schemaOf(registration, domain);
        byte[] avro = new WireWriter(schema, registration.getSchemaContentId())
                .write(ProductProducerIT.order("o-avro"));

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-it"),
                Duration.ofSeconds(1));
             var producer = new KafkaProducer<>(domain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-json", bytes(json("o-json", 12.5)))).get();
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-avro", avro)).get();
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-bad", bytes(json("o-bad", -1)))).get();
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-next", bytes(json("o-next", 3)))).get();

            List<ConsumerRecord<String, byte[]>> products = readCommitted(domain, address.topic(), 3);
            assertThat(products).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("o-json", "o-avro", "o-next");
            assertThat(products).allSatisfy(record -> assertThat(schemaId(record.value())).isEqualTo(registration.getSchemaContentId()));
            List<ConsumerRecord<String, byte[]>> dead = readCommitted(domain, address.deadLetterTopic(), 1);
            assertThat(dead).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("o-bad");
                assertThat(ProductProducerIT.header(record, DeadLetterHeaders.RULE)).isEqualTo("positive-amount");
                assertThat(ProductProducerIT.header(record, DeadLetterHeaders.REASON))
                        .isEqualTo("quality rule 'positive-amount' (record.amount > 0) is false");
            });

            String scraped = scrape(gate.metricsUrl());
            // at least: a transaction the gate aborts and redoes counts its records again (the topics above are exact)
            assertThat(sample(scraped, "mesh_gate_records_total{outcome=\"accepted\",product=\"gate-shop.order-placed.v1\",rule=\"none\"}"))
                    .isGreaterThanOrEqualTo(3.0);
            assertThat(sample(scraped,
                    "mesh_gate_records_total{outcome=\"rejected\",product=\"gate-shop.order-placed.v1\",rule=\"positive-amount\"}"))
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(scraped).as("Kafka Streams' own metrics").contains("kafka_stream_thread_process_total");

            var ingest = new TopicPartition(address.ingestTopic(), 0);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mesh.admin()
                    .listOffsets(Map.of(ingest, OffsetSpec.earliest())).partitionResult(ingest).get().offset())
                    .as("processed ingest records are deleted").isPositive());
        }
    }

    /**
     * Ten bytes in the wire format of the product's schema whose first string claims two gigabytes:
     * Avro would allocate them before reading, an OutOfMemoryError no handler catches, and the
     * gate's task, which every domain's ingest partitions share, would read it again after every
     * restart. Under {@link io.streammesh.client.AvroLimits} it is the record's own failure.
     */
    @Test
    void aTinyRecordClaimingATwoGigabyteStringIsDeadLetteredAndTheNextFlows(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "gate-bomb");
        ProductAddress address = ProductAddress.parse("gate-bomb.order-placed.v1");
        ProductRegistration registration = admit(mesh, domain, address);
        var claim = new ByteArrayOutputStream();
        claim.write(0);
        claim.write(ByteBuffer.allocate(4).putInt(registration.getSchemaContentId().intValue()).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(claim, null);
        encoder.writeLong(Integer.MAX_VALUE - 8L);
        encoder.flush();

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-it"));
             var producer = new KafkaProducer<>(domain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-bomb", claim.toByteArray())).get();
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-after", bytes(json("o-after", 3)))).get();

            assertThat(readCommitted(domain, address.topic(), 1)).extracting(ConsumerRecord::key).containsExactly("o-after");
            assertThat(readCommitted(domain, address.deadLetterTopic(), 1)).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("o-bomb");
                assertThat(ProductProducerIT.header(record, DeadLetterHeaders.REASON))
                        .isEqualTo("not Avro of schema id " + registration.getSchemaContentId() + " readable as the product's current schema");
            });
        }
    }

    @Test
    void aProductProducerThroughTheGateGetsItsVerdictAtOnceAndTheGateWritesTheSame(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "gate-via");
        ProductAddress address = ProductAddress.parse("gate-via.order-placed.v1");
        admit(mesh, domain, address);

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-it"));
             var orders = ProductProducer.<OrderPlaced>open(address, domain, new SimpleMeterRegistry())) {
            var bad = ProductProducerIT.order("o-cheap");
            bad.setAmount(0.0);
            Delivery good = orders.send(ProductProducerIT.order("o-fine")).get();
            Delivery rejected = orders.send(bad).get();

            assertThat(good.deadLettered()).isFalse();
            assertThat(rejected.deadLettered()).isTrue();
            assertThat(rejected.rule()).isEqualTo("positive-amount");
            assertThat(readCommitted(domain, address.topic(), 1)).extracting(ConsumerRecord::key).containsExactly("o-fine");
            assertThat(readCommitted(domain, address.deadLetterTopic(), 1)).singleElement()
                    .satisfies(record -> assertThat(ProductProducerIT.header(record, DeadLetterHeaders.REASON))
                            .isEqualTo(rejected.reason()));
        }
    }

    @Test
    void aProducerWaitsForWriteOnTheIngestTopicAndNamesTheGrantIfItNeverComes(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "gate-wait");
        ProductAddress address = ProductAddress.parse("gate-wait.order-placed.v1");
        var options = new ProductProducer.Options(Duration.ofSeconds(3), false);

        assertThatThrownBy(() -> ProductProducer.open(address, domain, new SimpleMeterRegistry(), options).close())
                .isInstanceOf(MeshException.class)
                .hasMessage("User:gate-wait may not WRITE gate-wait.order-placed.v1.ingest (waited 3 s): the policy-enforcer grants it "
                        + "once the catalog has admitted product gate-wait.order-placed.v1; see mesh product list");

        var grant = new AclBinding(new ResourcePattern(ResourceType.TOPIC, address.ingestTopic(), PatternType.LITERAL),
                new AccessControlEntry("User:gate-wait", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
        CompletableFuture.runAsync(() -> mesh.admin().createAcls(List.of(grant)), CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS));
        try (var orders = ProductProducer.<OrderPlaced>open(address, domain, new SimpleMeterRegistry(),
                new ProductProducer.Options(Duration.ofSeconds(30), false))) {
            assertThat(orders.send(ProductProducerIT.order("o-late")).get().deadLettered()).isFalse();
        }
    }

    /**
     * Puts the product's published registration in the catalog, as catalog-stream admits it, and
     * lets the domain write its ingest topic, as the policy-enforcer then does.
     */
    static ProductRegistration admit(EmbeddedMesh mesh, MeshClientConfig domain, ProductAddress address) throws Exception {
        ProductRegistration registration = catalogue(mesh, domain, address);
        IngestGrants.allow(mesh, address);
        return registration;
    }

    /** Puts the product's published registration in the catalog, as catalog-stream admits it, and creates its topics as the enforcer then does. */
    static ProductRegistration catalogue(EmbeddedMesh mesh, MeshClientConfig domain, ProductAddress address) throws Exception {
        ProductRegistration registration;
        try (var publisher = ProductPublisher.connect(domain)) {
            registration = publisher.registration(address).orElseThrow();
        }
        var entry = DataProduct.newBuilder().setAddress(address.toString()).setDomain(address.domain()).setRegistration(registration)
                .setStatus(ProductStatus.ACTIVE).setFirstPublishedAt(Instant.now()).setUpdatedAt(Instant.now()).build();
        try (KafkaProducer<String, DataProduct> producer = RecordProducers.create(
                mesh.clientConfig(PlatformApp.CATALOG.applicationId()), "gate-it-catalog")) {
            producer.send(new ProducerRecord<>(MeshTopics.CATALOG, address.toString(), entry)).get();
        }
        CataloguedTopics.create(mesh, address);
        return registration;
    }

    static String json(String id, double amount) {
        return """
                {"orderId": "%s", "customerId": "c-1", "customerEmail": "ann@example.com", "shippingAddress": "1 Main Street",
                 "country": "FR", "amount": %s, "currency": "EUR", "items": 1, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(id, amount);
    }

    /** Only what the gate committed: an aborted transaction's records are not the product's. */
    static List<ConsumerRecord<String, byte[]>> readCommitted(MeshClientConfig config, String topic, int expected) {
        var props = config.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topic.split("\\.")[0] + ".gate-it-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }

    private static long schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** @return the value of a Prometheus series in a scrape, failing the test if it is not there */
    private static double sample(String scraped, String series) {
        return scraped.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(series + " not in the scrape:\n" + scraped));
    }

    private static String scrape(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
