package io.streammesh.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.connector.ProductProducer;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.demo.orders.OrderPlaced;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.MeshClientConfig;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ProductProducer} with the demo order contract's three CEL quality rules against a plain
 * {@code KafkaProducer} with the same Avro serializer and settings, on the same records, both to the
 * product's ingest topic (the only one a domain writes), each in a JVM of its own ({@link SideJvm}),
 * rounds alternated. Goal: ratio at least 0.90.
 */
final class ProducerBenchmark {

    private static final String DOMAIN = "bench";
    private static final double GOAL = 0.90;
    /**
     * Uncounted rounds: at a million records a round, ProductProducer's side still ran at a
     * quarter to a half of its rate in the second and third (its JIT compiling the CEL rules'
     * evaluation), then held steady.
     */
    private static final int WARM_UP_ROUNDS = 3;

    private final EmbeddedMesh mesh;
    private final int records;
    private final int rounds;
    private final Path state;

    ProducerBenchmark(EmbeddedMesh mesh, int records, int rounds, Path state) {
        this.mesh = mesh;
        this.records = records;
        this.rounds = rounds;
        this.state = state;
    }

    void run(PrintStream out) throws Exception {
        mesh.onboarding().addDomain(DOMAIN);
        MeshClientConfig config = mesh.clientConfig(DOMAIN);
        ProductContract contract = contract();
        try (var publisher = ProductPublisher.connect(config)) {
            publisher.publish(contract);
            GateProduct.admit(mesh, config, publisher.registration(contract.address()).orElseThrow());
        }
        out.printf("ProductProducer (3 CEL rules) vs plain Avro KafkaProducer: %,d records per round, %d rounds after %d uncounted, "
                + "alternated; each producer in a JVM of its own%n", records, rounds, WARM_UP_ROUNDS);
        double[] plainRates = new double[rounds];
        double[] productRates = new double[rounds];
        String address = contract.address().toString();
        try (var plain = SideJvm.start(SideJvm.Kind.PLAIN, state, address, records, DOMAIN);
             var product = SideJvm.start(SideJvm.Kind.PRODUCER, state, address, records, DOMAIN)) {
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                plain.round(round);
                product.round(round);
            }
            for (int round = 0; round < rounds; round++) {
                plainRates[round] = plain.round(WARM_UP_ROUNDS + round).fromStart();
                productRates[round] = product.round(WARM_UP_ROUNDS + round).fromStart();
                out.printf("  round %d: plain %,10.0f records/s   product %,10.0f records/s   ratio %.2f%n", round + 1,
                        plainRates[round], productRates[round], productRates[round] / plainRates[round]);
            }
        }
        double plainMedian = Benchmarks.median(plainRates);
        double productMedian = Benchmarks.median(productRates);
        double ratio = productMedian / plainMedian;
        out.printf("median: plain %,.0f records/s, ProductProducer %,.0f records/s, ratio %.2f (%s; goal >= %.2f: %s)%n",
                plainMedian, productMedian, ratio, Benchmarks.spread(productRates, plainRates), GOAL, ratio >= GOAL ? "met" : "NOT met");
    }

    /**
     * One producer in a {@link SideJvm}: the plain one or {@code ProductProducer}, opened once,
     * sending the same records every round.
     */
    static final class Side implements AutoCloseable {
        private final List<OrderPlaced> data;
        private final String ingest;
        private final KafkaProducer<String, OrderPlaced> plain;
        private final ProductProducer<OrderPlaced> product;

        /**
         * @param governed whether it is {@code ProductProducer} (else the plain producer)
         * @param config the domain's client config
         * @param address the product
         * @param records how many records a round sends
         */
        Side(boolean governed, MeshClientConfig config, ProductAddress address, int records) {
            this.data = orders(records);
            this.ingest = address.ingestTopic();
            this.plain = governed ? null : plainProducer(config, address);
            this.product = governed ? ProductProducer.open(address, config, new SimpleMeterRegistry()) : null;
        }

        /** @return records per second of one round */
        double round() {
            return plain != null ? plainRate(plain, ingest, data) : productRate(product, data);
        }

        @Override
        public void close() {
            if (plain != null) {
                plain.close();
            } else {
                product.close();
            }
        }
    }

    private static double plainRate(KafkaProducer<String, OrderPlaced> producer, String topic, List<OrderPlaced> data) {
        long start = System.nanoTime();
        for (OrderPlaced order : data) {
            producer.send(new ProducerRecord<>(topic, order.getOrderId(), order));
        }
        producer.flush();
        return data.size() / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Counts dead-lettered records as they are acknowledged rather than keeping a million
     * deliveries until the end: the plain side drops its futures too, and holding them would
     * measure the old generation's collector, not the producer.
     */
    private static double productRate(ProductProducer<OrderPlaced> producer, List<OrderPlaced> data) {
        long start = System.nanoTime();
        var deadLetters = new LongAdder();
        var failure = new AtomicReference<Throwable>();
        for (OrderPlaced order : data) {
            producer.send(order).whenComplete((delivery, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else if (delivery.deadLettered()) {
                    deadLetters.increment();
                }
            });
        }
        producer.flush();
        double rate = data.size() / ((System.nanoTime() - start) / 1e9);
        if (failure.get() != null) {
            throw new IllegalStateException("a benchmark record was not sent: " + failure.get().getMessage(), failure.get());
        }
        long deadLettered = deadLetters.sum();
        if (deadLettered > 0) {
            throw new IllegalStateException(deadLettered + " benchmark records were dead-lettered; the comparison would be unfair");
        }
        return rate;
    }

    /** The same settings {@code ProductProducer} uses, and the same registered schema version. */
    private static KafkaProducer<String, OrderPlaced> plainProducer(MeshClientConfig config, ProductAddress address) {
        var props = config.kafka();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        Map<String, Object> serde = MeshSerdes.config(config, false);
        // Apicurio's own datum provider, as a domain team's producer has it
        serde.remove(AvroKafkaSerdeConfig.AVRO_DATUM_PROVIDER);
        // the product's subject, as ProductProducer writes it: the ingest topic has no subject of its own
        serde.put(SerdeConfig.EXPLICIT_ARTIFACT_ID, MeshTopics.valueSubject(address.topic()));
        serde.put(SerdeConfig.EXPLICIT_ARTIFACT_VERSION, "1");
        var serializer = new AvroKafkaSerializer<OrderPlaced>();
        serializer.configure(serde, false);
        return new KafkaProducer<>(props, new StringSerializer(), serializer);
    }

    private static ProductContract contract() {
        String descriptor = resource("/schemas/demo/orders/order-placed.yaml").replace("domain: orders", "domain: " + DOMAIN)
                .replace(MeshNames.kafkaPrincipal("orders"), MeshNames.kafkaPrincipal(DOMAIN));
        return DataContracts.parse(descriptor, "bench.yaml", name -> resource("/schemas/demo/orders/" + name));
    }

    private static List<OrderPlaced> orders(int count) {
        var random = new Random(42);
        String[] countries = {"FR", "DE", "NL", "ES"};
        List<OrderPlaced> orders = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            orders.add(OrderPlaced.newBuilder().setOrderId("b-" + i).setCustomerId("c-" + random.nextInt(1000))
                    .setCustomerEmail("customer" + random.nextInt(1000) + "@example.com").setShippingAddress(random.nextInt(500) + " Bench Road")
                    .setCountry(countries[random.nextInt(countries.length)]).setAmount(1 + random.nextInt(500) + 0.5)
                    .setCurrency("EUR").setItems(1 + random.nextInt(4)).setPlacedAt(Instant.now()).build());
        }
        return orders;
    }


    private static String resource(String path) {
        try (InputStream in = ProducerBenchmark.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
