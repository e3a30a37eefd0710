package io.streammesh.connector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.schema.MeshException;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.cel.RecordExpression;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A typed producer for one data product. Every record goes to the product's ingest topic
 * {@code <address>.ingest}, from which the contract gate (the only writer of products and their
 * dead-letter topics) writes it to the product or to {@code <address>.dlq} with the reason
 * headers only the mesh may set. The producer checks each record against the same contract
 * first, for fast feedback: its {@link Delivery} says where the gate will put it and why. A record
 * that breaks a rule, or does not fit the registered schema, is sent too, so that the gate's
 * dead-letter topic holds it: nothing is dropped.
 *
 * <p>Infrastructure failures are never data verdicts. The schema is read from the registry once,
 * when the producer opens (waiting, with back-off, up to {@link Options#outageWait()} while the
 * registry does not answer); records are then written without calling it, so a registry outage
 * changes nothing for them. While the broker does not answer, sends wait up to the same bound and
 * then fail with a {@link MeshException} naming the broker; nothing goes to the dead-letter topic
 * for it.
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

    private static final Logger LOG = LoggerFactory.getLogger(ProductProducer.class);
    /** A daemon thread per step of opening: one still logging in or waiting for a grant never keeps the JVM alive. */
    private static final Executor BACKGROUND = step -> {
        Thread thread = new Thread(step, "mesh-product-producer-open");
        thread.setDaemon(true);
        thread.start();
    };

    /**
     * How a producer rides out outages and groups records.
     *
     * @param outageWait how long to wait for the registry (when opening), the ingest topic's
     *        WRITE grant (when opening; counted from the start of opening, as the grant is
     *        awaited beside the registry's reads) or the broker (when sending) while it does not
     *        answer, before failing
     * @param transactional whether records are sent in batches that become visible to
     *        {@code read_committed} readers (the gate) all at once, or not at all
     *        ({@link #beginBatch()}, {@link #commitBatch()}); the transactional id is
     *        {@code <address>.producer-<random>}, within the domain's {@code <domain>.} prefix
     */
    public record Options(Duration outageWait, boolean transactional) {

        /** Waits a minute for an unreachable registry or broker; no batches. */
        public static final Options DEFAULT = new Options(Duration.ofMinutes(1), false);

        /** @throws IllegalArgumentException if the wait is not positive */
        public Options {
            if (outageWait == null || outageWait.isNegative() || outageWait.isZero()) {
                throw new IllegalArgumentException("the outage wait must be positive, not " + outageWait);
            }
        }
    }

    private final ProductAddress address;
    private final Schema schema;
    private final String keyField;
    private final QualityRules rules;
    private final WireWriter writer;
    private final String bootstrapServers;
    private final Duration outageWait;
    private final boolean transactional;
    private final KafkaProducer<String, byte[]> producer;
    private final MeterRegistry meters;
    private final Counter sent;
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
    /** Why a record of the open batch failed, if one did: the batch can only be aborted then. */
    private volatile MeshException batchFailure;

    private ProductProducer(ProductRegistration registration, Schema schema, QualityRules rules, KafkaProducer<String, byte[]> producer,
                            String bootstrapServers, MeterRegistry meters, Options options) {
        this.address = ProductAddress.parse(registration.getAddress());
        this.schema = schema;
        this.keyField = registration.getKeyField();
        this.rules = rules;
        this.writer = new WireWriter(schema, registration.getSchemaContentId());
        this.outageWait = options.outageWait();
        this.transactional = options.transactional();
        this.bootstrapServers = bootstrapServers;
        this.producer = producer;
        this.meters = meters;
        this.sent = counter("sent", "none");
    }

    /** A Kafka producer of the ingest topic, its transactions initialised if the options ask for batches. */
    private static KafkaProducer<String, byte[]> startProducer(ProductAddress address, Properties props, Options options) {
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // Kafka's 100 ms is the first back-off of every retry, among them the start's InitProducerId, which
        // is asked again once the coordinator is found; back-offs still double up to retry.backoff.max.ms.
        props.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "10");
        boundWaits(props, options.outageWait());
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "mesh-product-" + address);
        if (options.transactional()) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, address + ".producer-" + UUID.randomUUID());
            // A batch left open by a producer that gave up on the broker holds back read_committed
            // readers until the broker aborts it: soon after the outage wait, not Kafka's minute.
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(options.outageWait().plusSeconds(15).toMillis()));
        }
        var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        if (options.transactional()) {
            try {
                producer.initTransactions();
            } catch (KafkaException e) {
                producer.close(Duration.ZERO);
                throw brokerFailure(props.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG), options.outageWait(),
                        "start a transactional producer for " + address, e);
            }
        }
        return producer;
    }

    /**
     * Every wait of the Kafka producer ends within the outage wait: metadata and buffer space
     * ({@code max.block.ms}), and a record's delivery with its retries ({@code delivery.timeout.ms},
     * which must cover a request's timeout and the linger).
     */
    private static void boundWaits(Properties props, Duration outageWait) {
        long wait = outageWait.toMillis();
        long request = Math.max(1_000, Math.min(30_000, wait / 2));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(wait));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(request));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(wait, request + 5)));
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
     * @throws SchemaRegistry.Unreachable if the registry did not answer for a minute
     */
    public static <T extends GenericRecord> ProductProducer<T> open(ProductAddress address, MeshClientConfig clientConfig, MeterRegistry meters) {
        return open(address, clientConfig, meters, Options.DEFAULT);
    }

    /**
     * Opens a producer for a published product, with the rules and schema of its latest
     * registration.
     *
     * @param address the product
     * @param clientConfig the producing principal's client config
     * @param meters where to count records
     * @param options how to ride out outages and whether to send in batches
     * @return the producer
     * @throws MeshException if the product is not published or is retired, or if the principal
     *         was not granted WRITE on the ingest topic within the outage wait
     * @throws SchemaRegistry.Unreachable if the registry did not answer within the outage wait
     */
    public static <T extends GenericRecord> ProductProducer<T> open(ProductAddress address, MeshClientConfig clientConfig, MeterRegistry meters,
                                                                    Options options) {
        return open(address, Optional::empty, clientConfig, meters, options);
    }

    /**
     * Opens a producer for a published product whose registration may be known faster than from
     * the domain's registrations topic: from the catalog, as {@code mesh produce} reads it
     * ({@link CatalogRegistration}), which spares a Kafka consumer of that topic. The Kafka
     * producer's start and the wait for WRITE on the ingest topic need only the address, so they
     * run beside the registration's read and the rules' compilation: a command that writes one
     * record is mostly these. When any step fails, the grant wait is cancelled and the Kafka
     * producer closed once its start ends (it is not interrupted).
     *
     * @param address the product
     * @param admitted the product's latest registration where known (it must be the product's),
     *        or empty to read it from the domain's registrations topic
     * @param clientConfig the producing principal's client config
     * @param meters where to count records
     * @param options how to ride out outages and whether to send in batches
     * @return the producer
     * @throws MeshException if the product is not published or is retired, or if the principal
     *         was not granted WRITE on the ingest topic within the outage wait
     * @throws SchemaRegistry.Unreachable if the registry did not answer within the outage wait
     */
    public static <T extends GenericRecord> ProductProducer<T> open(ProductAddress address, Supplier<Optional<ProductRegistration>> admitted,
                                                                    MeshClientConfig clientConfig, MeterRegistry meters, Options options) {
        Properties props = clientConfig.kafka();
        // CEL's first compilation is the longest step after the registration's and schema's reads, which it can wait beside.
        BACKGROUND.execute(RecordExpression::prepare);
        CompletableFuture<KafkaProducer<String, byte[]>> started = CompletableFuture.supplyAsync(
                () -> startProducer(address, props, options), BACKGROUND);
        // Cancelled with an interrupt: for a product never published or retired, it would wait out the outage wait.
        var writable = new FutureTask<Void>(() -> IngestWait.untilWritable(clientConfig, address, options.outageWait()), null);
        try {
            BACKGROUND.execute(writable);
            ProductRegistration registration = admitted.get()
                    .or(() -> RegistryWait.until(options.outageWait(), () -> new RegistrationLog(clientConfig).latest(address)))
                    .orElseThrow(() -> notPublished(address));
            if (!registration.getAddress().equals(address.toString())) {
                throw new IllegalArgumentException("a registration of " + registration.getAddress() + " given for " + address);
            }
            if (registration.getRetired()) {
                throw new MeshException("product " + address + " is retired; it takes no new records");
            }
            Schema schema = RegistryWait.until(options.outageWait(), () -> schemaOf(registration, clientConfig));
            QualityRules rules = QualityRules.compile(registration.getQualityRules(), schema);
            joined(writable);
            return new ProductProducer<>(registration, schema, rules, joined(started),
                    props.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG), meters, options);
        } catch (Throwable e) {
            writable.cancel(true);
            started.whenComplete((kafka, failure) -> {
                if (kafka != null) {
                    kafka.close(Duration.ZERO);
                }
            });
            throw e;
        }
    }

    /** The producer started beside the rest of {@code open}, or the exception that stopped it. */
    private static <R> R joined(CompletableFuture<R> step) {
        try {
            return step.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** The grant check run beside the rest of {@code open}, or the exception that stopped it. */
    private static void joined(FutureTask<Void> step) {
        try {
            step.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new MeshException(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while waiting for WRITE on the ingest topic", e);
        }
    }

    private static MeshException notPublished(ProductAddress address) {
        return new MeshException("no product " + address + " is published; publish its contract first: "
                + "mesh product publish <descriptor>");
    }

    /**
     * @param registration a product's registration
     * @param clientConfig a client config naming the registry
     * @return the value schema it registered
     * @throws SchemaRegistry.Unreachable if the registry does not answer
     */
    public static Schema schemaOf(ProductRegistration registration, MeshClientConfig clientConfig) {
        return new Schema.Parser().parse(SchemaRegistry.schemaTextById(clientConfig, registration.getSchemaContentId()));
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
     * Checks a record against the contract and sends it to the ingest topic, whatever the
     * verdict: the gate reaches the same one and writes it to the product or the dead-letter topic.
     *
     * @param record the record
     * @return where the gate will put it, once the broker has it on the ingest topic (whose
     *         partition and offset it gives); once a record of the open batch has failed, every
     *         later record of that batch fails at once with the same reason (the batch can only be
     *         aborted)
     */
    public CompletableFuture<Delivery> send(T record) {
        String key = key(record);
        byte[] value;
        try {
            value = writer.write(record);
        } catch (RuntimeException e) {
            return deliver(key, String.valueOf(record).getBytes(StandardCharsets.UTF_8), Delivery.Destination.DEAD_LETTER,
                    DeadLetterHeaders.SCHEMA_RULE, "does not fit the product's registered schema: " + rootMessage(e));
        }
        Optional<DeadLetterReason> violation = rules.check(record);
        if (violation.isPresent()) {
            return deliver(key, value, Delivery.Destination.DEAD_LETTER, violation.get().rule(), violation.get().reason());
        }
        return deliver(key, value, Delivery.Destination.PRODUCT, null, null);
    }

    /** Sends everything buffered and waits for the broker. */
    public void flush() {
        producer.flush();
    }

    /**
     * Starts a batch: records sent until {@link #commitBatch()} become visible to
     * {@code read_committed} readers together, or never.
     *
     * @throws IllegalStateException if the producer was not opened transactional
     * @throws MeshException if the broker cannot start it
     */
    public void beginBatch() {
        requireTransactional();
        batchFailure = null;
        try {
            producer.beginTransaction();
        } catch (KafkaException e) {
            throw brokerFailure("start a batch for " + address, e);
        }
    }

    /**
     * Commits the batch: once this returns, its records are on their topics for every reader.
     * The commit waits up to the outage wait for a broker that does not answer.
     *
     * @throws BatchInDoubt if the broker did not confirm the commit within the outage wait: the
     *         request may have reached it, so the batch may or may not be committed (Kafka allows
     *         only a retry of the commit or closing the producer then)
     * @throws MeshException if a record of the batch failed or the broker refused the commit: the
     *         batch is aborted (by the broker, when its transaction times out, if it cannot be
     *         told), and none of its records become visible to {@code read_committed} readers
     */
    public void commitBatch() {
        requireTransactional();
        MeshException failed = batchFailure;
        if (failed != null) {
            // Kafka fails the commit of such a batch itself, except after an interrupted send, which
            // leaves the transaction committable with the records sent before it.
            abortQuietly();
            throw new MeshException("could not commit a batch to " + address + ": a record of it was not sent: " + failed.getMessage(), failed);
        }
        try {
            producer.commitTransaction();
        } catch (TimeoutException e) {
            throw new BatchInDoubt("the broker at " + bootstrapServers + " did not confirm the batch's commit within "
                    + outageWait.toSeconds() + " s; its records may or may not be on " + address.ingestTopic(), e);
        } catch (KafkaException e) {
            abortQuietly();
            throw brokerFailure("commit a batch to " + address, e);
        }
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("Could not abort a batch for {} ({}); the broker aborts it when its transaction times out",
                    address, e.getMessage());
        }
    }

    private void requireTransactional() {
        if (!transactional) {
            throw new IllegalStateException("the producer of " + address + " was not opened for batches (Options.transactional)");
        }
    }

    /** A batch's commit was not confirmed: whether its records are visible is unknown. */
    public static final class BatchInDoubt extends MeshException {
        private static final long serialVersionUID = 1L;

        BatchInDoubt(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private MeshException brokerFailure(String what, KafkaException e) {
        return brokerFailure(bootstrapServers, outageWait, what, e);
    }

    private static MeshException brokerFailure(String bootstrapServers, Duration outageWait, String what, KafkaException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof TimeoutException) {
            return new MeshException("the broker at " + bootstrapServers + " did not answer within " + outageWait.toSeconds()
                    + " s, so could not " + what + ": " + reason, e);
        }
        return new MeshException("could not " + what + ": " + reason, e);
    }

    /** A rejected record goes to the ingest topic too: the gate dead-letters it with its own headers, as only the mesh says why. */
    private CompletableFuture<Delivery> deliver(String key, byte[] value, Delivery.Destination destination, String rule, String reason) {
        var record = new ProducerRecord<>(address.ingestTopic(), key, value);
        var delivery = new CompletableFuture<Delivery>();
        MeshException failed = batchFailure;
        if (failed != null) {
            // Each send to a broker that is gone waits for metadata up to the outage wait: a batch
            // of thousands would take hours to fail record by record.
            delivery.completeExceptionally(new MeshException(failed.getMessage(), failed));
            return delivery;
        }
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    MeshException failure = error instanceof KafkaException kafka
                            ? brokerFailure("send to " + record.topic(), kafka)
                            : new MeshException("could not send to " + record.topic() + ": " + error.getMessage(), error);
                    delivery.completeExceptionally(failedInBatch(failure));
                } else {
                    (rule == null ? sent : deadLettered.computeIfAbsent(rule, r -> counter("dead-lettered", r))).increment();
                    delivery.complete(new Delivery(destination, rule, reason, metadata.partition(), metadata.offset()));
                }
            });
        } catch (KafkaException e) {
            // no metadata or buffer space within max.block.ms: the broker did not answer
            delivery.completeExceptionally(failedInBatch(brokerFailure("send to " + record.topic(), e)));
        }
        return delivery;
    }

    /** @return the failure, noted as the open batch's if records are sent in batches */
    private MeshException failedInBatch(MeshException failure) {
        if (transactional) {
            batchFailure = failure;
        }
        return failure;
    }

    private String key(T record) {
        if (keyField == null || record.getSchema().getField(keyField) == null) {
            return null;
        }
        Object key = record.get(keyField);
        return key == null ? null : key.toString();
    }

    private Counter counter(String outcome, String rule) {
        return Counter.builder(RECORDS_METER).description("Records sent through product producers")
                .tag("product", address.toString()).tag("outcome", outcome).tag("rule", rule).register(meters);
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
        producer.close(outageWait);
    }
}
