package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import io.streammesh.keys.KafkaKeyLog;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.MeshTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
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
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * One domain cannot stall the contract gate for another through what it may configure: a topic
 * config the gate's writes cannot meet would fail the gate's task that every domain's ingest
 * partition of that number shares.
 */
@MeshTest
class GateIsolationIT {

    /** Configs that would make the gate's exactly-once writes, and the broker's transaction markers, fail. */
    private static final Map<String, String> POISON = Map.of("max.message.bytes", "16", "cleanup.policy", "compact");

    @Test
    void aDomainMayNotChangeItsProductsConfigAndTheRefusalIsAudited(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "iso-alter");
        ProductAddress address = ProductAddress.parse("iso-alter.order-placed.v1");
        var product = new ConfigResource(ConfigResource.Type.TOPIC, address.topic());

        try (var admin = Admin.create(domain.kafka())) {
            assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(product, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", "16"), AlterConfigOp.OpType.SET)))).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }

        assertThat(mesh.admin().describeConfigs(List.of(product)).all().get().get(product).get("max.message.bytes").value()).isNotEqualTo("16");
        AuditTopicReader.raw(mesh).awaitEvents(Duration.ofSeconds(60), e -> e.getPrincipal().equals("User:iso-alter")
                && e.getOperation().equals("ALTER_CONFIGS") && e.getResourceName().equals(address.topic())
                && e.getDecision() == Decision.DENIED && !e.getProbe());
    }

    @Test
    void aDomainThatCreatesItsProductTopicsWithConfigsTheGateCannotMeetBeforePublishingDoesNotStallAnotherDomainsProduct(EmbeddedMesh mesh)
            throws Exception {
        ProductAddress poisoned = ProductAddress.parse("iso-attacker.order-placed.v1");
        ProductAddress other = ProductAddress.parse("iso-victim.order-placed.v1");
        mesh.onboarding().addDomain("iso-attacker");
        MeshClientConfig attacker = mesh.clientConfig("iso-attacker");
        // As a domain of an older mesh created its product's topics, before it published, with any config it liked (the
        // broker now refuses a domain's CREATE of them: BrokerAuthorizationIT).
        mesh.admin().createTopics(List.of(poisoned.topic(), poisoned.deadLetterTopic(), poisoned.ingestTopic()).stream()
                .map(topic -> new NewTopic(topic, 3, (short) 1).configs(POISON)).toList()).all().get();
        try (var publisher = ProductPublisher.connect(attacker)) {
            publisher.publish(TestContracts.orders("iso-attacker", "1.0.0"));
        }
        MeshClientConfig victim = TestContracts.publishOrders(mesh, "iso-victim");
        GateIT.catalogue(mesh, attacker, poisoned);
        GateIT.catalogue(mesh, victim, other);

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-iso"),
                     Duration.ofSeconds(1));
             var attacking = new KafkaProducer<>(attacker.kafka(), new StringSerializer(), new ByteArraySerializer());
             var producing = new KafkaProducer<>(victim.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            List<String> attackerKeys = IntStream.range(0, 6).mapToObj(i -> "p-" + i).toList();
            // The enforcer lets the domain write its ingest topic only once its topics have the mesh's configs.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    attacking.send(new ProducerRecord<>(poisoned.ingestTopic(), attackerKeys.get(0), bytes(GateIT.json(attackerKeys.get(0), 5))))
                            .get() != null);
            for (String topic : List.of(poisoned.topic(), poisoned.deadLetterTopic(), poisoned.ingestTopic())) {
                assertThat(overrides(mesh, topic)).as(topic).doesNotContainKey("max.message.bytes").containsEntry("cleanup.policy", "delete");
            }
            for (String key : attackerKeys.subList(1, attackerKeys.size())) {
                attacking.send(new ProducerRecord<>(poisoned.ingestTopic(), key, bytes(GateIT.json(key, 5)))).get();
            }
            List<String> keys = IntStream.range(0, 12).mapToObj(i -> "v-" + i).toList();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    producing.send(new ProducerRecord<>(other.ingestTopic(), keys.get(0), bytes(GateIT.json(keys.get(0), 5)))).get() != null);
            for (String key : keys.subList(1, keys.size())) {
                producing.send(new ProducerRecord<>(other.ingestTopic(), key, bytes(GateIT.json(key, 5)))).get();
            }

            List<ConsumerRecord<String, byte[]>> delivered = GateIT.readCommitted(victim, other.topic(), keys.size());
            assertThat(delivered).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(GateIT.readCommitted(attacker, poisoned.topic(), attackerKeys.size())).extracting(ConsumerRecord::key)
                    .containsExactlyInAnyOrderElementsOf(attackerKeys);
        }
    }

    /**
     * A domain producing into the ingest topic of a product the gate's copy of the catalog does not
     * have cannot fill the heap of the gate every domain shares: past
     * {@link GateProcessor#PENDING_RECORDS} waiting records of an ingest partition, or
     * {@link GateProcessor#DOMAIN_PENDING_RECORDS} of the domain's products across the gate's tasks,
     * each is dead-lettered at once with the reason; another domain's records still wait for its
     * own product meanwhile, and those that waited go on once the catalog has their product. The
     * enforcer lets a domain write an ingest topic only once the catalog has its product, so the
     * window is the gate's copy of the catalog lagging behind the enforcer's (or a product leaving
     * the catalog before its ACL goes): made here as the platform, with the WRITE ACLs the enforcer
     * would give and no catalog entry for either product.
     */
    @Test
    void aDomainFloodingAProductTheCatalogDoesNotHaveHasTheRecordsPastTheLimitsDeadLetteredWhileAnotherDomainsStillWait(
            EmbeddedMesh mesh) throws Exception {
        ProductAddress flooded = ProductAddress.parse("iso-flood.order-placed.v1");
        ProductAddress other = ProductAddress.parse("iso-calm.order-placed.v1");
        MeshClientConfig flooder = TestContracts.publishOrders(mesh, "iso-flood");
        MeshClientConfig calm = TestContracts.publishOrders(mesh, "iso-calm");
        mesh.admin().createAcls(List.of(writeIngest(flooder, flooded), writeIngest(calm, other))).all().get();
        int over = 50;
        // three partitions: partition 0 past its own limit, then 1 and 2 past the domain's
        int[] sent = {GateProcessor.PENDING_RECORDS + over, GateProcessor.PENDING_RECORDS,
                GateProcessor.DOMAIN_PENDING_RECORDS - 2 * GateProcessor.PENDING_RECORDS + over};

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-flood"),
                     Duration.ofSeconds(1));
             var flooding = new KafkaProducer<>(flooder.kafka(), new StringSerializer(), new ByteArraySerializer());
             var producing = new KafkaProducer<>(calm.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    flooding.send(new ProducerRecord<>(flooded.ingestTopic(), 0, "f-0-0", bytes(GateIT.json("f-0-0", 5)))).get() != null);
            flood(flooding, flooded, 0, 1, sent[0]);
            // partition 0 first, so that its records past its own limit are dead-lettered for that
            assertThat(GateIT.readCommitted(flooder, flooded.deadLetterTopic(), over)).hasSize(over)
                    .allSatisfy(record -> assertThat(reason(record)).startsWith("product " + flooded + " is not in the catalog yet, and "));
            flood(flooding, flooded, 1, 0, sent[1]);
            flood(flooding, flooded, 2, 0, sent[2]);
            List<String> keys = IntStream.range(0, 12).mapToObj(i -> "c-" + i).toList();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    producing.send(new ProducerRecord<>(other.ingestTopic(), keys.get(0), bytes(GateIT.json(keys.get(0), 5)))).get() != null);
            for (String key : keys.subList(1, keys.size())) {
                producing.send(new ProducerRecord<>(other.ingestTopic(), key, bytes(GateIT.json(key, 5)))).get();
            }

            List<String> reasons = GateIT.readCommitted(flooder, flooded.deadLetterTopic(), 2 * over).stream()
                    .map(GateIsolationIT::reason).toList();
            System.out.printf("flooded: %,d records sent, %,d dead-lettered at once%n", IntStream.of(sent).sum(), reasons.size());
            assertThat(reasons).hasSize(2 * over).allSatisfy(reason -> assertThat(reason)
                    .startsWith("product " + flooded + " is not in the catalog yet, and ").endsWith(": produce once the catalog has admitted it"));
            assertThat(reasons).filteredOn(reason -> reason.contains(GateProcessor.PENDING_RECORDS + " records of its ingest partition 0 ("))
                    .hasSize(1);
            assertThat(reasons).filteredOn(reason -> reason.contains(GateProcessor.DOMAIN_PENDING_RECORDS
                    + " records of domain iso-flood's products (")).hasSizeBetween(1, 2);

            GateIT.catalogue(mesh, calm, other);
            assertThat(GateIT.readCommitted(calm, other.topic(), keys.size())).as("another domain's records waited for their product")
                    .extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(keys);
            GateIT.catalogue(mesh, flooder, flooded);
            assertThat(GateIT.readCommitted(flooder, flooded.topic(), GateProcessor.DOMAIN_PENDING_RECORDS))
                    .hasSize(GateProcessor.DOMAIN_PENDING_RECORDS);
        }
    }

    /**
     * A domain naming a new data subject in every record cannot stall the gate for another: each
     * new subject's key costs a KMS round trip (20 ms here, as a remote KMS's would) and its entry
     * on the key log, made off the stream thread with the domains taken in turn, while the records
     * that need them wait. The other domain's records, new subjects too, go on within a turn.
     */
    @Test
    void aDomainNamingANewSubjectInEveryRecordWaitsForItsOwnKeysWhileAnotherDomainsRecordsGoOn(EmbeddedMesh mesh) throws Exception {
        ProductAddress flooded = ProductAddress.parse("iso-subjects.order-placed.v1");
        ProductAddress other = ProductAddress.parse("iso-steady.order-placed.v1");
        MeshClientConfig flooder = catalogued(mesh, flooded);
        MeshClientConfig steady = catalogued(mesh, other);
        MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        Path state = Files.createTempDirectory("gate-subjects");
        var kms = new LocalKms(state.resolve("keks"));
        var keys = new SubjectKeys(new KafkaKeyLog(gateConfig), new SlowKms(kms, Duration.ofMillis(20)), LocalKms::uri, kms::version,
                () -> System.nanoTime() / 1_000_000).refreshingInBackground();
        int flood = 600;

        try (GateApp gate = GateApp.start(gateConfig, state, Duration.ofSeconds(1), keys);
             var flooding = new KafkaProducer<>(flooder.kafka(), new StringSerializer(), new ByteArraySerializer());
             var producing = new KafkaProducer<>(steady.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < flood; i++) {
                flooding.send(new ProducerRecord<>(flooded.ingestTopic(), "f-" + i, bytes(order("f-" + i, "new-" + i))));
            }
            flooding.flush();
            // once the gate has started on the flood
            await().atMost(Duration.ofSeconds(60)).until(() -> committed(flooder, flooded.topic()) > 0);
            List<String> orders = IntStream.range(0, 12).mapToObj(i -> "s-" + i).toList();
            for (String order : orders) {
                producing.send(new ProducerRecord<>(other.ingestTopic(), order, bytes(order(order, "steady-" + order))));
            }
            producing.flush();
            long sent = System.nanoTime();
            int floodedWhenSent = committed(flooder, flooded.topic());

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> committed(steady, other.topic()) == orders.size());
            int floodedByThen = committed(flooder, flooded.topic());
            System.out.printf("new subjects: another domain's %d records through in %d ms while the flooding domain's went from %d to %d of %d%n",
                    orders.size(), (System.nanoTime() - sent) / 1_000_000, floodedWhenSent, floodedByThen, flood);
            assertThat(GateIT.readCommitted(steady, other.topic(), orders.size())).extracting(ConsumerRecord::key)
                    .containsExactlyInAnyOrderElementsOf(orders);
            assertThat(floodedByThen).as("the flooding domain's records still waiting for their keys").isLessThan(flood / 2);
            assertThat(GateIT.readCommitted(flooder, flooded.topic(), flood)).as("each exactly once, none dead-lettered")
                    .extracting(ConsumerRecord::key).doesNotHaveDuplicates().hasSize(flood);
            assertThat(committed(flooder, flooded.deadLetterTopic())).isZero();
        }
    }

    /**
     * One record over the gate's size limit, of a domain whose data keys the gate cannot reach (its
     * KMS or key topic out of reach; here the gate's ACLs on the key topic taken away), cannot stall
     * another domain: its dead letter is to be sealed with its product's dead-letter key, which the
     * gate cannot have now. Before, the gate waited for that key on the stream thread and failed the
     * task, which holds partition N of every domain's ingest topic, again at every retry. Now the
     * record waits for the key, and goes to the dead-letter topic once it can be had.
     */
    @Test
    void anOversizedRecordOfADomainWhoseKeysTheGateCannotReachWaitsForThemWhileAnotherDomainsRecordsGoOn(EmbeddedMesh mesh)
            throws Exception {
        ProductAddress dark = ProductAddress.parse("iso-dark.order-placed.v1");
        ProductAddress other = ProductAddress.parse("iso-lit.order-placed.v1");
        MeshClientConfig darkDomain = catalogued(mesh, dark);
        MeshClientConfig litDomain = catalogued(mesh, other);
        var keyTopic = new ResourcePattern(ResourceType.TOPIC, MeshTopics.keys("iso-dark"), PatternType.LITERAL);
        List<AclBinding> gateKeys = List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE).stream()
                .map(operation -> new AclBinding(keyTopic, new AccessControlEntry(PlatformApp.GATE.principal().kafkaPrincipal(), "*",
                        operation, AclPermissionType.ALLOW))).toList();
        mesh.admin().deleteAcls(gateKeys.stream().map(AclBinding::toFilter).toList()).all().get();
        Path state = Files.createTempDirectory("gate-dark");
        byte[] oversized = new byte[GateConfig.DEFAULT_MAX_VALUE_BYTES + 1];
        java.util.Arrays.fill(oversized, (byte) 'x');

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), state, Duration.ofSeconds(1), 0,
                     state.resolve("keks"));
             var darkProducer = new KafkaProducer<>(darkDomain.kafka(), new StringSerializer(), new ByteArraySerializer());
             var litProducer = new KafkaProducer<>(litDomain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            int partitions = darkProducer.partitionsFor(dark.ingestTopic()).size();
            // one on each partition, so that every task of the gate meets one
            for (int partition = 0; partition < partitions; partition++) {
                darkProducer.send(new ProducerRecord<>(dark.ingestTopic(), partition, "big-" + partition, oversized)).get();
            }
            List<String> orders = IntStream.range(0, 12).mapToObj(i -> "l-" + i).toList();
            for (String order : orders) {
                litProducer.send(new ProducerRecord<>(other.ingestTopic(), order, bytes(order(order, "lit-" + order))));
            }
            litProducer.flush();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> committed(litDomain, other.topic())
                    == orders.size());
            assertThat(committed(darkDomain, dark.deadLetterTopic())).as("waiting for the dead-letter key").isZero();

            mesh.admin().createAcls(gateKeys).all().get();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> committed(darkDomain,
                    dark.deadLetterTopic()) == partitions);
            assertThat(GateIT.readCommitted(darkDomain, dark.deadLetterTopic(), partitions)).allSatisfy(letter ->
                    assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.RULE).value(), StandardCharsets.UTF_8))
                            .isEqualTo(DeadLetterHeaders.SIZE_RULE));
        } finally {
            mesh.admin().createAcls(gateKeys).all().get();
        }
    }

    /**
     * A domain writing thousands of erasures to its erasure topic (the gate applies every one) cannot
     * hold another domain's new subjects back: the erasures share the lock that new keys need, so
     * they are applied a poll's batch at a time (one read, one write, one settle), not one after
     * another for minutes.
     */
    @Test
    void aDomainFloodingItsErasureTopicDoesNotHoldAnotherDomainsNewSubjectsBack(EmbeddedMesh mesh) throws Exception {
        ProductAddress erasing = ProductAddress.parse("iso-erasing.order-placed.v1");
        ProductAddress other = ProductAddress.parse("iso-keys.order-placed.v1");
        MeshClientConfig eraser = TestContracts.publishOrders(mesh, "iso-erasing");
        MeshClientConfig steady = TestContracts.publishOrders(mesh, "iso-keys");
        mesh.admin().createAcls(List.of(writeIngest(steady, other))).all().get();
        GateIT.catalogue(mesh, eraser, erasing);
        GateIT.catalogue(mesh, steady, other);
        MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        Path state = Files.createTempDirectory("gate-erasures");
        int erasures = 10_000;
        String erasureTopic = MeshTopics.erasures("iso-erasing");

        try (GateApp gate = GateApp.start(gateConfig, state, Duration.ofSeconds(1), 0, state.resolve("keks"));
             var flooding = new KafkaProducer<>(eraser.kafka(), new StringSerializer(), new ByteArraySerializer());
             var producing = new KafkaProducer<>(steady.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < erasures; i++) {
                flooding.send(new ProducerRecord<>(erasureTopic, "gone-" + i, bytes("asked")));
            }
            flooding.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> erased(mesh, erasureTopic) > 0);
            List<String> orders = IntStream.range(0, 12).mapToObj(i -> "k-" + i).toList();
            for (String order : orders) {
                producing.send(new ProducerRecord<>(other.ingestTopic(), order, bytes(order(order, "new-" + order))));
            }
            producing.flush();
            long sent = System.nanoTime();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> committed(steady, other.topic()) == orders.size());
            System.out.printf("erasure flood: another domain's %d records with new subjects through in %d ms, %d of %d erasures applied by then%n",
                    orders.size(), (System.nanoTime() - sent) / 1_000_000, erased(mesh, erasureTopic), erasures);
            await().atMost(Duration.ofSeconds(60)).until(() -> erased(mesh, erasureTopic) == erasures);
            System.out.printf("erasure flood: all %d erasures applied %d ms after the other domain's records were sent%n", erasures,
                    (System.nanoTime() - sent) / 1_000_000);
        }
    }

    /** @return how many erasures of the topic the gate has applied (its erasure group's committed offsets) */
    private static long erased(EmbeddedMesh mesh, String erasureTopic) throws Exception {
        return mesh.admin().listConsumerGroupOffsets(SubjectErasures.GROUP).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(entry -> entry.getKey().topic().equals(erasureTopic) && entry.getValue() != null)
                .mapToLong(entry -> entry.getValue().offset()).sum();
    }

    /** @return how many committed records the topic holds now */
    private static int committed(MeshClientConfig domain, String topic) {
        var props = domain.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            int count = 0;
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    private static String order(String id, String customer) {
        return """
                {"orderId": "%s", "customerId": "%s", "customerEmail": "%s@example.com", "shippingAddress": "1 Main Street",
                 "country": "FR", "amount": 5, "currency": "EUR", "items": 1, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(id, customer, customer);
    }

    /** A KMS whose every wrap and unwrap takes a network round trip, as a remote KMS's would. */
    private record SlowKms(KmsClient kms, Duration roundTrip) implements KmsClient {

        @Override
        public boolean doesSupport(String keyUri) {
            return kms.doesSupport(keyUri);
        }

        @Override
        public KmsClient withCredentials(String credentialPath) {
            return this;
        }

        @Override
        public KmsClient withDefaultCredentials() {
            return this;
        }

        @Override
        public Aead getAead(String keyUri) throws GeneralSecurityException {
            Aead kek = kms.getAead(keyUri);
            return new Aead() {
                @Override
                public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
                    pause();
                    return kek.encrypt(plaintext, associatedData);
                }

                @Override
                public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
                    pause();
                    return kek.decrypt(ciphertext, associatedData);
                }
            };
        }

        private void pause() {
            try {
                Thread.sleep(roundTrip.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void flood(KafkaProducer<String, byte[]> producer, ProductAddress product, int partition, int from, int to) {
        for (int i = from; i < to; i++) {
            String key = "f-" + partition + "-" + i;
            producer.send(new ProducerRecord<>(product.ingestTopic(), partition, key, bytes(GateIT.json(key, 5))));
        }
        producer.flush();
    }

    private static String reason(ConsumerRecord<String, byte[]> record) {
        return new String(record.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8);
    }

    /** @return the config of the product's domain, the demo order contract published, catalogued, and its ingest topic writable */
    private static MeshClientConfig catalogued(EmbeddedMesh mesh, ProductAddress address) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, address.domain());
        mesh.admin().createAcls(List.of(writeIngest(domain, address))).all().get();
        GateIT.catalogue(mesh, domain, address);
        return domain;
    }

    private static AclBinding writeIngest(MeshClientConfig domain, ProductAddress address) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, address.ingestTopic(), PatternType.LITERAL),
                new AccessControlEntry(domain.kafkaPrincipal(), "*", AclOperation.WRITE, AclPermissionType.ALLOW));
    }

    /** @return the configs set on the topic itself */
    private static Map<String, String> overrides(EmbeddedMesh mesh, String topic) throws Exception {
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return mesh.admin().describeConfigs(List.of(resource)).all().get().get(resource).entries().stream()
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
