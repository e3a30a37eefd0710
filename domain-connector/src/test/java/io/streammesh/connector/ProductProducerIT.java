package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.RecordProducers;
import io.streammesh.demo.orders.OrderPlaced;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.testing.IngestGrants;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.QualityRule;
import io.streammesh.testing.TopicReader;
import io.streammesh.client.PlatformApp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

@MeshTest
class ProductProducerIT {

    @Test
    void goodRecordsGoThroughTheGateToTheProductAndBadOnesToTheDeadLetterTopicWithTheirReasons(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig config = TestContracts.publishOrders(mesh, "prod-route");
        var meters = new SimpleMeterRegistry();
        ProductAddress address = ProductAddress.parse("prod-route.order-placed.v1");
        GateIT.admit(mesh, config, address);
        List<CompletableFuture<Delivery>> deliveries = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> product;
        List<ConsumerRecord<String, byte[]>> dlq;
        try (var gate = startGate(mesh);
             var producer = ProductProducer.<OrderPlaced>open(address, config, meters)) {
            for (int i = 0; i < 100; i++) {
                OrderPlaced order = order("o-" + i);
                if (i % 10 == 3) {
                    order.setAmount(-5.0);
                } else if (i % 10 == 7) {
                    order.setCurrency("XYZ");
                }
                deliveries.add(producer.send(order));
            }
            producer.flush();
            List<Delivery> done = deliveries.stream().map(CompletableFuture::join).toList();
            assertThat(done).filteredOn(d -> !d.deadLettered()).hasSize(80);
            assertThat(done).filteredOn(Delivery::deadLettered).extracting(Delivery::rule)
                    .containsOnly("positive-amount", "known-currency").hasSize(20);
            assertThat(meters.get(ProductProducer.RECORDS_METER).tag("outcome", "sent").counter().count()).isEqualTo(80);
            assertThat(meters.get(ProductProducer.RECORDS_METER).tag("rule", "positive-amount").counter().count()).isEqualTo(10);
            // read while the gate runs: the producer is done as soon as the ingest topic has the records, not the product
            product = read(config, address.topic(), 80);
            dlq = read(config, address.deadLetterTopic(), 20);
        }

        assertThat(product).hasSize(80).allSatisfy(r -> assertThat(r.key()).startsWith("o-"));
        assertThat(dlq).as("the gate dead-letters what the producer's verdict said, with its own headers").hasSize(20);
        var first = dlq.stream().filter(r -> header(r, DeadLetterHeaders.RULE).equals("positive-amount")).findFirst().orElseThrow();
        assertThat(header(first, DeadLetterHeaders.REASON)).isEqualTo("quality rule 'positive-amount' (record.amount > 0) is false");
        assertThat(header(first, DeadLetterHeaders.CONTRACT_VERSION)).isEqualTo("1.0.0");
        assertThat(header(first, DeadLetterHeaders.PRODUCT)).isEqualTo("prod-route.order-placed.v1");
        assertThat(Instant.parse(header(first, DeadLetterHeaders.TIME))).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void aRecordOverTheCelEvaluationBudgetIsDeadLetteredWithinMomentsAndTheNextOneStillSent(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("prod-budget");
        MeshClientConfig config = mesh.clientConfig("prod-budget");
        String pairs = "record.tags.all(a, record.tags.all(b, a + b >= 0))";
        Schema baskets = SchemaBuilder.record("Basket").namespace("io.streammesh.test").fields().requiredString("id")
                .name("tags").type().array().items().longType().noDefault().endRecord();
        try (var publisher = ProductPublisher.connect(config)) {
            publisher.publish(TestContracts.parse(String.join("\n",
                    "domain: prod-budget", "name: basket", "version: 1.0.0",
                    "owner: {team: baskets, principal: \"User:prod-budget\", contact: baskets@example.com}",
                    "description: Baskets.", "classification: internal", "schema: basket.avsc", "key: id", "slo: {freshness: 5m, maxViolationRate: 0.01}",
                    "quality:", "  - {name: pairs, rule: \"" + pairs + "\"}", "views:", "  - {name: full}"), baskets.toString()));
        }
        IngestGrants.allow(mesh, ProductAddress.parse("prod-budget.basket.v1"));
        Delivery huge;
        Delivery small;
        Duration took;
        try (var producer = ProductProducer.<GenericRecord>open(ProductAddress.parse("prod-budget.basket.v1"), config, new SimpleMeterRegistry())) {
            long started = System.nanoTime();
            huge = producer.send(basket(baskets, "b-huge", 3000)).join();
            small = producer.send(basket(baskets, "b-small", 10)).join();
            took = Duration.ofNanos(System.nanoTime() - started);
        }

        assertThat(took).as("9 million iterations are never run").isLessThan(Duration.ofSeconds(5));
        assertThat(huge.deadLettered()).isTrue();
        assertThat(huge.rule()).isEqualTo("pairs");
        assertThat(huge.reason()).isEqualTo("quality rule 'pairs' failed: '" + pairs + "' is over the evaluation budget of 10000 iterations per record");
        assertThat(small.deadLettered()).isFalse();
    }

    @Test
    void aPublishedRuleOverTheCelBudgetIsRefusedWhenTheProducerOpensNamingTheRule(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("prod-stale");
        MeshClientConfig config = mesh.clientConfig("prod-stale");
        try (var publisher = ProductPublisher.connect(config)) {
            publisher.publish(TestContracts.orders("prod-stale", "1.0.0"));
        }
        ProductAddress address = ProductAddress.parse("prod-stale.order-placed.v1");
        String list = IntStream.range(0, 300).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
        ProductRegistration published = new RegistrationLog(config).latest(address).orElseThrow();
        ProductRegistration pastTheValidator = ProductRegistration.newBuilder(published).setQualityRules(List.of(QualityRule.newBuilder()
                .setName("cubic").setRule(list + ".all(a, " + list + ".all(b, " + list + ".all(c, a + b + c >= record.items)))").build())).build();
        try (var domain = RecordProducers.<ProductRegistration>create(config, "test-past-the-validator")) {
            domain.send(new ProducerRecord<>(MeshTopics.registrations("prod-stale"), address.toString(), pastTheValidator)).get();
        }
        IngestGrants.allow(mesh, address);

        assertThatThrownBy(() -> ProductProducer.open(address, config, new SimpleMeterRegistry()))
                .isInstanceOf(MeshException.class)
                .hasMessage("quality rule 'cubic' of the published contract is over the CEL evaluation budget: comprehensions (all, exists, "
                        + "exists_one, map, filter) are nested 3 deep; at most 2 may be; publish a version with a cheaper rule");
    }

    private static GenericRecord basket(Schema schema, String id, int tags) {
        GenericRecord basket = new GenericData.Record(schema);
        basket.put("id", id);
        basket.put("tags", LongStream.range(0, tags).boxed().toList());
        return basket;
    }

    @Test
    void aRecordOnTheProductDecodesThroughTheConfluentCompatibleApiWithAPlainAvroReader(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig config = TestContracts.publishOrders(mesh, "prod-wire");
        ProductAddress address = ProductAddress.parse("prod-wire.order-placed.v1");
        GateIT.admit(mesh, config, address);
        byte[] value;
        try (var gate = startGate(mesh);
             var producer = ProductProducer.<OrderPlaced>open(address, config, new SimpleMeterRegistry())) {
            Delivery d = producer.send(order("o-wire")).join();
            assertThat(d.deadLettered()).as("%s", d.reason()).isFalse();
            value = read(config, address.topic(), 1).get(0).value();
        }

        ByteBuffer wire = ByteBuffer.wrap(value);
        assertThat(wire.get()).as("Confluent magic byte").isZero();
        int id = wire.getInt();
        var login = MeshSerdes.registryLogin(config);
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(mesh.endpoints().ccompatUrl() + "/schemas/ids/" + id))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (login.name() + ":" + login.password()).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        String schemaJson = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("schema").asText();
        Schema schema = new Schema.Parser().parse(schemaJson);
        var decoder = DecoderFactory.get().binaryDecoder(new ByteArrayInputStream(value, 5, value.length - 5), null);
        GenericRecord decoded = new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
        assertThat(decoded.get("orderId")).hasToString("o-wire");
        assertThat(decoded.get("amount")).isEqualTo(42.5);
    }

    @Test
    void aProducerForAnUnpublishedProductIsRefused(EmbeddedMesh mesh) {
        mesh.onboarding().addDomain("prod-none");
        assertThatThrownBy(() -> ProductProducer.open(ProductAddress.parse("prod-none.nothing.v1"),
                mesh.clientConfig("prod-none"), new SimpleMeterRegistry()))
                .hasMessage("no product prod-none.nothing.v1 is published; publish its contract first: mesh product publish <descriptor>");
        // The wait for WRITE on its ingest topic, begun beside the registration's read, is cancelled, not left waiting a minute.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(Thread::isAlive).extracting(Thread::getName).doesNotContain("mesh-product-producer-open"));
    }

    /** The contract gate, the only writer of products. */
    static GateApp startGate(EmbeddedMesh mesh) throws IOException {
        return GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-"));
    }

    static OrderPlaced order(String id) {
        return OrderPlaced.newBuilder().setOrderId(id).setCustomerId("c-1").setCustomerEmail("a@example.com")
                .setShippingAddress("1 Main St").setCountry("FR").setAmount(42.5).setCurrency("EUR").setItems(2)
                .setPlacedAt(Instant.now()).build();
    }

    static List<ConsumerRecord<String, byte[]>> read(MeshClientConfig config, String topic, int expected) {
        var props = config.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topic.split("\\.")[0] + ".test-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // what the gate committed: a transaction it aborted is not the product's
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return TopicReader.of(props, new StringDeserializer(), new ByteArrayDeserializer())
                .readUntil(topic, expected, Duration.ofSeconds(30));
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
