package io.streammesh.bench;

import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.MeshSerdes;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.client.RecordProducers;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The policy-enforcer's analytics view (Avro in and out, a CEL filter and two masks, exactly
 * once) against a plain Kafka Streams exactly-once copy of the same topic, each in a JVM of its
 * own ({@link SideJvm}), fresh instances, rounds alternated, rates between 10 % and 100 % of the
 * records (start-up excluded); goal ratio at least 0.80. Then grant → first record readable and revoke →
 * first refusal over 20 rounds; goal p99 under 2 s.
 */
final class ViewBenchmark {

    private static final String DOMAIN = "bench-views";
    private static final String PRODUCT = DOMAIN + ".order-placed.v1";
    private static final String COPY = SideJvm.copyTopic(PRODUCT);
    private static final int WARM_UP_ROUNDS = 3;

    private final EmbeddedMesh mesh;
    private final int records;
    private final int rounds;
    private final Path state;

    ViewBenchmark(EmbeddedMesh mesh, int records, int rounds, Path state) {
        this.mesh = mesh;
        this.records = records;
        this.rounds = rounds;
        this.state = state;
    }

    void run(PrintStream out) throws Exception {
        prepare();
        out.printf("View (filter + hash + redact, Avro, exactly once) vs Kafka Streams exactly-once copy: %,d records, %d rounds after %d "
                + "uncounted, alternated; each in a JVM of its own%n", records, rounds, WARM_UP_ROUNDS);
        double[] copies = new double[rounds];
        double[] views = new double[rounds];
        var copyRates = new GateBenchmark.Rate[rounds];
        var viewRates = new GateBenchmark.Rate[rounds];
        try (var copySide = SideJvm.start(SideJvm.Kind.COPY, state, PRODUCT, records, "views");
             var viewSide = SideJvm.start(SideJvm.Kind.VIEW, state, PRODUCT, records, "views")) {
            // Warm-up rounds, not counted: each side's JIT compilers kept its rate climbing for about a million records.
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                copySide.round(round);
                viewSide.round(round);
            }
            for (int round = 0; round < rounds; round++) {
                GateBenchmark.Rate copy = copySide.round(WARM_UP_ROUNDS + round);
                GateBenchmark.Rate view = viewSide.round(WARM_UP_ROUNDS + round);
                copies[round] = copy.steady();
                views[round] = view.steady();
                copyRates[round] = copy;
                viewRates[round] = view;
                out.printf("  round %d: copy %,9.0f records/s (start %,5d ms, cpu %,5d ms)   view %,9.0f records/s (start %,5d ms, cpu %,5d ms)"
                        + "   ratio %.2f (from start %.2f, cpu %.2f)%n", round + 1, copies[round], copy.startMillis(), copy.cpuMillis(), views[round],
                        view.startMillis(), view.cpuMillis(), views[round] / copies[round], view.fromStart() / copy.fromStart(),
                        GateBenchmark.cpuRatio(copy, view));
            }
        }
        double ratio = Benchmarks.median(views) / Benchmarks.median(copies);
        out.printf("median: copy %,.0f records/s, view %,.0f records/s, ratio %.2f (%s; cpu %.2f; goal >= 0.80: %s)%n",
                Benchmarks.median(copies), Benchmarks.median(views), ratio, Benchmarks.spread(views, copies),
                GateBenchmark.cpuRatio(copyRates, viewRates), ratio >= 0.80 ? "met" : "NOT met");
        grantLatency(out);
    }

    private void prepare() throws Exception {
        mesh.onboarding().addDomain(DOMAIN);
        mesh.onboarding().ensurePrincipal("bench-team", PrincipalKind.TEAM);
        Schema schema = schema();
        long contentId;
        MeshClientConfig domain = mesh.clientConfig(DOMAIN);
        try (var registry = SchemaRegistry.connect(domain)) {
            contentId = registry.register(PRODUCT + "-value", schema.toString()).contentId();
        }
        mesh.admin().createTopics(List.of(new NewTopic(PRODUCT, 3, (short) 1), new NewTopic(COPY, 3, (short) 1))).all().get();
        // Records already in the product, written as the contract gate writes them: only it may.
        MeshClientConfig gate = mesh.clientConfig(PlatformApp.GATE.principal().name());
        try (var producer = new KafkaProducer<>(gate.kafka(), new StringSerializer(),
                MeshSerdes.<GenericRecord>valueSerializer(gate, false))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(PRODUCT, "b-" + i, order(schema, i)));
            }
        }
        var registration = ProductRegistration.newBuilder().setAddress(PRODUCT).setDomain(DOMAIN).setName("order-placed").setVersion("1.0.0")
                .setOwner(Owner.newBuilder().setTeam("bench").setPrincipal(MeshNames.kafkaPrincipal(DOMAIN)).setContact("bench").build())
                .setSchemaSubject(PRODUCT + "-value").setSchemaContentId(contentId)
                .setViews(List.of(ProductView.newBuilder().setName("analytics").setAccess(ViewAccess.OWNER_APPROVAL)
                        .setFilter("record.country != 'DE'").setMasks(Map.of("customerEmail", "hash", "shippingAddress", "redact")).build()))
                .setPublishedAt(Instant.now()).build();
        try (KafkaProducer<String, DataProduct> producer = RecordProducers.create(mesh.clientConfig("mesh-catalog"), "bench")) {
            producer.send(new ProducerRecord<>(MeshTopics.CATALOG, PRODUCT, DataProduct.newBuilder().setAddress(PRODUCT).setDomain(DOMAIN)
                    .setRegistration(registration).setStatus(ProductStatus.ACTIVE).setFirstPublishedAt(Instant.now())
                    .setUpdatedAt(Instant.now()).build())).get();
        }
    }

    private void grantLatency(PrintStream out) throws Exception {
        List<Long> granted = new ArrayList<>();
        List<Long> revoked = new ArrayList<>();
        MeshClientConfig team = mesh.clientConfig("bench-team");
        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"));
             KafkaProducer<String, Grant> grants = RecordProducers.create(mesh.clientConfig("mesh-catalog"), "bench-grants")) {
            for (int i = 0; i < 20; i++) {
                String id = "g-bench-" + i;
                long start = System.nanoTime();
                grants.send(new ProducerRecord<>(MeshTopics.ACCESS_GRANTS, id, grant(id, GrantStatus.ACTIVE))).get();
                while (!canRead(team)) {
                    Thread.sleep(20);
                }
                granted.add(System.nanoTime() - start);
                start = System.nanoTime();
                grants.send(new ProducerRecord<>(MeshTopics.ACCESS_GRANTS, id, grant(id, GrantStatus.REVOKED))).get();
                while (canRead(team)) {
                    Thread.sleep(20);
                }
                revoked.add(System.nanoTime() - start);
            }
        }
        long[] grantMillis = granted.stream().mapToLong(nanos -> nanos / 1_000_000).toArray();
        long[] revokeMillis = revoked.stream().mapToLong(nanos -> nanos / 1_000_000).toArray();
        out.printf("grant -> first record readable: p50 %d ms, p99 %d ms; revoke -> first refusal: p50 %d ms, p99 %d ms (goal p99 < 2000 ms: %s)%n",
                Benchmarks.percentile(grantMillis, 50), Benchmarks.percentile(grantMillis, 99), Benchmarks.percentile(revokeMillis, 50),
                Benchmarks.percentile(revokeMillis, 99),
                Math.max(Benchmarks.percentile(grantMillis, 99), Benchmarks.percentile(revokeMillis, 99)) < 2000 ? "met" : "NOT met");
    }

    private static boolean canRead(MeshClientConfig team) {
        var props = team.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-team");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new org.apache.kafka.common.TopicPartition(PRODUCT, 0)));
            consumer.seekToBeginning(consumer.assignment());
            return !consumer.poll(Duration.ofSeconds(2)).isEmpty();
        } catch (AuthorizationException e) {
            return false;
        }
    }

    private static Grant grant(String id, GrantStatus status) {
        return Grant.newBuilder().setGrantId(id).setRequestId(id).setPrincipal(MeshNames.kafkaPrincipal("bench-team")).setProduct(PRODUCT).setView("full")
                .setConsumerGroup("bench-team").setTopic(PRODUCT).setPurpose("benchmark").setStatus(status).setApprovedBy(MeshNames.kafkaPrincipal(DOMAIN))
                .setGrantedAt(Instant.now()).setExpiresAt(Instant.now().plusSeconds(3600)).build();
    }

    private static Schema schema() {
        try (InputStream in = ViewBenchmark.class.getResourceAsStream("/schemas/demo/orders/order-placed.avsc")) {
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A synthetic demo order, the same for every benchmark that writes orders. */
    static GenericRecord order(Schema schema, int i) {
        GenericRecord order = new GenericData.Record(schema);
        order.put("orderId", "b-" + i);
        order.put("customerId", "c-" + (i % 1000));
        order.put("customerEmail", "customer" + (i % 1000) + "@example.com");
        order.put("shippingAddress", (i % 500) + " Bench Road");
        order.put("country", i % 4 == 0 ? "DE" : "FR");
        order.put("amount", 10.5 + i % 100);
        order.put("currency", "EUR");
        order.put("items", 1 + i % 4);
        order.put("placedAt", 1_795_600_800_000L + i);
        return order;
    }
}
