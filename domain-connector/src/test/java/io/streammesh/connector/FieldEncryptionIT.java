package io.streammesh.connector;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.BrokerDisk;
import io.streammesh.testing.IngestGrants;
import io.streammesh.testing.Kcat;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicOffsets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Field encryption proved on the broker's disks: no cleartext of an encrypted field outside the
 * ingest topic, ciphertext bound to its record, the key topics closed to the domains, and an
 * erased subject's wrapped key gone from the log segments once the key topic is compacted. The
 * records come through kcat, as a librdkafka client produces them (with the Java client where
 * kcat is not installed).
 */
@MeshTest
class FieldEncryptionIT {

    private static final String DOMAIN = "enc-shop";
    private static final ProductAddress ADDRESS = ProductAddress.parse(DOMAIN + ".order-placed.v1");
    private static final int CUSTOMERS = 20;

    @Test
    void noEncryptedFieldIsOnDiskInClearOutsideTheIngestTopicAndAnErasedKeyLeavesTheDisk(EmbeddedMesh mesh) throws Exception {
        Path logDirs = mesh.state().kafka();
        Assumptions.assumeTrue(Files.isDirectory(logDirs), "the broker's log directories are on this machine (embedded mesh)");
        MeshClientConfig domain = TestContracts.publishOrders(mesh, DOMAIN);
        ProductRegistration registration = GateIT.admit(mesh, domain, ADDRESS);
        Schema schema = ProductProducer.schemaOf(registration, domain);
        MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        Path gateState = Files.createTempDirectory("gate-enc");
        Path keks = gateState.resolve("keks");
        List<String> emails = IntStream.range(0, CUSTOMERS).mapToObj(i -> "zq7-" + i + "-xv@encrypted.example").toList();

        try (GateApp gate = GateApp.start(gateConfig, gateState, Duration.ofSeconds(1), 0, keks);
             SubjectKeys keys = SubjectKeys.local(gateConfig, keks)) {
            // JSON through kcat, as the domain's own librdkafka clients produce with its kcat.conf
            List<Map.Entry<String, String>> records = new ArrayList<>();
            for (int i = 0; i < CUSTOMERS; i++) {
                records.add(Map.entry("o-" + i, json("o-" + i, "c-" + i, emails.get(i), 12.5).replace("\n", " ")));
            }
            // a wrong type in an encrypted field: its dead letter's reason names the field, never the value
            records.add(Map.entry("o-wrong", json("o-wrong", "c-2", emails.get(2), 1)
                    .replace("\"" + emails.get(2) + "\"", "{\"inner\": \"" + emails.get(2) + "\"}").replace("\n", " ")));
            records.add(Map.entry("o-bad", json("o-bad", "c-0", emails.get(0), -1).replace("\n", " ")));
            if (Kcat.installed()) {
                Kcat.produce(mesh.state().clients().resolve(DOMAIN + ".kcat.conf"), ADDRESS.ingestTopic(), records);
            } else {
                System.out.println("kcat is not installed (README, quick start): the records are produced with the Java client instead");
                try (var producer = new KafkaProducer<>(plain(domain), new StringSerializer(), new ByteArraySerializer())) {
                    for (Map.Entry<String, String> record : records) {
                        producer.send(new ProducerRecord<>(ADDRESS.ingestTopic(), record.getKey(), record.getValue().getBytes(UTF_8))).get();
                    }
                }
            }
            List<GenericRecord> orders = GateIT.readCommitted(domain, ADDRESS.topic(), CUSTOMERS).stream().map(r -> decode(schema, r.value())).toList();
            assertThat(GateIT.readCommitted(domain, ADDRESS.deadLetterTopic(), 2)).hasSize(2);

            assertThat(BrokerDisk.filesContaining(logDirs, emails.get(0).getBytes(UTF_8))).as("the scan sees what producers wrote")
                    .isNotEmpty().allSatisfy(file -> assertThat(file.toString()).contains(ADDRESS.ingestTopic() + "-"));
            for (String email : emails) {
                assertThat(BrokerDisk.filesContaining(logDirs, email.getBytes(UTF_8))).as(email).allSatisfy(file -> assertThat(file.toString()).contains(ADDRESS.ingestTopic() + "-"));
            }

            GenericRecord first = orders.stream().filter(o -> o.get("customerId").toString().equals("c-1")).findFirst().orElseThrow();
            String firstEmail = first.get("customerEmail").toString();
            var key = ProductKey.of(keys.existing(DOMAIN, "c-1").orElseThrow(), ADDRESS.toString());
            assertThat(FieldCipher.decrypt(key, firstEmail, FieldCipher.associatedData(ADDRESS.toString(), "customerEmail", "c-1")))
                    .isEqualTo(emails.get(1));
            assertThatThrownBy(() -> FieldCipher.decrypt(ProductKey.of(keys.existing(DOMAIN, "c-2").orElseThrow(), ADDRESS.toString()), firstEmail,
                    FieldCipher.associatedData(ADDRESS.toString(), "customerEmail", "c-2"))).as("moved to another subject's record")
                    .isInstanceOf(GeneralSecurityException.class);
            assertThatThrownBy(() -> FieldCipher.decrypt(key, firstEmail, FieldCipher.associatedData(ADDRESS.toString(), "shippingAddress", "c-1")))
                    .as("moved to another field").isInstanceOf(GeneralSecurityException.class);

            byte[] wrapped = keyEntry(mesh, "c-1");
            Path keyTopicDir = logDirs.resolve(MeshTopics.keys(DOMAIN) + "-0");
            assertThat(BrokerDisk.filesContaining(keyTopicDir, wrapped)).as("the wrapped key is on disk before the erasure").isNotEmpty();

            keys.erase(DOMAIN, "c-1");
            compactSoon(mesh);
            int[] roll = {0};
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                keys.dataKey(DOMAIN, "roll-" + roll[0]++);
                return BrokerDisk.filesContaining(keyTopicDir, wrapped).isEmpty();
            });
            assertThat(keys.existing(DOMAIN, "c-1")).isEmpty();
            assertThat(keys.existing(DOMAIN, "c-2")).as("other subjects are untouched").isPresent();
        }
    }

    @Test
    void aRecordWaitingForItsProductsCatalogEntryIsSealedOnTheBrokersDisksAndFlowsEncryptedOnceCatalogued(EmbeddedMesh mesh) throws Exception {
        Path logDirs = mesh.state().kafka();
        Assumptions.assumeTrue(Files.isDirectory(logDirs), "the broker's log directories are on this machine (embedded mesh)");
        ProductAddress address = ProductAddress.parse("enc-wait.order-placed.v1");
        MeshClientConfig domain = TestContracts.publishOrders(mesh, address.domain());
        // the domain may write its ingest topic before the gate's copy of the catalog has the product: here, until the test catalogues it
        IngestGrants.allow(mesh, address);
        Path gateState = Files.createTempDirectory("gate-wait");
        String email = "wq4-waiting-xv@encrypted.example";

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), gateState, Duration.ofSeconds(1), 0,
                gateState.resolve("keks"));
             var producer = new KafkaProducer<>(plain(domain), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-1", json("o-1", "c-1", email, 12.5).getBytes(UTF_8))).get();
            String changelog = PlatformApp.GATE.applicationId() + "-" + GateTopology.PENDING + "-changelog";
            await().atMost(Duration.ofSeconds(60)).until(() -> held(mesh, changelog, address.ingestTopic()));

            assertThat(BrokerDisk.filesContaining(logDirs, email.getBytes(UTF_8))).as("the attack: its contract encrypts customerEmail")
                    .isNotEmpty().allSatisfy(file -> assertThat(file.toString()).contains(address.ingestTopic() + "-"));
            // too large to wait: dead-lettered at once, before the gate knows the contract, so sealed whole
            String oversized = "wq4-oversized-xv@encrypted.example";
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-2", json("o-2", "c-2", oversized, 12.5)
                    .replace("\"country\"", "\"padding\": \"" + "x".repeat(GateConfig.DEFAULT_MAX_VALUE_BYTES) + "\", \"country\"")
                    .getBytes(UTF_8))).get();
            assertThat(GateIT.readCommitted(domain, address.deadLetterTopic(), 1)).hasSize(1);
            assertThat(BrokerDisk.filesContaining(logDirs, oversized.getBytes(UTF_8))).as("its dead letter")
                    .isNotEmpty().allSatisfy(file -> assertThat(file.toString()).contains(address.ingestTopic() + "-"));

            ProductRegistration registration = GateIT.catalogue(mesh, domain, address);
            Schema schema = ProductProducer.schemaOf(registration, domain);
            GenericRecord order = decode(schema, GateIT.readCommitted(domain, address.topic(), 1).get(0).value());
            assertThat(order.get("customerEmail").toString()).startsWith(FieldCipher.PREFIX);
            assertThat(BrokerDisk.filesContaining(logDirs, email.getBytes(UTF_8)))
                    .allSatisfy(file -> assertThat(file.toString()).contains(address.ingestTopic() + "-"));
        }
    }

    @Test
    void noDomainOrTeamMayReadOrWriteAKeyTopicNotEvenItsOwnDomains(EmbeddedMesh mesh) {
        mesh.onboarding().addDomain("enc-thief");
        mesh.onboarding().ensurePrincipal("enc-team", PrincipalKind.TEAM);
        String keyTopic = MeshTopics.keys("enc-thief");

        for (String principal : List.of("enc-thief", "enc-team")) {
            MeshClientConfig config = mesh.clientConfig(principal);
            var props = config.kafka();
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.assign(List.of(new TopicPartition(keyTopic, 0)));
                assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).as(principal + " reads").isInstanceOf(TopicAuthorizationException.class);
            }
            try (var producer = new KafkaProducer<>(plain(config), new StringSerializer(), new ByteArraySerializer())) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(keyTopic, "c-1", (byte[]) null)).get()).as(principal + " erases")
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }
    }

    @Test
    void aDomainErasesItsOwnSubjectThroughItsErasureTopicAndTheGateDestroysTheKeyButNotAnotherDomainsSubject(EmbeddedMesh mesh)
            throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "enc-erase");
        ProductAddress address = ProductAddress.parse("enc-erase.order-placed.v1");
        GateIT.admit(mesh, domain, address);
        mesh.onboarding().addDomain("enc-other");
        MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        Path gateState = Files.createTempDirectory("gate-erase");
        Path keks = gateState.resolve("keks");

        try (GateApp gate = GateApp.start(gateConfig, gateState, Duration.ofSeconds(1), 0, keks);
             var producer = new KafkaProducer<>(plain(domain), new StringSerializer(), new ByteArraySerializer());
             var other = new KafkaProducer<>(plain(mesh.clientConfig("enc-other")), new StringSerializer(), new ByteArraySerializer());
             SubjectKeys keys = SubjectKeys.local(gateConfig, keks)) {
            for (String customer : List.of("c-1", "c-2")) {
                producer.send(new ProducerRecord<>(address.ingestTopic(), customer, json("o-" + customer, customer, customer + "@x.example", 1)
                        .getBytes(UTF_8))).get();
            }
            GateIT.readCommitted(domain, address.topic(), 2);
            assertThat(keys.existing("enc-erase", "c-1")).isPresent();

            assertThatThrownBy(() -> other.send(new ProducerRecord<>(MeshTopics.erasures("enc-erase"), "c-2", "not mine".getBytes(UTF_8))).get())
                    .as("another domain erases").hasCauseInstanceOf(TopicAuthorizationException.class);
            producer.send(new ProducerRecord<>(MeshTopics.erasures("enc-erase"), "c-1", "the customer asked".getBytes(UTF_8))).get();

            await().atMost(Duration.ofSeconds(30)).until(() -> keys.existing("enc-erase", "c-1").isEmpty());
            assertThat(keys.existing("enc-erase", "c-2")).isPresent();
        }
    }

    /**
     * A domain holds WRITE on its erasure topic and on transactional ids of its own: an erasure it
     * wrote in a transaction and aborted must erase nothing (the audit trail, which reads committed
     * records only, would never show it). The erasure of another subject committed behind it in the
     * same partition shows that the gate has read past it.
     */
    @Test
    void anErasureInATransactionTheDomainAbortedErasesNothing(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "enc-abort");
        ProductAddress address = ProductAddress.parse("enc-abort.order-placed.v1");
        GateIT.admit(mesh, domain, address);
        MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        Path gateState = Files.createTempDirectory("gate-abort");
        Path keks = gateState.resolve("keks");
        var transactional = plain(domain);
        transactional.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "enc-abort.erasures");

        try (GateApp gate = GateApp.start(gateConfig, gateState, Duration.ofSeconds(1), 0, keks);
             var producer = new KafkaProducer<>(plain(domain), new StringSerializer(), new ByteArraySerializer());
             var aborting = new KafkaProducer<>(transactional, new StringSerializer(), new ByteArraySerializer());
             SubjectKeys keys = SubjectKeys.local(gateConfig, keks)) {
            for (String customer : List.of("c-1", "c-2")) {
                producer.send(new ProducerRecord<>(address.ingestTopic(), customer, json("o-" + customer, customer, customer + "@x.example", 1)
                        .getBytes(UTF_8))).get();
            }
            GateIT.readCommitted(domain, address.topic(), 2);

            aborting.initTransactions();
            aborting.beginTransaction();
            aborting.send(new ProducerRecord<>(MeshTopics.erasures("enc-abort"), 0, "c-1", "never meant".getBytes(UTF_8))).get();
            aborting.abortTransaction();
            producer.send(new ProducerRecord<>(MeshTopics.erasures("enc-abort"), 0, "c-2", "the customer asked".getBytes(UTF_8))).get();

            await().atMost(Duration.ofSeconds(30)).until(() -> keys.existing("enc-abort", "c-2").isEmpty());
            assertThat(keys.existing("enc-abort", "c-1")).as("the aborted erasure's subject").isPresent();
        }
    }

    @Test
    void aKeyLogTheGateCannotWriteHoldsAGoodRecordBackWithoutDeadLetteringItAndItFlowsOnceTheKeyLogIsBack(EmbeddedMesh mesh)
            throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "enc-outage");
        ProductAddress address = ProductAddress.parse("enc-outage.order-placed.v1");
        GateIT.admit(mesh, domain, address);
        MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        Path gateState = Files.createTempDirectory("gate-outage");
        var gateWritesKeys = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, MeshTopics.keys("enc-outage"), PatternType.LITERAL),
                new AccessControlEntryFilter(PlatformApp.GATE.principal().kafkaPrincipal(), null, AclOperation.WRITE, AclPermissionType.ALLOW));
        Collection<AclBinding> taken = mesh.admin().deleteAcls(List.of(gateWritesKeys)).all().get();
        assertThat(taken).as("the gate's WRITE on the key topic").hasSize(1);

        try (GateApp gate = GateApp.start(gateConfig, gateState, Duration.ofSeconds(1), 0, gateState.resolve("keks"));
             var producer = new KafkaProducer<>(plain(domain), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(address.ingestTopic(), "o-1", json("o-1", "c-1", "c-1@x.example", 1).getBytes(UTF_8))).get();
            AuditTopicReader.raw(mesh).awaitEvents(Duration.ofSeconds(60), e -> e.getPrincipal().equals(PlatformApp.GATE.principal().kafkaPrincipal())
                    && e.getOperation().equals("WRITE") && e.getResourceName().equals(MeshTopics.keys("enc-outage"))
                    && e.getDecision() == Decision.DENIED);
            assertThat(TopicOffsets.end(mesh.admin(), address.deadLetterTopic())).as("nothing dead-lettered while the key log is out of reach").isZero();
            assertThat(TopicOffsets.end(mesh.admin(), address.topic())).isZero();

            mesh.admin().createAcls(taken).all().get();
            assertThat(GateIT.readCommitted(domain, address.topic(), 1)).extracting(ConsumerRecord::key).containsExactly("o-1");
            assertThat(TopicOffsets.end(mesh.admin(), address.deadLetterTopic())).isZero();
        } finally {
            mesh.admin().createAcls(taken).all().get();
        }
    }

    /** @return whether the gate's store of waiting records holds one of the ingest topic, as its changelog says */
    private static boolean held(EmbeddedMesh mesh, String changelog, String ingestTopic) {
        var props = mesh.clientConfig("mesh-admin").kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(changelog).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            for (var record : consumer.poll(Duration.ofSeconds(2))) {
                if (record.key() != null && record.key().startsWith(ingestTopic + "|") && record.value() != null) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The key topic compacted within seconds instead of hours, its old segments deleted at once. */
    private static void compactSoon(EmbeddedMesh mesh) throws Exception {
        var topic = new ConfigResource(ConfigResource.Type.TOPIC, MeshTopics.keys(DOMAIN));
        List<AlterConfigOp> fast = Stream.of(Map.entry("segment.ms", "100"), Map.entry("min.compaction.lag.ms", "0"),
                        Map.entry("max.compaction.lag.ms", "100"), Map.entry("delete.retention.ms", "0"),
                        Map.entry("min.cleanable.dirty.ratio", "0.01"), Map.entry("file.delete.delay.ms", "0"))
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET)).toList();
        mesh.admin().incrementalAlterConfigs(Map.of(topic, fast)).all().get();
    }

    /** The platform's view of a subject's entry on the key topic. */
    private static byte[] keyEntry(EmbeddedMesh mesh, String subject) {
        var props = mesh.clientConfig("mesh-admin").kafka();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(MeshTopics.keys(DOMAIN), 0)));
            byte[][] found = {null};
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().equals(subject)) {
                        found[0] = record.value();
                    }
                }
                return found[0] != null;
            });
            return found[0];
        }
    }

    private static java.util.Properties plain(MeshClientConfig config) {
        var props = config.kafka();
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return props;
    }

    private static String json(String id, String customer, String email, double amount) {
        return """
                {"orderId": "%s", "customerId": "%s", "customerEmail": "%s", "shippingAddress": "1 Main Street",
                 "country": "FR", "amount": %s, "currency": "EUR", "items": 1, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(id, customer, email, amount);
    }

    private static GenericRecord decode(Schema schema, byte[] value) {
        try {
            return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
