package io.streammesh.bench;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordProducers;
import io.streammesh.connector.IngestWait;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo order product (its three CEL quality rules) published in a domain of the
 * benchmark's own and admitted to the catalog, as the gate benchmarks use it: its input is
 * written by a plain {@code KafkaProducer} of the domain to {@code <address>.ingest}, either Avro
 * in the wire format with the registered schema id or UTF-8 JSON objects.
 */
final class GateProduct {

    private static final Duration ADMITTED_WITHIN = Duration.ofSeconds(60);

    /** How records reach the ingest topic. */
    enum Format {
        /** Avro in the wire format, with the product's registered schema id. */
        AVRO,
        /** A UTF-8 JSON object, as {@code kcat -P} would write it. */
        JSON
    }

    private final ProductAddress address;
    private final MeshClientConfig domain;
    private final Schema schema;
    private final byte[] header;

    private GateProduct(ProductAddress address, MeshClientConfig domain, Schema schema, long contentId) {
        this.address = address;
        this.domain = domain;
        this.schema = schema;
        int id = Math.toIntExact(contentId);
        this.header = new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
    }

    /**
     * Onboards the domain, publishes the order contract in it (with or without its encryption of
     * customerEmail and shippingAddress), and admits it ({@link #admit}).
     *
     * @param mesh a running mesh
     * @param domainName the benchmark's domain
     * @param encrypted whether the contract keeps its {@code encryption}
     * @return the published product
     */
    static GateProduct publish(EmbeddedMesh mesh, String domainName, boolean encrypted) throws Exception {
        mesh.onboarding().addDomain(domainName);
        MeshClientConfig domain = mesh.clientConfig(domainName);
        ProductContract contract = contract(domainName, encrypted);
        ProductRegistration registration;
        try (var publisher = ProductPublisher.connect(domain)) {
            publisher.publish(contract);
            registration = publisher.registration(contract.address()).orElseThrow();
        }
        admit(mesh, domain, registration);
        return new GateProduct(contract.address(), domain, contract.schema(), registration.getSchemaContentId());
    }

    /**
     * Puts the registration in the catalog as catalog-stream admits it, and runs the
     * policy-enforcer's {@link GrantEnforcer} until it has created the product's topics and let
     * the domain write the ingest topic, as on a running mesh.
     *
     * @param mesh a running mesh
     * @param domain the owning domain's client config
     * @param registration the product's published registration
     */
    static void admit(EmbeddedMesh mesh, MeshClientConfig domain, ProductRegistration registration) throws Exception {
        var entry = DataProduct.newBuilder().setAddress(registration.getAddress()).setDomain(registration.getDomain())
                .setRegistration(registration).setStatus(ProductStatus.ACTIVE).setFirstPublishedAt(Instant.now()).setUpdatedAt(Instant.now())
                .build();
        try (KafkaProducer<String, DataProduct> producer = RecordProducers.create(mesh.clientConfig(PlatformApp.CATALOG.applicationId()),
                "bench-gate-catalog")) {
            producer.send(new ProducerRecord<>(MeshTopics.CATALOG, registration.getAddress(), entry)).get();
        }
        try (GrantEnforcer enforcer = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()))) {
            IngestWait.untilWritable(domain, ProductAddress.parse(registration.getAddress()), ADMITTED_WITHIN);
        }
    }

    ProductAddress address() {
        return address;
    }

    /** @return the domain's client config */
    MeshClientConfig domain() {
        return domain;
    }

    /** @return a plain producer of the domain, default settings, raw keys and values */
    KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(domain.kafka(), new StringSerializer(), new ByteArraySerializer());
    }

    /** Writes {@code count} distinct orders, all passing the contract, to the ingest topic. */
    void writeIngest(Format format, int count) {
        try (var producer = producer()) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(address.ingestTopic(), "b-" + i, value(format, i)));
            }
        }
    }

    /** @return order {@code i} as a raw ingest value */
    byte[] value(Format format, int i) {
        return format == Format.AVRO ? avro(i) : json(i);
    }

    private byte[] avro(int i) {
        GenericRecord order = ViewBenchmark.order(schema, i);
        var out = new ByteArrayOutputStream(128);
        out.writeBytes(header);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(schema).write(order, encoder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] json(int i) {
        return ("{\"orderId\": \"b-" + i + "\", \"customerId\": \"c-" + (i % 1000) + "\", \"customerEmail\": \"customer" + (i % 1000)
                + "@example.com\", \"shippingAddress\": \"" + (i % 500) + " Bench Road\", \"country\": \"" + (i % 4 == 0 ? "DE" : "FR")
                + "\", \"amount\": " + (10.5 + i % 100) + ", \"currency\": \"EUR\", \"items\": " + (1 + i % 4)
                + ", \"placedAt\": \"2026-12-01T09:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static ProductContract contract(String domain, boolean encrypted) {
        String demo = resource("/schemas/demo/orders/order-placed.yaml");
        String descriptor = (encrypted ? demo : demo.replaceAll("(?m)^encryption:.*$", "")).replace("domain: orders", "domain: " + domain)
                .replace(MeshNames.kafkaPrincipal("orders"), MeshNames.kafkaPrincipal(domain));
        return DataContracts.parse(descriptor, "bench.yaml", name -> resource("/schemas/demo/orders/" + name));
    }

    private static String resource(String path) {
        try (InputStream in = GateProduct.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
