package io.streammesh.enforcer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.Aead;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.KeyLog;
import io.streammesh.keys.KeyLogUnavailable;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.testing.MemoryKeyLog;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.EncryptedFields;
import io.streammesh.schema.Mask;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewAccess;
import io.streammesh.schema.ViewSchemas;
import io.streammesh.testing.PlainAvroSerdes;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The views of a product whose contract encrypts customerEmail and shippingAddress per customerId. */
class ViewDecryptionTest {

    @TempDir
    Path dir;

    private static final PlainAvroSerdes SERDES = new PlainAvroSerdes();
    private static final String ADDRESS = "shop.order-placed.v1";
    private static final String VIEW = "mesh.view." + ADDRESS + ".analytics";
    /** A product of another domain, encrypted alike. */
    private static final String OTHER = "ops.order-placed.v1";
    private static final ProductEncryption ENCRYPTION = new ProductEncryption("customerId", List.of("customerEmail", "shippingAddress"));

    private Schema schema;
    private TopologyTestDriver driver;
    private long now = 1_000_000;
    private final MemoryKeyLog log = new MemoryKeyLog();
    /** Domains whose key log the enforcer cannot read now. */
    private final Set<String> keyLogsDown = ConcurrentHashMap.newKeySet();
    /** Where the enforcer's keys are made ready: at once, on the caller's thread, unless a test steps it. */
    private Executor keyWorker = Runnable::run;
    /** The gate's keys, which create data keys and erase subjects. */
    private SubjectKeys gateKeys;
    private TestInputTopic<String, byte[]> product;

    @BeforeEach
    void start() throws Exception {
        schema = ViewAppITCatalog.orderSchema();
        var kms = new LocalKms(dir.resolve("keks"));
        gateKeys = new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now);
        KeyLog read = log.reader();
        KeyLog outages = new KeyLog() {
            @Override
            public void catchUp(String domain, Entry entries) {
                if (keyLogsDown.contains(domain)) {
                    throw new KeyLogUnavailable("cannot read mesh.keys." + domain + ": the broker does not answer", null);
                }
                read.catchUp(domain, entries);
            }

            @Override
            public void write(String domain, String subject, byte[] value) {
                read.write(domain, subject, value);
            }

            @Override
            public void close() {
                read.close();
            }
        };
        SubjectKeys enforcerKeys = new SubjectKeys(outages, kms, LocalKms::uri, kms::version, () -> now);
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "views-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
        driver = new TopologyTestDriver(ViewTopology.build(SERDES, plainAvro(), new Prepared(), "secret".getBytes(UTF_8),
                PreparedKeys.reading(enforcerKeys, work -> keyWorker.execute(work)), new SimpleMeterRegistry()), props);
        product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void theViewFiltersAndHashesTheDecryptedFieldsAndPassesTheOthersAsTheProductsCiphertext() throws Exception {
        catalog("record.customerEmail.endsWith('@example.com')", Map.of("customerEmail", "hash"));
        GenericRecord ann = order("o-1", "c-1", "ann@example.com");
        product.pipeInput("o-1", AvroBytes.encode(ann));
        product.pipeInput("o-2", AvroBytes.encode(order("o-2", "c-2", "bob@elsewhere.org")));

        List<TestRecord<String, byte[]>> out = viewRecords();
        assertThat(out).hasSize(1);
        GenericRecord view = AvroBytes.decode(out.get(0).value(), viewSchema(Map.of("customerEmail", "hash")));
        assertThat(view.get("orderId")).hasToString("o-1");
        assertThat(view.get("customerEmail").toString()).hasSize(64);
        assertThat(view.get("shippingAddress")).hasToString(ann.get("shippingAddress").toString());
        assertThat(FieldCipher.decrypt(productKey("c-1"), view.get("shippingAddress").toString(),
                FieldCipher.associatedData(ADDRESS, "shippingAddress", "c-1"))).isEqualTo("1 Main Street");
        assertThat(new String(out.get(0).value(), UTF_8)).doesNotContain("ann@example.com", "Main Street");
        assertThat(out.get(0).headers().lastHeader(EncryptedFields.ERASED_HEADER)).isNull();
    }

    @Test
    void anEncryptedMaskPassesTheCiphertextBoundToTheProduct() throws Exception {
        catalog(null, Map.of("customerEmail", "encrypted"));
        GenericRecord ann = order("o-1", "c-1", "ann@example.com");
        product.pipeInput("o-1", AvroBytes.encode(ann));

        GenericRecord view = AvroBytes.decode(viewRecords().get(0).value(), viewSchema(Map.of("customerEmail", "encrypted")));
        assertThat(view.get("customerEmail")).hasToString(ann.get("customerEmail").toString());
        assertThat(FieldCipher.decrypt(productKey("c-1"), view.get("customerEmail").toString(),
                FieldCipher.associatedData(ADDRESS, "customerEmail", "c-1"))).isEqualTo("ann@example.com");
    }

    @Test
    void theHashOfAnEncryptedFieldIsKeyedPerSubjectSoTheSameAddressOfTwoSubjectsCannotBeMatched() throws Exception {
        catalog(null, Map.of("customerEmail", "hash"));
        product.pipeInput("o-1", AvroBytes.encode(order("o-1", "c-1", "same@example.com")));
        product.pipeInput("o-2", AvroBytes.encode(order("o-2", "c-2", "same@example.com")));
        product.pipeInput("o-3", AvroBytes.encode(order("o-3", "c-1", "same@example.com")));

        List<String> hashes = viewRecords().stream()
                .map(r -> AvroBytes.decode(r.value(), viewSchema(Map.of("customerEmail", "hash"))).get("customerEmail").toString()).toList();
        assertThat(hashes.get(0)).isEqualTo(hashes.get(2)).isNotEqualTo(hashes.get(1))
                .isNotEqualTo(productHash("same@example.com"));
    }

    @Test
    void anErasedSubjectsEncryptedFieldsAreNullWithAHeaderAndAnotherSubjectIsUntouched() {
        catalog(null, Map.of("customerEmail", "hash"));
        byte[] before = AvroBytes.encode(order("o-1", "c-1", "ann@example.com"));
        byte[] other = AvroBytes.encode(order("o-2", "c-2", "bob@example.com"));
        gateKeys.erase("shop", "c-1");
        now += SubjectKeys.REFRESH_MS;

        product.pipeInput("o-1", before);
        product.pipeInput("o-2", other);

        List<TestRecord<String, byte[]>> out = viewRecords();
        Schema viewSchema = viewSchema(Map.of("customerEmail", "hash"));
        assertThat(assertErased(out.get(0), viewSchema).get("orderId")).hasToString("o-1");
        GenericRecord intact = AvroBytes.decode(out.get(1).value(), viewSchema);
        assertThat(intact.get("customerEmail").toString()).hasSize(64);
        assertThat(intact.get("shippingAddress").toString()).startsWith(FieldCipher.PREFIX);
        assertThat(out.get(1).headers().lastHeader(EncryptedFields.ERASED_HEADER)).isNull();
    }

    @Test
    void aRecordWrittenBeforeAnErasureStaysErasedOnceALaterRecordGaveTheSubjectAFreshKeyWhichHashesAnew() {
        catalog(null, Map.of("customerEmail", "hash"));
        byte[] before = AvroBytes.encode(order("o-1", "c-1", "ann@example.com"));
        gateKeys.erase("shop", "c-1");
        byte[] after = AvroBytes.encode(order("o-2", "c-1", "ann@example.com"));
        now += SubjectKeys.REFRESH_MS;

        product.pipeInput("o-1", before);
        product.pipeInput("o-2", after);

        List<TestRecord<String, byte[]>> out = viewRecords();
        Schema viewSchema = viewSchema(Map.of("customerEmail", "hash"));
        assertThat(out).extracting(TestRecord::key).as("neither goes to the dead letters as forged").containsExactly("o-1", "o-2");
        assertErased(out.get(0), viewSchema);
        GenericRecord fresh = AvroBytes.decode(out.get(1).value(), viewSchema);
        assertThat(fresh.get("customerEmail").toString()).hasSize(64);
        assertThat(out.get(1).headers().lastHeader(EncryptedFields.ERASED_HEADER)).isNull();
    }

    @Test
    void theSameAddressHashesDifferentlyUnderTheSubjectsFreshKeySoItCannotBeLinkedToTheErasedRecords() {
        catalog(null, Map.of("customerEmail", "hash"));
        product.pipeInput("o-1", AvroBytes.encode(order("o-1", "c-1", "ann@example.com")));
        gateKeys.erase("shop", "c-1");
        product.pipeInput("o-2", AvroBytes.encode(order("o-2", "c-1", "ann@example.com")));

        List<String> hashes = viewRecords().stream()
                .map(r -> AvroBytes.decode(r.value(), viewSchema(Map.of("customerEmail", "hash"))).get("customerEmail").toString()).toList();
        assertThat(hashes).hasSize(2);
        assertThat(hashes.get(1)).hasSize(64).isNotEqualTo(hashes.get(0));
    }

    @Test
    void aRecordWithOneFieldOfAnErasedKeyAndAnotherOfTheCurrentOneGoesToTheDeadLettersAsTamperedWith() {
        catalog(null, Map.of("customerEmail", "hash"));
        GenericRecord before = order("o-1", "c-1", "ann@example.com");
        gateKeys.erase("shop", "c-1");
        GenericRecord mixed = order("o-1", "c-1", "ann@new.example");
        mixed.put("customerEmail", before.get("customerEmail"));
        now += SubjectKeys.REFRESH_MS;

        product.pipeInput("o-1", AvroBytes.encode(mixed));

        assertThat(viewRecords()).isEmpty();
        var dead = driver.createOutputTopic(MeshTopics.deadLetter(VIEW), Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                .startsWith("fields [customerEmail] are of an erased data key of subject c-1 and the record's other encrypted fields of its "
                        + "current one");
    }

    @Test
    void aFilterOnAnErasedFieldLeavesTheErasedSubjectsRowOutOfTheView() {
        catalog("!record.customerEmail.startsWith('skip-')", Map.of("customerEmail", "hash"));
        byte[] erased = AvroBytes.encode(order("o-1", "c-1", "ann@example.com"));
        byte[] other = AvroBytes.encode(order("o-2", "c-2", "bob@example.com"));
        gateKeys.erase("shop", "c-1");
        now += SubjectKeys.REFRESH_MS;

        product.pipeInput("o-1", erased);
        product.pipeInput("o-2", other);

        assertThat(viewRecords()).extracting(TestRecord::key).containsExactly("o-2");
        assertThat(driver.createOutputTopic(MeshTopics.deadLetter(VIEW), Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .isEmpty()).isTrue();
    }

    @Test
    void aProductRepublishedWithEncryptionHasItsViewsCompiledAnewWithTheEncryptedFieldsNullable() throws Exception {
        catalog(null, Map.of("customerEmail", "hash"), null);
        GenericRecord clear = ViewAppITCatalog.order(schema, "o-0", "FR");
        product.pipeInput("o-0", AvroBytes.encode(clear));
        catalog(null, Map.of("customerEmail", "hash"));
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(2));
        GenericRecord ann = order("o-1", "c-1", "ann@example.com");
        product.pipeInput("o-1", AvroBytes.encode(ann));

        List<TestRecord<String, byte[]>> out = viewRecords();
        assertThat(out).hasSize(2);
        GenericRecord encrypted = AvroBytes.decode(out.get(1).value(), viewSchema(Map.of("customerEmail", "hash")));
        assertThat(encrypted.get("shippingAddress")).hasToString(ann.get("shippingAddress").toString());
        assertThat(encrypted.get("customerEmail").toString()).hasSize(64).isNotEqualTo(productHash(ann.get("customerEmail").toString()));
    }

    @Test
    void aCiphertextMovedFromAnotherSubjectsRecordGoesToTheViewsDeadLettersWithoutCleartext() {
        catalog(null, Map.of("customerEmail", "hash"));
        GenericRecord bob = order("o-2", "c-2", "bob@example.com");
        GenericRecord forged = order("o-1", "c-1", "ann@example.com");
        forged.put("customerEmail", bob.get("customerEmail"));
        product.pipeInput("o-1", AvroBytes.encode(forged));

        assertThat(viewRecords()).isEmpty();
        var dead = driver.createOutputTopic(MeshTopics.deadLetter(VIEW), Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .readRecordsToList();
        assertThat(dead).hasSize(1);
        Header reason = dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON);
        assertThat(new String(reason.value(), UTF_8)).startsWith("field customerEmail does not decrypt with the data key of subject c-1 for "
                + ADDRESS);
        assertThat(new String(dead.get(0).value(), UTF_8)).doesNotContain("example.com");
    }

    @Test
    void recordsWhoseDomainsKeysCannotBeReadWaitInOrderWhileAnotherDomainsFlowAndAreViewedOnceTheKeysCome() {
        catalog(null, Map.of("customerEmail", "hash"));
        catalog(OTHER, "ops", null, Map.of("customerEmail", "hash"), ENCRYPTION);
        var other = driver.createInputTopic(OTHER, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        keyLogsDown.add("shop");

        product.pipeInput("o-1", AvroBytes.encode(order("o-1", "c-1", "ann@example.com")));
        product.pipeInput("o-2", AvroBytes.encode(order("o-2", "c-2", "bob@example.com")));
        other.pipeInput("p-1", AvroBytes.encode(order(OTHER, "ops", "p-1", "c-1", "cy@example.com")));

        assertThat(viewRecords()).as("waiting, not dead-lettered, and the task did not fail").isEmpty();
        assertThat(driver.createOutputTopic(MeshTopics.deadLetter(VIEW), Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .isEmpty()).isTrue();
        assertThat(driver.createOutputTopic("mesh.view." + OTHER + ".analytics", Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer()).readKeyValuesToMap().keySet()).as("another domain's keys are read meanwhile").containsExactly("p-1");

        keyLogsDown.remove("shop");
        now += PreparedKeys.PAUSE_MS;
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        product.pipeInput("o-3", AvroBytes.encode(order("o-3", "c-1", "ann@example.com")));

        List<TestRecord<String, byte[]>> out = viewRecords();
        assertThat(out).extracting(TestRecord::key).containsExactly("o-1", "o-2", "o-3");
        assertThat(AvroBytes.decode(out.get(0).value(), viewSchema(Map.of("customerEmail", "hash"))).get("customerEmail").toString())
                .hasSize(64);
    }

    @Test
    void aRecordThatWaitedForItsSubjectsKeyIsViewedWithinMomentsOfTheKeyBeingReadyThoughNoOtherRecordComes() {
        catalog(null, Map.of("customerEmail", "hash"));
        var steps = new ArrayDeque<Runnable>();
        keyWorker = steps::add;
        product.pipeInput("o-1", AvroBytes.encode(order("o-1", "c-1", "ann@example.com")));
        assertThat(viewRecords()).as("waiting for its key").isEmpty();

        steps.poll().run();
        driver.advanceWallClockTime(java.time.Duration.ofMillis(20));

        assertThat(viewRecords()).extracting(TestRecord::key).containsExactly("o-1");
    }

    @Test
    void pastThePartitionsBoundARecordGoesToItsViewsDeadLettersAndSoDoLaterOnesUntilNoneWaitsWhileAnotherDomainsFlow() {
        catalog(null, Map.of("customerEmail", "hash"));
        catalog(OTHER, "ops", null, Map.of("customerEmail", "hash"), ENCRYPTION);
        var other = driver.createInputTopic(OTHER, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        keyLogsDown.add("shop");
        byte[] record = AvroBytes.encode(order("o-1", "c-1", "ann@example.com"));
        for (int i = 0; i < ViewProcessor.KEY_WAIT_RECORDS; i++) {
            product.pipeInput("o-" + i, record);
        }

        product.pipeInput("o-over", record);
        other.pipeInput("p-1", AvroBytes.encode(order(OTHER, "ops", "p-1", "c-1", "cy@example.com")));
        product.pipeInput("o-behind", record);

        List<TestRecord<String, byte[]>> dead = deadLetters();
        assertThat(dead).extracting(TestRecord::key).containsExactly("o-over", "o-behind");
        assertThat(reason(dead.get(0))).matches("the data keys of domain shop cannot be made ready now, and "
                + ViewProcessor.KEY_WAIT_RECORDS + " records of partition 0 \\(\\d+ bytes\\) already wait for them: "
                + "the record is in the product, not in this view");
        assertThat(reason(dead.get(1))).startsWith("the data keys of domain shop cannot be made ready now, and an earlier record of "
                + "partition 0 went to the view's dead letters while " + ViewProcessor.KEY_WAIT_RECORDS + " records");
        assertThat(dead.get(0).value()).as("as it is in the product: still encrypted").isEqualTo(record);
        assertThat(viewRecords()).isEmpty();
        assertThat(driver.createOutputTopic("mesh.view." + OTHER + ".analytics", Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer()).readKeyValuesToMap().keySet()).as("the task goes on for other domains").containsExactly("p-1");

        keyLogsDown.remove("shop");
        now += PreparedKeys.PAUSE_MS;
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        product.pipeInput("o-after", record);

        List<TestRecord<String, byte[]>> out = viewRecords();
        assertThat(out).hasSize(ViewProcessor.KEY_WAIT_RECORDS + 1);
        assertThat(out.get(0).key()).isEqualTo("o-0");
        assertThat(out.get(ViewProcessor.KEY_WAIT_RECORDS).key()).as("held again once none waits").isEqualTo("o-after");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aDomainsRecordsWaitingForKeysAcrossItsProductsHaveABoundTooPastWhichTheyGoToTheirViewsDeadLetters() {
        List<String> addresses = List.of(ADDRESS, "shop.refunds.v1", "shop.returns.v1");
        addresses.forEach(address -> catalog(address, "shop", null, Map.of("customerEmail", "hash"), ENCRYPTION));
        keyLogsDown.add("shop");
        int[] sent = {ViewProcessor.KEY_WAIT_RECORDS, ViewProcessor.KEY_WAIT_RECORDS,
                ViewProcessor.DOMAIN_KEY_WAIT_RECORDS - 2 * ViewProcessor.KEY_WAIT_RECORDS};
        for (int p = 0; p < addresses.size(); p++) {
            var topic = driver.createInputTopic(addresses.get(p), Serdes.String().serializer(), Serdes.ByteArray().serializer());
            byte[] record = AvroBytes.encode(order(addresses.get(p), "shop", "o-1", "c-1", "ann@example.com"));
            for (int i = 0; i < sent[p]; i++) {
                topic.pipeInput("o-" + i, record);
            }
        }
        assertThat(deadLetters("mesh.view.shop.returns.v1.analytics")).isEmpty();

        driver.createInputTopic("shop.returns.v1", Serdes.String().serializer(), Serdes.ByteArray().serializer())
                .pipeInput("o-over", AvroBytes.encode(order("shop.returns.v1", "shop", "o-over", "c-1", "ann@example.com")));

        List<TestRecord<String, byte[]>> dead = deadLetters("mesh.view.shop.returns.v1.analytics");
        assertThat(dead).extracting(TestRecord::key).containsExactly("o-over");
        assertThat(reason(dead.get(0))).startsWith("the data keys of domain shop cannot be made ready now, and "
                + ViewProcessor.DOMAIN_KEY_WAIT_RECORDS + " records of domain shop's products (");

        keyLogsDown.remove("shop");
        now += PreparedKeys.PAUSE_MS;
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        assertThat(driver.createOutputTopic("mesh.view.shop.returns.v1.analytics", Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer()).readRecordsToList()).hasSize(sent[2]);
        keyLogsDown.add("shop");
        now += PreparedKeys.PAUSE_MS;
        driver.createInputTopic("shop.returns.v1", Serdes.String().serializer(), Serdes.ByteArray().serializer())
                .pipeInput("o-again", AvroBytes.encode(order("shop.returns.v1", "shop", "o-again", "c-7", "ann@example.com")));
        assertThat(deadLetters("mesh.view.shop.returns.v1.analytics")).as("the records viewed gave their room back").isEmpty();
    }

    private List<TestRecord<String, byte[]>> deadLetters() {
        return deadLetters(VIEW);
    }

    private List<TestRecord<String, byte[]>> deadLetters(String view) {
        return driver.createOutputTopic(MeshTopics.deadLetter(view), Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .readRecordsToList();
    }

    private static String reason(TestRecord<String, byte[]> deadLetter) {
        return new String(deadLetter.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8);
    }

    /** Asserts both encrypted fields of a view record null and named in its erased header; @return the record */
    private static GenericRecord assertErased(TestRecord<String, byte[]> record, Schema viewSchema) {
        GenericRecord erased = AvroBytes.decode(record.value(), viewSchema);
        assertThat(erased.get("customerEmail")).isNull();
        assertThat(erased.get("shippingAddress")).isNull();
        assertThat(new String(record.headers().lastHeader(EncryptedFields.ERASED_HEADER).value(), UTF_8))
                .isEqualTo("customerEmail,shippingAddress");
        return erased;
    }

    /** The hash an unencrypted field gets: keyed per product, not per subject. */
    private static String productHash(String value) throws Exception {
        var mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(ViewRecords.productKey("secret".getBytes(UTF_8), ADDRESS), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(value.getBytes(UTF_8)));
    }

    /** @return the subject's key for the product, as the gate encrypts with it */
    private Aead productKey(String subject) {
        return ProductKey.of(gateKeys.existing("shop", subject).orElseThrow(), ADDRESS);
    }

    /** A record as the gate writes it: the listed fields encrypted with the subject's key for the product. */
    private GenericRecord order(String id, String customer, String email) {
        return order(ADDRESS, "shop", id, customer, email);
    }

    private GenericRecord order(String address, String domain, String id, String customer, String email) {
        GenericRecord order = ViewAppITCatalog.order(schema, id, "FR");
        order.put("customerId", customer);
        try {
            var key = ProductKey.of(gateKeys.dataKey(domain, customer), address);
            order.put("customerEmail", FieldCipher.encrypt(key, email, FieldCipher.associatedData(address, "customerEmail", customer)));
            order.put("shippingAddress", FieldCipher.encrypt(key, "1 Main Street",
                    FieldCipher.associatedData(address, "shippingAddress", customer)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return order;
    }

    private List<TestRecord<String, byte[]>> viewRecords() {
        return driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readRecordsToList();
    }

    private Schema viewSchema(Map<String, String> masks) {
        Map<String, Mask> parsed = new LinkedHashMap<>();
        masks.forEach((field, mask) -> parsed.put(field, Mask.parse(mask)));
        ENCRYPTION.getFields().forEach(field -> parsed.putIfAbsent(field, new Mask(Mask.Kind.ENCRYPTED, 0)));
        return ViewSchemas.derive(schema, ADDRESS, "analytics", parsed, Set.copyOf(ENCRYPTION.getFields()));
    }

    private void catalog(String filter, Map<String, String> masks) {
        catalog(filter, masks, ENCRYPTION);
    }

    private void catalog(String filter, Map<String, String> masks, ProductEncryption encryption) {
        catalog(ADDRESS, "shop", filter, masks, encryption);
    }

    private void catalog(String address, String domain, String filter, Map<String, String> masks, ProductEncryption encryption) {
        DataProduct entry = ViewAppITCatalog.product(address, domain, 1L, masks);
        ProductRegistration registration = ProductRegistration.newBuilder(entry.getRegistration()).setEncryption(encryption)
                .setViews(List.of(ProductView.newBuilder().setName("analytics").setAccess(ViewAccess.OWNER_APPROVAL).setFilter(filter)
                        .setMasks(masks).build())).build();
        driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), SERDES.of(DataProduct.class).serializer())
                .pipeInput(address, DataProduct.newBuilder(entry).setRegistration(registration).build());
    }

    private static RecordFraming plainAvro() {
        Schema[] writer = new Schema[1];
        return new RecordFraming() {
            @Override
            public Schema writer(byte[] record) {
                if (writer[0] == null) {
                    try {
                        writer[0] = ViewAppITCatalog.orderSchema();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return writer[0];
            }

            @Override
            public int bodyOffset() {
                return 0;
            }
        };
    }

    /** Every view is prepared at once. */
    private static final class Prepared implements ViewPreparation {
        @Override
        public boolean topicsReady(String productTopic, String viewTopic) {
            return true;
        }

        @Override
        public Optional<String> topicsFailure(String viewTopic) {
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> header(String viewTopic, Schema viewSchema) {
            return Optional.of(new byte[0]);
        }

        @Override
        public long progress() {
            return 0;
        }
    }
}
