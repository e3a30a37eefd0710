package io.streammesh.connector;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.platform.ClientConfigs;
import io.streammesh.platform.MeshException;
import io.streammesh.platform.MeshSerdes;
import io.streammesh.platform.SchemaRegistry;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.QualityRule;
import io.streammesh.schema.cel.RecordExpression;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A typed producer for one data product that enforces its contract on every record: a record
 * that passes every quality rule goes to the product topic; one that breaks a rule, or does not
 * fit the registered schema, goes to {@code <address>.dlq} with {@link DeadLetterHeaders} saying
 * which rule, why, under which contract version and when. Nothing is dropped.
 *
 * <p>Rules are compiled once, from the product's published registration. Records are Avro in the
 * Confluent wire format with the registered schema's id; the key is the contract's key field.
 * Counts are Micrometer counters {@value #RECORDS_METER} tagged {@code product}, {@code outcome}
 * ({@code sent} or {@code dead-lettered}) and {@code rule}.
 *
 * <pre>{@code
 * try (var orders = ProductProducer.<OrderPlaced>open(ProductAddress.parse("orders.order-placed.v1"), clientConfig, meters)) {
 *     Delivery delivery = orders.send(order).join();
 * }
 * }</pre>
 *
 * @param <T> the record type: a generated SpecificRecord class or GenericRecord
 */
public final class ProductProducer<T extends GenericRecord> implements AutoCloseable {

    /** The Micrometer counter of records sent through product producers. */
    public static final String RECORDS_METER = "mesh.product.records";

    private final ProductAddress address;
    private final Schema schema;
    private final String contractVersion;
    private final String keyField;
    private final List<Rule> rules;
    /** All rules at once: one evaluation for a record that passes them all, the usual case. */
    private final RecordExpression allRules;
    private final Serializer<T> serializer;
    private final KafkaProducer<String, byte[]> producer;
    private final MeterRegistry meters;
    private final Counter sent;
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();

    private record Rule(String name, RecordExpression expression) {
    }

    private ProductProducer(ProductRegistration registration, Schema schema, Properties clientConfig, MeterRegistry meters) {
        this.address = ProductAddress.parse(registration.getAddress());
        this.schema = schema;
        this.contractVersion = registration.getVersion();
        this.keyField = registration.getKeyField();
        this.rules = registration.getQualityRules().stream()
                .map(r -> new Rule(r.getName(), compile(r, schema))).toList();
        this.allRules = RecordExpression.allOf(rules.stream().map(r -> r.expression().source()).toList(), schema);
        this.serializer = serializer(clientConfig, registration.getSchemaVersion());
        var props = ClientConfigs.kafkaOnly(clientConfig);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "mesh-product-" + address);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.meters = meters;
        this.sent = counter("sent", "none");
    }

    /**
     * Opens a producer for a published product, with the rules and schema of its latest
     * registration. Reading the registration needs the domain principal's client config.
     *
     * @param address the product
     * @param clientConfig the producing principal's client config
     * @param meters where to count records
     * @return the producer
     * @throws MeshException if the product is not published or is retired
     */
    public static <T extends GenericRecord> ProductProducer<T> open(ProductAddress address, Properties clientConfig, MeterRegistry meters) {
        ProductRegistration registration = new RegistrationLog(clientConfig).latest(address)
                .orElseThrow(() -> new MeshException("no product " + address + " is published; publish its contract first: "
                        + "mesh product publish <descriptor>"));
        if (registration.getRetired()) {
            throw new MeshException("product " + address + " is retired; it takes no new records");
        }
        return new ProductProducer<>(registration, schemaOf(registration, clientConfig), clientConfig, meters);
    }

    /**
     * @param registration a product's registration
     * @param clientConfig a client config naming the registry
     * @return the value schema it registered
     */
    public static Schema schemaOf(ProductRegistration registration, Properties clientConfig) {
        try (var registry = SchemaRegistry.connect(clientConfig)) {
            return new Schema.Parser().parse(registry.schemaById(registration.getSchemaContentId()));
        }
    }

    /** @return the product's address */
    public ProductAddress address() {
        return address;
    }

    /** @return the registered schema records are written with and rules are checked against */
    public Schema schema() {
        return schema;
    }

    /**
     * Checks a record against the contract and sends it to the product or the dead-letter topic.
     *
     * @param record the record
     * @return where it ended up, once the broker has it
     */
    public CompletableFuture<Delivery> send(T record) {
        String key = key(record);
        byte[] value;
        try {
            value = serializer.serialize(address.topic(), record);
        } catch (RuntimeException e) {
            return deadLetter(key, String.valueOf(record).getBytes(StandardCharsets.UTF_8), DeadLetterHeaders.SCHEMA_RULE,
                    "does not fit the product's registered schema: " + rootMessage(e));
        }
        if (passes(record)) {
            return deliver(new ProducerRecord<>(address.topic(), key, value), Delivery.Destination.PRODUCT, null, null);
        }
        for (Rule rule : rules) {
            String reason;
            try {
                if (rule.expression().test(record)) {
                    continue;
                }
                reason = "quality rule '" + rule.name() + "' (" + rule.expression().source() + ") is false";
            } catch (RecordExpression.ExpressionFailure e) {
                reason = "quality rule '" + rule.name() + "' failed: " + e.getMessage();
            }
            return deadLetter(key, value, rule.name(), reason);
        }
        return deliver(new ProducerRecord<>(address.topic(), key, value), Delivery.Destination.PRODUCT, null, null);
    }

    private boolean passes(T record) {
        try {
            return allRules.test(record);
        } catch (RecordExpression.ExpressionFailure e) {
            // one of the rules cannot be evaluated: checking them one by one names it
            return false;
        }
    }

    /** Sends everything buffered and waits for the broker. */
    public void flush() {
        producer.flush();
    }

    private CompletableFuture<Delivery> deadLetter(String key, byte[] value, String rule, String reason) {
        var headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.RULE, bytes(rule));
        headers.add(DeadLetterHeaders.REASON, bytes(reason));
        headers.add(DeadLetterHeaders.CONTRACT_VERSION, bytes(contractVersion));
        headers.add(DeadLetterHeaders.TIME, bytes(Instant.now().toString()));
        headers.add(DeadLetterHeaders.PRODUCT, bytes(address.toString()));
        return deliver(new ProducerRecord<>(address.deadLetterTopic(), null, key, value, headers), Delivery.Destination.DEAD_LETTER, rule, reason);
    }

    private CompletableFuture<Delivery> deliver(ProducerRecord<String, byte[]> record, Delivery.Destination destination,
                                                String rule, String reason) {
        var delivery = new CompletableFuture<Delivery>();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                delivery.completeExceptionally(new MeshException("could not send to " + record.topic() + ": " + error.getMessage(), error));
            } else {
                (rule == null ? sent : deadLettered.computeIfAbsent(rule, r -> counter("dead-lettered", r))).increment();
                delivery.complete(new Delivery(destination, rule, reason, metadata.partition(), metadata.offset()));
            }
        });
        return delivery;
    }

    private String key(T record) {
        if (keyField == null || record.getSchema().getField(keyField) == null) {
            return null;
        }
        Object key = record.get(keyField);
        return key == null ? null : key.toString();
    }

    /**
     * Records are written with the schema version the contract registered, found by its
     * coordinates: a generated class's schema text differs from the registered one (its
     * {@code avro.java.string} hints), so looking it up by content would miss.
     */
    private static <T> Serializer<T> serializer(Properties clientConfig, Integer schemaVersion) {
        Map<String, Object> config = MeshSerdes.config(clientConfig, false);
        if (schemaVersion != null) {
            config.put(SerdeConfig.EXPLICIT_ARTIFACT_VERSION, schemaVersion.toString());
        }
        var serializer = new AvroKafkaSerializer<T>();
        serializer.configure(config, false);
        return serializer;
    }

    private Counter counter(String outcome, String rule) {
        return Counter.builder(RECORDS_METER).description("Records sent through product producers")
                .tag("product", address.toString()).tag("outcome", outcome).tag("rule", rule).register(meters);
    }

    private static RecordExpression compile(QualityRule rule, Schema schema) {
        try {
            return RecordExpression.compile(rule.getRule(), schema);
        } catch (IllegalArgumentException e) {
            throw new MeshException("quality rule '" + rule.getName() + "' of the published contract does not compile against "
                    + "the registered schema: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public void close() {
        producer.close();
        serializer.close();
    }
}
