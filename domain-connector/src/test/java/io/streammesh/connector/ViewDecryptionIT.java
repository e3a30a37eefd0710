package io.streammesh.connector;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.EncryptedFields;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.BrokerDisk;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicOffsets;
import io.streammesh.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The views of an encrypted product on the real mesh: the enforcer opens the encrypted fields in
 * memory to filter and hash them, passes an {@code encrypted} field as the product's ciphertext,
 * reads an erased subject's fields as null (with {@code mesh.erased}) and writes no cleartext of
 * them to any log segment.
 */
@MeshTest
class ViewDecryptionIT {

    private static final String DOMAIN = "enc-view";
    private static final ProductAddress ADDRESS = ProductAddress.parse(DOMAIN + ".order-placed.v1");
    private static final String ANALYTICS = ADDRESS.viewTopic("analytics");
    private static final String SHIPPING = ADDRESS.viewTopic("shipping");
    private static final String ANN = "zq8-ann-xv@view.example";
    private static final String BOB = "zq8-bob-xv@view.example";
    private static final String SKIPPED = "skip-zq8-cid-xv@view.example";

    @Test
    void theViewFiltersAndHashesDecryptedFieldsAndAnErasedSubjectReadsAsNullWithNoCleartextOnDisk(EmbeddedMesh mesh) throws Exception {
        Path logDirs = mesh.state().kafka();
        Assumptions.assumeTrue(Files.isDirectory(logDirs), "the broker's log directories are on this machine (embedded mesh)");
        MeshClientConfig domain = publish(mesh);
        GateIT.admit(mesh, domain, ADDRESS);
        MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        MeshClientConfig enforcerConfig = mesh.clientConfig(PlatformApp.ENFORCER.applicationId());
        Path state = Files.createTempDirectory("view-enc");
        Path keks = state.resolve("keks");
        byte[] secret = "view-secret".getBytes(UTF_8);

        try (GateApp gate = GateApp.start(gateConfig, state.resolve("gate"), Duration.ofSeconds(1), 0, keks);
             var producer = new KafkaProducer<>(plain(domain), new StringSerializer(), new ByteArraySerializer());
             SubjectKeys keys = SubjectKeys.local(gateConfig, keks)) {
            send(producer, "o-1", "c-1", ANN, "FR");
            send(producer, "o-2", "c-2", BOB, "FR");
            send(producer, "o-3", "c-3", SKIPPED, "FR");
            send(producer, "o-4", "c-1", ANN, "DE");
            GateIT.readCommitted(domain, ADDRESS.topic(), 4);

            try (var views = ViewApp.start(enforcerConfig, state.resolve("views"), secret, new SimpleMeterRegistry(), keks)) {
                List<ConsumerRecord<String, GenericRecord>> view = read(mesh, ANALYTICS, 2);
                assertThat(view).as("filtered on the decrypted e-mail and the clear country").extracting(ConsumerRecord::key)
                        .containsExactlyInAnyOrder("o-1", "o-2");
                GenericRecord ann = byKey(view, "o-1");
                assertThat(ann.get("customerEmail").toString()).matches("[0-9a-f]{64}");
                String shipping = ann.get("shippingAddress").toString();
                assertThat(FieldCipher.decrypt(ProductKey.of(keys.existing(DOMAIN, "c-1").orElseThrow(), ADDRESS.toString()), shipping,
                        FieldCipher.associatedData(ADDRESS.toString(), "shippingAddress", "c-1")))
                        .as("the encrypted mask passes the ciphertext bound to the product").isEqualTo("1 Main Street");
                assertThat(view).allSatisfy(r -> assertThat(r.headers().lastHeader(EncryptedFields.ERASED_HEADER)).isNull());
                assertThat(read(mesh, SHIPPING, 3)).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("o-1", "o-2", "o-3");
            }

            producer.send(new ProducerRecord<>(MeshTopics.erasures(DOMAIN), "c-1", "the customer asked".getBytes(UTF_8))).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> keys.existing(DOMAIN, "c-1").isEmpty());
            // a later record about the erased subject, the same address: the gate gives it a fresh key
            send(producer, "o-5", "c-1", ANN, "FR");
            GateIT.readCommitted(domain, ADDRESS.topic(), 5);

            // A fresh application id reads the product again from its start: the records written before the erasure, and after.
            try (var views = ViewApp.start(enforcerConfig, state.resolve("views-again"), secret, new SimpleMeterRegistry(),
                    PlatformApp.ENFORCER.applicationId() + "-reread", keks)) {
                List<ConsumerRecord<String, GenericRecord>> view = read(mesh, SHIPPING, 7);
                // one key, one partition: each order's first view record is the first app's, the second this one's
                List<ConsumerRecord<String, GenericRecord>> anns = view.stream().filter(r -> r.key().equals("o-1")).toList();
                List<ConsumerRecord<String, GenericRecord>> bobs = view.stream().filter(r -> r.key().equals("o-2")).toList();
                assertThat(anns).hasSize(2);
                assertThat(bobs).hasSize(2);
                ConsumerRecord<String, GenericRecord> erased = anns.get(1);
                assertThat(erased.value().get("customerEmail")).isNull();
                assertThat(erased.value().get("shippingAddress")).isNull();
                assertThat(erased.value().get("country")).hasToString("FR");
                assertThat(new String(erased.headers().lastHeader(EncryptedFields.ERASED_HEADER).value(), UTF_8))
                        .isEqualTo("customerEmail,shippingAddress");
                assertThat(bobs.get(1).value().get("customerEmail").toString()).as("another subject is untouched")
                        .isEqualTo(bobs.get(0).value().get("customerEmail").toString());
                assertThat(bobs.get(1).headers().lastHeader(EncryptedFields.ERASED_HEADER)).isNull();
                ConsumerRecord<String, GenericRecord> fresh = view.stream().filter(r -> r.key().equals("o-5")).findFirst().orElseThrow();
                assertThat(fresh.value().get("customerEmail").toString()).as("the fresh key's record, read after the erased one, "
                        + "its hash not linkable to the erased one's").matches("[0-9a-f]{64}").isNotEqualTo(anns.get(0).value().get("customerEmail").toString());
                assertThat(fresh.headers().lastHeader(EncryptedFields.ERASED_HEADER)).isNull();
                assertThat(read(mesh, ANALYTICS, 4)).as("a filter on an erased field leaves the row out").extracting(ConsumerRecord::key)
                        .containsExactlyInAnyOrder("o-1", "o-2", "o-2", "o-5");
                assertThat(TopicOffsets.end(mesh.admin(), MeshTopics.deadLetter(SHIPPING))).as("nothing read as forged").isZero();
            }

            for (String email : List.of(ANN, BOB, SKIPPED)) {
                assertThat(BrokerDisk.filesContaining(logDirs, email.getBytes(UTF_8))).as(email)
                        .isNotEmpty().allSatisfy(file -> assertThat(file.toString()).contains(ADDRESS.ingestTopic() + "-"));
            }
        }
    }

    @Test
    void aDomainWhoseKeysTheEnforcerCannotReadHoldsOnlyItsOwnViewsBackAndTheyFollowOnceItCan(EmbeddedMesh mesh) throws Exception {
        ProductAddress down = ProductAddress.parse("enc-down.order-placed.v1");
        ProductAddress up = ProductAddress.parse("enc-up.order-placed.v1");
        MeshClientConfig downDomain = admitted(mesh, down);
        MeshClientConfig upDomain = admitted(mesh, up);
        Path state = Files.createTempDirectory("view-enc-down");
        Path keks = state.resolve("keks");
        // an operator's mistake, or a broker that refuses the key topic: the enforcer cannot read the domain's data keys
        List<AclBinding> readKeys = readKeys(down.domain());

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), state.resolve("gate"), Duration.ofSeconds(1), 0,
                keks);
             var downProducer = new KafkaProducer<>(plain(downDomain), new StringSerializer(), new ByteArraySerializer());
             var upProducer = new KafkaProducer<>(plain(upDomain), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 1; i <= 6; i++) {
                // addresses of their own: the disk scan of the test above finds its own in its ingest topic only
                send(downProducer, down, "d-" + i, "c-" + i, "down-" + i + "@view.example", "FR");
                send(upProducer, up, "u-" + i, "c-" + i, "up-" + i + "@view.example", "FR");
            }
            GateIT.readCommitted(downDomain, down.topic(), 6);
            GateIT.readCommitted(upDomain, up.topic(), 6);
            mesh.admin().deleteAcls(readKeys.stream().map(AclBinding::toFilter).toList()).all().get();

            try (var views = ViewApp.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), state.resolve("views"),
                    "view-secret".getBytes(UTF_8), new SimpleMeterRegistry(), PlatformApp.ENFORCER.applicationId() + "-down", keks)) {
                assertThat(read(mesh, up.viewTopic("shipping"), 6)).as("every partition of the other domain's product, which share "
                        + "their tasks with the domain's").extracting(ConsumerRecord::key).hasSize(6);
                assertThat(read(mesh, down.viewTopic("shipping"), 0)).as("its records wait").isEmpty();
                assertThat(TopicOffsets.end(mesh.admin(), MeshTopics.deadLetter(down.viewTopic("shipping")))).as("none dead-lettered").isZero();

                mesh.admin().createAcls(readKeys).all().get();

                assertThat(read(mesh, down.viewTopic("shipping"), 6)).extracting(ConsumerRecord::key)
                        .containsExactlyInAnyOrder("d-1", "d-2", "d-3", "d-4", "d-5", "d-6");
                assertThat(read(mesh, up.viewTopic("shipping"), 6)).as("nothing viewed twice").hasSize(6);
            }
        } finally {
            mesh.admin().createAcls(readKeys).all().get();
        }
    }

    /**
     * A domain whose keys stay out of the enforcer's reach while it keeps producing cannot stall the
     * views of the others, whose partitions share the enforcer's tasks with its own: past
     * {@code ViewProcessor.KEY_WAIT_RECORDS} (10,000) records waiting in one partition, its next
     * records go to its views' dead-letter topics, as they are in the product (still encrypted),
     * with the reason; the others' views go on, and the records that waited follow once the keys
     * can be read. Before, the enforcer's task failed and kept failing.
     */
    @Test
    void aDomainWhoseKeysStayOutOfReachPastTheBoundHasItsNextRecordsDeadLetteredFromItsOwnViewsWhileAnotherDomainsFlow(EmbeddedMesh mesh)
            throws Exception {
        ProductAddress flood = ProductAddress.parse("enc-flood.order-placed.v1");
        ProductAddress calm = ProductAddress.parse("enc-calm.order-placed.v1");
        MeshClientConfig floodDomain = admitted(mesh, flood);
        MeshClientConfig calmDomain = admitted(mesh, calm);
        Path state = Files.createTempDirectory("view-enc-flood");
        Path keks = state.resolve("keks");
        List<AclBinding> readKeys = readKeys(flood.domain());
        int waiting = 10_000;
        int over = 5;

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), state.resolve("gate"), Duration.ofSeconds(1), 0,
                keks);
             var floodProducer = new KafkaProducer<>(plain(floodDomain), new StringSerializer(), new ByteArraySerializer());
             var calmProducer = new KafkaProducer<>(plain(calmDomain), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < waiting + over; i++) {
                // one key: one partition of the product, as a busy customer's orders
                floodProducer.send(new ProducerRecord<>(flood.ingestTopic(), "hot", order("f-" + i, "c-" + i % 5, "flood@view.example")));
            }
            floodProducer.flush();
            for (int i = 1; i <= 6; i++) {
                send(calmProducer, calm, "k-" + i, "c-" + i, "calm-" + i + "@view.example", "FR");
            }
            GateIT.readCommitted(floodDomain, flood.topic(), waiting + over);
            GateIT.readCommitted(calmDomain, calm.topic(), 6);
            mesh.admin().deleteAcls(readKeys.stream().map(AclBinding::toFilter).toList()).all().get();

            try (var views = ViewApp.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), state.resolve("views"),
                    "view-secret".getBytes(UTF_8), new SimpleMeterRegistry(), PlatformApp.ENFORCER.applicationId() + "-flood", keks)) {
                assertThat(read(mesh, calm.viewTopic("shipping"), 6)).as("the other domain's views go on").hasSize(6);
                List<ConsumerRecord<String, byte[]>> dead = readRaw(mesh, MeshTopics.deadLetter(flood.viewTopic("shipping")), over);
                assertThat(dead).hasSize(over).allSatisfy(letter -> {
                    assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                            .startsWith("the data keys of domain enc-flood cannot be made ready now, and ");
                    assertThat(new String(letter.value(), UTF_8)).as("as in the product: encrypted").contains(FieldCipher.PREFIX)
                            .doesNotContain("flood@view.example");
                });
                assertThat(readRaw(mesh, MeshTopics.deadLetter(flood.viewTopic("analytics")), over)).hasSize(over);

                mesh.admin().createAcls(readKeys).all().get();

                assertThat(read(mesh, flood.viewTopic("shipping"), waiting)).as("the records that waited, once the keys can be read")
                        .hasSize(waiting);
                assertThat(read(mesh, calm.viewTopic("shipping"), 6)).as("nothing viewed twice").hasSize(6);
            }
        } finally {
            mesh.admin().createAcls(readKeys).all().get();
        }
    }

    @Test
    void theEnforcerReadsTheDataKeysButCannotWriteOrEraseOne(EmbeddedMesh mesh) {
        mesh.onboarding().addDomain("enc-view-keys");
        var props = mesh.clientConfig(PlatformApp.ENFORCER.applicationId()).kafka();
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(MeshTopics.keys("enc-view-keys"), "c-1", (byte[]) null)).get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (SubjectKeys keys = SubjectKeys.reader(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), mesh.state().keks())) {
            assertThat(keys.existing("enc-view-keys", "c-1")).as("it reads the key topic").isEmpty();
        }
    }

    /** @return the enforcer's ACLs to read the domain's data keys */
    private static List<AclBinding> readKeys(String domain) {
        var keys = new ResourcePattern(ResourceType.TOPIC, MeshTopics.keys(domain), PatternType.LITERAL);
        return List.of(AclOperation.READ, AclOperation.DESCRIBE).stream()
                .map(operation -> new AclBinding(keys, new AccessControlEntry(PlatformApp.ENFORCER.principal().kafkaPrincipal(), "*",
                        operation, AclPermissionType.ALLOW))).toList();
    }

    /** @return the config of the product's domain, its contract published and admitted to the catalog */
    private static MeshClientConfig admitted(EmbeddedMesh mesh, ProductAddress address) throws Exception {
        MeshClientConfig domain = publish(mesh, address.domain());
        GateIT.admit(mesh, domain, address);
        return domain;
    }

    private static MeshClientConfig publish(EmbeddedMesh mesh) {
        return publish(mesh, DOMAIN);
    }

    private static MeshClientConfig publish(EmbeddedMesh mesh, String domain) {
        mesh.onboarding().addDomain(domain);
        MeshClientConfig config = mesh.clientConfig(domain);
        String descriptor = TestContracts.orderDescriptor(domain, "1.0.0")
                .replace("filter: \"record.country != 'DE'\"", "filter: \"record.country != 'DE' && !record.customerEmail.startsWith('skip-')\"")
                .replace("mask: {customerEmail: hash, shippingAddress: redact}", "mask: {customerEmail: hash, shippingAddress: encrypted}")
                // a second view filters on a clear field only: an erased subject's rows stay in it, with nulls
                .replace("lineage:", "  - name: shipping\n    filter: \"record.country != 'DE'\"\n    mask: {customerEmail: hash}\n"
                        + "    access: owner-approval\nlineage:");
        try (var publisher = ProductPublisher.connect(config)) {
            publisher.publish(TestContracts.parse(descriptor, TestContracts.ORDER_SCHEMA));
        }
        return config;
    }

    private static void send(KafkaProducer<String, byte[]> producer, String order, String customer, String email, String country)
            throws Exception {
        send(producer, ADDRESS, order, customer, email, country);
    }

    private static void send(KafkaProducer<String, byte[]> producer, ProductAddress address, String order, String customer, String email,
                             String country) throws Exception {
        producer.send(new ProducerRecord<>(address.ingestTopic(), order, order(order, customer, email, country))).get();
    }

    private static byte[] order(String order, String customer, String email) {
        return order(order, customer, email, "FR");
    }

    private static byte[] order(String order, String customer, String email, String country) {
        return """
                {"orderId": "%s", "customerId": "%s", "customerEmail": "%s", "shippingAddress": "1 Main Street",
                 "country": "%s", "amount": 12.5, "currency": "EUR", "items": 1, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(order, customer, email, country).getBytes(UTF_8);
    }

    private static List<ConsumerRecord<String, byte[]>> readRaw(EmbeddedMesh mesh, String topic, int expected) {
        var props = mesh.clientConfig("mesh-admin").kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "view-dlq-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return TopicReader.of(props, new StringDeserializer(), new ByteArrayDeserializer()).settlingFor(Duration.ofSeconds(2))
                .readUntil(topic, expected, Duration.ofSeconds(60));
    }

    private static GenericRecord byKey(List<ConsumerRecord<String, GenericRecord>> records, String key) {
        return records.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow().value();
    }

    private static List<ConsumerRecord<String, GenericRecord>> read(EmbeddedMesh mesh, String view, int expected) {
        MeshClientConfig config = mesh.clientConfig("mesh-admin");
        var props = config.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "view-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return TopicReader.of(props, new StringDeserializer(), MeshSerdes.<GenericRecord>valueDeserializer(config, false))
                .settlingFor(Duration.ofSeconds(2))
                .readUntil(view, expected, Duration.ofSeconds(60));
    }

    private static java.util.Properties plain(MeshClientConfig config) {
        var props = config.kafka();
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return props;
    }
}
