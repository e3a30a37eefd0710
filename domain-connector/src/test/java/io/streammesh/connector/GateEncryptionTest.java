package io.streammesh.connector;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.crypto.tink.Aead;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.KeyLog;
import io.streammesh.keys.KeyLogUnavailable;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.QualityRule;
import io.streammesh.testing.MemoryKeyLog;
import io.streammesh.testing.PlainAvroSerdes;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateEncryptionTest {

    /** Each test's own: Kafka Streams' default (/tmp/kafka-streams) is shared by every build on the machine. */
    @TempDir
    Path streamsState;

    private static final String ADDRESS = "shop.order-placed.v1";
    private static final Schema ORDER = new Schema.Parser().parse(TestContracts.ORDER_SCHEMA);
    private static final long ORDER_ID = 1;
    private static final long AT = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    @TempDir
    Path keks;
    private final MemoryKeyLog keyLog = new MemoryKeyLog();
    /** Whether the key log is out of reach, as a broker that does not answer or an ACL taken away. */
    private boolean keyLogDown;
    private LocalKms kms;
    /** The key holders' clock: they read the key log again once {@link SubjectKeys#REFRESH_MS} have passed on it. */
    private long now = AT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, DataProduct> catalog;
    private TestInputTopic<String, byte[]> ingest;
    private TestOutputTopic<String, byte[]> product;
    private TestOutputTopic<String, byte[]> dlq;

    @BeforeEach
    void start() {
        start(Runnable::run);
    }

    /** @param keyWork where the gate's data keys are made ready: the stream thread itself, or a worker the test runs */
    private void start(Executor keyWork) {
        kms = new LocalKms(keks);
        ProductSchemas schemas = new ProductSchemas() {
            @Override
            public Schema schema(long contentId) {
                return ORDER;
            }

            @Override
            public Set<Long> versions(String subject) {
                return Set.of(ORDER_ID);
            }
        };
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "gate-encryption-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, streamsState.toString());
        var config = new GateConfig(new PlainAvroSerdes(), schemas, 64 * 1024, Duration.ofMinutes(2), keys());
        driver = new TopologyTestDriver(GateTopology.build(config, new SimpleMeterRegistry(), keyWork), props);
        catalog = driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), new PlainAvroSerdes().of(DataProduct.class).serializer());
        ingest = driver.createInputTopic(ADDRESS + ".ingest", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        product = driver.createOutputTopic(ADDRESS, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        dlq = driver.createOutputTopic(ADDRESS + ".dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void theListedFieldsReachTheProductEncryptedWithTheSubjectsKeyAndTheOthersInClear() throws Exception {
        ingest.pipeInput("o-1", json("o-1", "c-1", "ann@example.com", 12.5).getBytes(UTF_8));

        byte[] value = product.readValue();
        assertThat(new String(value, UTF_8)).doesNotContain("ann@example.com").doesNotContain("1 Main Street");
        GenericRecord order = decode(value);
        assertThat(order.get("orderId")).hasToString("o-1");
        assertThat(order.get("customerId")).hasToString("c-1");
        assertThat(order.get("customerEmail").toString()).startsWith(FieldCipher.PREFIX);
        var key = productKey("c-1");
        assertThat(FieldCipher.decrypt(key, order.get("customerEmail").toString(),
                FieldCipher.associatedData(ADDRESS, "customerEmail", "c-1"))).isEqualTo("ann@example.com");
        assertThat(FieldCipher.decrypt(key, order.get("shippingAddress").toString(),
                FieldCipher.associatedData(ADDRESS, "shippingAddress", "c-1"))).isEqualTo("1 Main Street");
    }

    @Test
    void recordsWhoseSubjectsHaveNoKeyYetWaitInOrderWhileTheKeysAreMadeReadyOffTheStreamThreadThenGoOnWithinMoments() throws Exception {
        driver.close();
        var worker = new ArrayDeque<Runnable>();
        start(worker::add);
        byte[] breach = json("o-3", "c-3", "cy@example.com", -1).getBytes(UTF_8);

        ingest.pipeInput("o-1", json("o-1", "c-1", "ann@example.com", 12.5).getBytes(UTF_8), AT);
        ingest.pipeInput("o-2", json("o-2", "c-2", "bob@example.com", 12.5).getBytes(UTF_8), AT);
        ingest.pipeInput("o-3", breach, AT);
        ingest.pipeInput("o-4", json("o-4", "c-1", "ann@example.com", 12.5).getBytes(UTF_8), AT);

        assertThat(keyLog.entries()).as("no key made on the stream thread").isEmpty();
        KeyValueStore<String, byte[]> waiting = driver.getKeyValueStore(GateTopology.PENDING);
        try (var all = waiting.all()) {
            assertThat(all).toIterable().hasSize(4).allSatisfy(entry -> assertThat(new String(entry.value, UTF_8))
                    .as("sealed: the store's changelog is on the broker's disks").doesNotContain("@example.com"));
        }
        assertThat(product.isEmpty()).isTrue();
        assertThat(dlq.isEmpty()).as("a breach waits for its subject's key too: its dead letter is sealed with it").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(product.isEmpty()).as("waiting for keys does not expire").isTrue();

        while (!worker.isEmpty()) {
            worker.poll().run();
        }
        driver.advanceWallClockTime(Duration.ofMillis(20));

        List<TestRecord<String, byte[]>> accepted = product.readRecordsToList();
        assertThat(accepted).extracting(TestRecord::key).containsExactly("o-1", "o-2", "o-4");
        assertThat(accepted).extracting(TestRecord::timestamp).containsOnly(AT);
        var key = productKey("c-2");
        assertThat(FieldCipher.decrypt(key, decode(accepted.get(1).value()).get("customerEmail").toString(),
                FieldCipher.associatedData(ADDRESS, "customerEmail", "c-2"))).isEqualTo("bob@example.com");
        TestRecord<String, byte[]> letter = dlq.readRecord();
        assertThat(letter.key()).isEqualTo("o-3");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.ENCRYPTED_WITH).value(), UTF_8)).isEqualTo("c-3");
        assertThat(productKey("c-3").decrypt(letter.value(),
                FieldCipher.associatedData(ADDRESS, RecordEncryption.WHOLE_VALUE, "c-3"))).isEqualTo(breach);
        assertThat(keyLog.entries()).extracting(MemoryKeyLog.Written::subject).containsExactly("c-1", "c-2", "c-3");
        try (var all = waiting.all()) {
            assertThat(all).toIterable().isEmpty();
        }

        ingest.pipeInput("o-5", json("o-5", "c-2", "bob@example.com", 12.5).getBytes(UTF_8), AT);
        assertThat(product.readKeyValue().key).as("a key at hand: at once").isEqualTo("o-5");
        assertThat(worker).isEmpty();
    }

    @Test
    void avroOfTheCurrentSchemaReachesTheProductWithTheListedFieldsEncryptedAndItsBreachesSealedWithTheSubjectsKey()
            throws Exception {
        byte[] badValue = GateTopologyTest.wire(ORDER_ID, order("o-2", "c-2", "bob@example.com", -1.0));
        ingest.pipeInput("o-1", GateTopologyTest.wire(ORDER_ID, order("o-1", "c-1", "ann@example.com", 12.5)));
        ingest.pipeInput("o-2", badValue);

        GenericRecord order = decode(product.readValue());
        assertThat(order.get("orderId")).hasToString("o-1");
        assertThat(order.get("amount")).isEqualTo(12.5);
        var key = productKey("c-1");
        assertThat(FieldCipher.decrypt(key, order.get("customerEmail").toString(),
                FieldCipher.associatedData(ADDRESS, "customerEmail", "c-1"))).isEqualTo("ann@example.com");
        TestRecord<String, byte[]> letter = dlq.readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.ENCRYPTED_WITH).value(), UTF_8)).isEqualTo("c-2");
        assertThat(productKey("c-2").decrypt(letter.value(),
                FieldCipher.associatedData(ADDRESS, RecordEncryption.WHOLE_VALUE, "c-2"))).isEqualTo(badValue);
    }

    @Test
    void aRecordOfAProductTheGatesCatalogDoesNotHaveYetWaitsSealedByThePlatformsKekNotTheDomainsThenFlowsEncrypted() throws Exception {
        String returns = "shop.order-returned.v1";
        var ingestOfReturns = driver.createInputTopic(returns + ".ingest", Serdes.String().serializer(), Serdes.ByteArray().serializer());

        ingestOfReturns.pipeInput("r-1", json("r-1", "c-1", "ann@example.com", 12.5).getBytes(UTF_8), AT);

        KeyValueStore<String, byte[]> waiting = driver.getKeyValueStore(GateTopology.PENDING);
        try (var all = waiting.all()) {
            assertThat(all).toIterable().hasSize(1).allSatisfy(entry -> assertThat(new String(entry.value, UTF_8))
                    .as("its contract may encrypt fields: the store's changelog is on the broker's disks").doesNotContain("@example.com"));
        }
        assertThat(keks.resolve(SubjectKeys.PLATFORM + ".kek.json")).exists();
        assertThat(keks.resolve("shop.kek.json")).as("the domain's KMS is not asked for a record to wait").doesNotExist();

        catalog.pipeInput(returns, entry(returns, ProductStatus.ACTIVE));
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        var productOfReturns = driver.createOutputTopic(returns, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        byte[] value = productOfReturns.readValue();
        assertThat(new String(value, UTF_8)).doesNotContain("ann@example.com");
        assertThat(FieldCipher.decrypt(ProductKey.of(keys().existing("shop", "c-1").orElseThrow(), returns),
                decode(value).get("customerEmail").toString(), FieldCipher.associatedData(returns, "customerEmail", "c-1")))
                .isEqualTo("ann@example.com");
    }

    @Test
    void aCiphertextMovedToAnotherRecordOrFieldDoesNotDecrypt() {
        ingest.pipeInput("o-1", json("o-1", "c-1", "ann@example.com", 12.5).getBytes(UTF_8));
        ingest.pipeInput("o-2", json("o-2", "c-2", "bob@example.com", 12.5).getBytes(UTF_8));
        String anns = decode(product.readValue()).get("customerEmail").toString();
        product.readValue();

        var keys = keys();
        assertThatThrownBy(() -> FieldCipher.decrypt(ProductKey.of(keys.existing("shop", "c-2").orElseThrow(), ADDRESS), anns,
                FieldCipher.associatedData(ADDRESS, "customerEmail", "c-2"))).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> FieldCipher.decrypt(ProductKey.of(keys.existing("shop", "c-1").orElseThrow(), ADDRESS), anns,
                FieldCipher.associatedData(ADDRESS, "shippingAddress", "c-1"))).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> FieldCipher.decrypt(ProductKey.of(keys.existing("shop", "c-1").orElseThrow(), ADDRESS), anns,
                FieldCipher.associatedData("shop.returns.v1", "customerEmail", "c-1"))).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void oneSubjectOneKeyWrappedOnTheDomainsKeyLog() {
        ingest.pipeInput("o-1", json("o-1", "c-1", "ann@example.com", 12.5).getBytes(UTF_8));
        ingest.pipeInput("o-2", json("o-2", "c-1", "ann@example.com", 3.0).getBytes(UTF_8));
        ingest.pipeInput("o-3", json("o-3", "c-2", "bob@example.com", 3.0).getBytes(UTF_8));

        assertThat(product.readValuesToList()).hasSize(3);
        assertThat(keyLog.entries()).extracting(MemoryKeyLog.Written::domain, MemoryKeyLog.Written::subject)
                .containsExactly(tuple("shop", "c-1"), tuple("shop", "c-2"));
    }

    @Test
    void aDeadLetterOfAnEncryptedProductIsEncryptedWholeWithItsSubjectsKeyOrWhenItNamesNoneWithTheDeadLetterKey() throws Exception {
        byte[] bad = json("o-1", "c-1", "ann@example.com", -1).getBytes(UTF_8);
        byte[] unreadable = "not json, ann@example.com".getBytes(UTF_8);
        ingest.pipeInput("o-1", bad);
        ingest.pipeInput("o-2", unreadable);

        List<TestRecord<String, byte[]>> letters = dlq.readRecordsToList();
        assertThat(letters).hasSize(2).allSatisfy(letter -> assertThat(new String(letter.value(), UTF_8)).doesNotContain("ann@example.com"));
        assertThat(letters).extracting(letter -> new String(letter.headers().lastHeader(DeadLetterHeaders.ENCRYPTED_WITH).value(), UTF_8))
                .containsExactly("c-1", "mesh.dead-letters|" + ADDRESS);
        assertThat(new String(letters.get(0).headers().lastHeader(DeadLetterHeaders.RULE).value(), UTF_8)).isEqualTo("positive-amount");
        assertThat(productKey("c-1").decrypt(letters.get(0).value(),
                FieldCipher.associatedData(ADDRESS, RecordEncryption.WHOLE_VALUE, "c-1"))).isEqualTo(bad);
        String subject = RecordEncryption.deadLetterSubject(ProductAddress.parse(ADDRESS));
        assertThat(productKey(subject).decrypt(letters.get(1).value(),
                FieldCipher.associatedData(ADDRESS, RecordEncryption.WHOLE_VALUE, subject))).isEqualTo(unreadable);
    }

    @Test
    void erasingASubjectLeavesItsDeadLettersUnreadableAndAnotherSubjectsReadable() {
        ingest.pipeInput("o-1", json("o-1", "c-1", "ann@example.com", -1).getBytes(UTF_8));
        ingest.pipeInput("o-2", json("o-2", "c-2", "bob@example.com", -1).getBytes(UTF_8));
        List<TestRecord<String, byte[]>> letters = dlq.readRecordsToList();

        SubjectKeys keys = keys();
        keys.erase("shop", "c-1");

        assertThat(keys.existing("shop", "c-1")).as("c-1's dead letter has no key left").isEmpty();
        assertThat(keys.existing("shop", "c-2")).hasValueSatisfying(key -> assertThatCode(() -> ProductKey.of(key, ADDRESS).decrypt(letters.get(1).value(),
                FieldCipher.associatedData(ADDRESS, RecordEncryption.WHOLE_VALUE, "c-2"))).doesNotThrowAnyException());
    }

    @Test
    void theReasonsOfAnEncryptedProductsDeadLettersNameTheFieldAndRuleButQuoteNoValue() {
        String secret = "ann@example.com";
        ingest.pipeInput("o-1", json("o-1", "c-1", secret, 12.5).replace("\"" + secret + "\"", "{\"inner\": \"" + secret + "\"}")
                .getBytes(UTF_8));
        ingest.pipeInput("o-2", (secret + " is not JSON").getBytes(UTF_8));
        ingest.pipeInput("o-3", json("o-3", "c-1", secret, 12.5).replace("\"FR\"", "\"" + secret + "\"").replace("\"EUR\"", "7")
                .getBytes(UTF_8));

        List<TestRecord<String, byte[]>> letters = dlq.readRecordsToList();
        assertThat(letters).extracting(letter -> new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                .containsExactly("neither Avro in the wire format nor a JSON object of the schema: field customerEmail: expected text",
                        "neither Avro in the wire format nor a JSON object of the schema: not JSON",
                        "neither Avro in the wire format nor a JSON object of the schema: field currency: expected text");
        assertThat(letters).allSatisfy(letter -> letter.headers().forEach(header ->
                assertThat(new String(header.value(), UTF_8)).as(header.key()).doesNotContain(secret).doesNotContain("inner")));
    }

    @Test
    void aRecordWhoseSubjectIsReservedTooLongOrHasControlCharactersIsDeadLetteredAndGetsNoKey() {
        String deadLetterSubject = RecordEncryption.deadLetterSubject(ProductAddress.parse(ADDRESS));
        ingest.pipeInput("o-1", json("o-1", deadLetterSubject, "ann@example.com", 12.5).getBytes(UTF_8));
        ingest.pipeInput("o-2", json("o-2", "c".repeat(257), "ann@example.com", 12.5).getBytes(UTF_8));
        ingest.pipeInput("o-3", json("o-3", "c-1\\u0007", "ann@example.com", 12.5).getBytes(UTF_8));

        assertThat(dlq.readRecordsToList()).extracting(
                letter -> new String(letter.headers().lastHeader(DeadLetterHeaders.RULE).value(), UTF_8),
                letter -> new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8)).containsExactly(
                tuple(DeadLetterHeaders.SUBJECT_RULE, "field customerId starts with 'mesh.', which is reserved for the platform's own keys"),
                tuple(DeadLetterHeaders.SUBJECT_RULE, "field customerId is 257 characters long; a data subject id may be at most 256"),
                tuple(DeadLetterHeaders.SUBJECT_RULE, "field customerId contains control character U+0007 (newlines, escape sequences "
                        + "and other control characters are not allowed)"));
        assertThat(product.isEmpty()).isTrue();
        assertThat(keyLog.entries()).extracting(MemoryKeyLog.Written::subject).containsOnly(deadLetterSubject);
    }

    @Test
    void aKeyLogOutageDeadLettersNothingFailsNothingAndTheRecordReachesTheProductWhenTheLogIsBack() {
        keyLogDown = true;
        byte[] order = json("o-1", "c-1", "ann@example.com", 12.5).getBytes(UTF_8);

        ingest.pipeInput("o-1", order, AT);
        ingest.pipeInput("o-2", json("o-2", "c-1", "ann@example.com", 12.5).getBytes(UTF_8), AT);
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        assertThat(dlq.isEmpty()).as("an outage is no verdict on a record").isTrue();
        assertThat(product.isEmpty()).isTrue();

        keyLogDown = false;
        now += PreparedKeys.PAUSE_MS;
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(product.readRecordsToList()).extracting(TestRecord::key).containsExactly("o-1", "o-2");
        assertThat(dlq.isEmpty()).isTrue();
    }

    /**
     * One oversized record of a domain whose key log or KMS is out of reach: its dead letter's key
     * cannot be had, and waiting for it on the stream thread (as before) failed the task, which
     * holds partition N of every domain's ingest topics, again at each retry.
     */
    @Test
    void anOversizedRecordWhileItsDomainsKeysAreOutOfReachWaitsForItsDeadLetterKeyRatherThanFailTheTask() throws Exception {
        keyLogDown = true;
        byte[] big = new byte[64 * 1024 + 10];
        Arrays.fill(big, (byte) 'x');

        ingest.pipeInput("o-big", big, AT);
        ingest.pipeInput("o-2", json("o-2", "c-1", "ann@example.com", 12.5).getBytes(UTF_8), AT);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(product.isEmpty()).as("behind it").isTrue();

        keyLogDown = false;
        now += PreparedKeys.PAUSE_MS;
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        TestRecord<String, byte[]> letter = dlq.readRecord();
        assertThat(letter.key()).isEqualTo("o-big");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.RULE).value(), UTF_8)).isEqualTo(DeadLetterHeaders.SIZE_RULE);
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                .startsWith("the value is " + big.length + " bytes, over the gate's limit of " + 64 * 1024 + " bytes");
        String subject = RecordEncryption.deadLetterSubject(ProductAddress.parse(ADDRESS));
        assertThat(productKey(subject).decrypt(letter.value(), FieldCipher.associatedData(ADDRESS, RecordEncryption.WHOLE_VALUE, subject)))
                .as("its first bytes, as the dead-letter topic keeps them").isEqualTo(Arrays.copyOf(big, 64 * 1024));
        assertThat(product.readRecordsToList()).extracting(TestRecord::key).containsExactly("o-2");
    }

    /**
     * Past the limit, with its domain's keys out of reach and no dead-letter key had, a record is
     * decided for the dead-letter topic and waits for that key, and so does every later record of
     * its partition (none may reach the product after one dead-lettered before it); as many again
     * may wait so, past which a dead letter is written at once without its value. Before, the gate
     * waited for the key on the stream thread and failed the task every domain's partition shares.
     */
    @Test
    void pastTheLimitWhileItsDomainsKeysAreOutOfReachRecordsWaitDecidedForTheDeadLetterTopicUpToTwiceTheLimitThenWithoutTheirValue() {
        keyLogDown = true;
        int limit = GateProcessor.PENDING_RECORDS;
        for (int i = 0; i < 2 * limit; i++) {
            ingest.pipeInput("o-" + i, json("o-" + i, "c-" + i % 3, "ann@example.com", 12.5).getBytes(UTF_8), AT);
        }
        assertThat(dlq.isEmpty()).as("waiting, the task going on").isTrue();

        ingest.pipeInput("o-withheld", json("o-withheld", "c-1", "ann@example.com", 12.5).getBytes(UTF_8), AT);

        TestRecord<String, byte[]> withheld = dlq.readRecord();
        assertThat(withheld.key()).isEqualTo("o-withheld");
        assertThat(withheld.value()).isNull();
        assertThat(new String(withheld.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                .startsWith("its data subject's key is being made ready, and an earlier record of its ingest partition 0 was dead-lettered")
                .contains("; its dead letter cannot be sealed now, and " + 2 * limit + " records of its ingest partition (")
                .endsWith(": its value is not kept, produce it again");

        keyLogDown = false;
        now += PreparedKeys.PAUSE_MS;
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        assertThat(product.readRecordsToList()).extracting(TestRecord::key)
                .containsExactlyElementsOf(IntStream.range(0, limit).mapToObj(i -> "o-" + i).toList());
        List<TestRecord<String, byte[]>> letters = dlq.readRecordsToList();
        assertThat(letters).extracting(TestRecord::key)
                .containsExactlyElementsOf(IntStream.range(limit, 2 * limit).mapToObj(i -> "o-" + i).toList());
        assertThat(new String(letters.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                .startsWith("its data subject's key is being made ready, and " + limit + " records of its ingest partition 0");
        String subject = RecordEncryption.deadLetterSubject(ProductAddress.parse(ADDRESS));
        assertThat(letters).allSatisfy(letter -> assertThat(new String(letter.value(), UTF_8)).doesNotContain("example.com"));
        assertThat(new String(letters.get(0).headers().lastHeader(DeadLetterHeaders.ENCRYPTED_WITH).value(), UTF_8)).isEqualTo(subject);
    }

    @Test
    void pastTheLimitARecordIsDeadLetteredAtOnceWithTheDeadLetterKeyTheGateHadThoughItsDomainsKeysAreNowOutOfReach() throws Exception {
        ingest.pipeInput("o-none", json("o-none", "", "ann@example.com", 12.5).getBytes(UTF_8), AT);
        assertThat(dlq.readRecordsToList()).as("sealed with the product's dead-letter key").hasSize(1);
        keyLogDown = true;
        now += SubjectKeys.REFRESH_MS;
        for (int i = 0; i < GateProcessor.PENDING_RECORDS; i++) {
            ingest.pipeInput("o-" + i, json("o-" + i, "c-1", "ann@example.com", 12.5).getBytes(UTF_8), AT);
        }

        ingest.pipeInput("o-over", json("o-over", "c-1", "ann@example.com", 12.5).getBytes(UTF_8), AT);
        ingest.pipeInput("o-behind", json("o-behind", "c-2", "bob@example.com", 12.5).getBytes(UTF_8), AT);

        List<TestRecord<String, byte[]>> letters = dlq.readRecordsToList();
        assertThat(letters).extracting(TestRecord::key).containsExactly("o-over", "o-behind");
        assertThat(new String(letters.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                .startsWith("its data subject's key is being made ready, and " + GateProcessor.PENDING_RECORDS + " records of its ingest partition 0");
        String subject = RecordEncryption.deadLetterSubject(ProductAddress.parse(ADDRESS));
        assertThat(letters).allSatisfy(letter -> assertThat(new String(letter.value(), UTF_8)).doesNotContain("example.com"));
        keyLogDown = false;
        assertThat(productKey(subject).decrypt(letters.get(0).value(), FieldCipher.associatedData(ADDRESS, RecordEncryption.WHOLE_VALUE,
                subject))).isEqualTo(json("o-over", "c-1", "ann@example.com", 12.5).getBytes(UTF_8));

        now += PreparedKeys.PAUSE_MS;
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(product.readRecordsToList()).hasSize(GateProcessor.PENDING_RECORDS);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void aRecordWithoutASubjectIsDeadLetteredNamingTheSubjectField() {
        ingest.pipeInput("o-1", json("o-1", "", "ann@example.com", 12.5).getBytes(UTF_8));

        TestRecord<String, byte[]> letter = dlq.readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.RULE).value(), UTF_8)).isEqualTo(DeadLetterHeaders.SUBJECT_RULE);
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                .isEqualTo("field customerId names the data subject whose key encrypts customerEmail, shippingAddress; it is empty");
        assertThat(product.isEmpty()).isTrue();
    }

    @Test
    void aSubjectWhoseKeyEntryDoesNotUnwrapCostsThatRecordAloneAndTheNextFlows() {
        ingest.pipeInput("o-1", json("o-1", "c-1", "ann@example.com", 12.5).getBytes(UTF_8));
        product.readValue();
        byte[] foreign = keyLog.entries().get(0).value();
        keyLog.append(new MemoryKeyLog.Written("shop", "c-9", foreign));
        keyLog.append(new MemoryKeyLog.Written("shop", RecordEncryption.deadLetterSubject(ProductAddress.parse(ADDRESS)), foreign));
        now += SubjectKeys.REFRESH_MS;

        ingest.pipeInput("o-9", json("o-9", "c-9", "eve@example.com", 12.5).getBytes(UTF_8));
        ingest.pipeInput("o-2", json("o-2", "c-2", "bob@example.com", 12.5).getBytes(UTF_8));

        TestRecord<String, byte[]> letter = dlq.readRecord();
        assertThat(letter.key()).isEqualTo("o-9");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.RULE).value(), UTF_8)).isEqualTo(DeadLetterHeaders.ENCRYPTION_RULE);
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), UTF_8))
                .isEqualTo("the data key of the subject in field customerId is on the key log but cannot be unwrapped with the domain's "
                        + "key-encryption key");
        assertThat(new String(letter.value(), UTF_8)).doesNotContain("eve@example.com");
        assertThat(product.readKeyValue().key).isEqualTo("o-2");
    }

    @Test
    void anErasedSubjectsNextRecordGetsAFreshKey() throws Exception {
        ingest.pipeInput("o-1", json("o-1", "c-1", "ann@example.com", 12.5).getBytes(UTF_8));
        String before = decode(product.readValue()).get("customerEmail").toString();

        keys().erase("shop", "c-1");
        now += SubjectKeys.REFRESH_MS;
        ingest.pipeInput("o-2", json("o-2", "c-1", "ann@example.com", 12.5).getBytes(UTF_8));

        String after = decode(product.readValue()).get("customerEmail").toString();
        var fresh = productKey("c-1");
        assertThat(FieldCipher.decrypt(fresh, after, FieldCipher.associatedData(ADDRESS, "customerEmail", "c-1"))).isEqualTo("ann@example.com");
        assertThatThrownBy(() -> FieldCipher.decrypt(fresh, before, FieldCipher.associatedData(ADDRESS, "customerEmail", "c-1")))
                .isInstanceOf(GeneralSecurityException.class);
        assertThat(keyLog.entries()).extracting(MemoryKeyLog.Written::subject).containsExactly("c-1", "c-1", "c-1");
    }

    /** @return the subject's key for the product, as the gate encrypts with it */
    private Aead productKey(String subject) {
        return ProductKey.of(keys().existing("shop", subject).orElseThrow(), ADDRESS);
    }

    private SubjectKeys keys() {
        KeyLog reader = keyLog.reader();
        KeyLog outageAware = new KeyLog() {
            @Override
            public void catchUp(String domain, Entry entries) {
                reachable(domain);
                reader.catchUp(domain, entries);
            }

            @Override
            public void write(String domain, String subject, byte[] value) {
                reachable(domain);
                reader.write(domain, subject, value);
            }

            @Override
            public void close() {
                reader.close();
            }
        };
        return new SubjectKeys(outageAware, kms, LocalKms::uri, kms::version, () -> now);
    }

    private void reachable(String domain) {
        if (keyLogDown) {
            throw new KeyLogUnavailable("cannot read " + MeshTopics.keys(domain) + ": the broker does not answer", null);
        }
    }

    private static DataProduct entry(ProductStatus status) {
        return entry(ADDRESS, status);
    }

    private static DataProduct entry(String address, ProductStatus status) {
        var registration = ProductRegistration.newBuilder().setAddress(address).setDomain("shop")
                .setName(ProductAddress.parse(address).product())
                .setVersion("1.0.0").setOwner(Owner.newBuilder().setTeam("t").setPrincipal("User:shop").setContact("c").build())
                .setSchemaSubject(address + "-value").setSchemaVersion(1).setSchemaContentId(ORDER_ID)
                .setQualityRules(List.of(new QualityRule("positive-amount", "record.amount > 0")))
                .setEncryption(new ProductEncryption("customerId", List.of("customerEmail", "shippingAddress")))
                .setRetired(status == ProductStatus.RETIRED).setPublishedAt(Instant.ofEpochMilli(AT)).build();
        return DataProduct.newBuilder().setAddress(address).setDomain("shop").setRegistration(registration).setStatus(status)
                .setFirstPublishedAt(Instant.ofEpochMilli(AT)).setUpdatedAt(Instant.ofEpochMilli(AT)).build();
    }

    private static String json(String id, String customer, String email, double amount) {
        return """
                {"orderId": "%s", "customerId": "%s", "customerEmail": "%s", "shippingAddress": "1 Main Street",
                 "country": "FR", "amount": %s, "currency": "EUR", "items": 1, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(id, customer, email, amount);
    }

    private static GenericRecord decode(byte[] value) {
        try {
            return new GenericDatumReader<GenericRecord>(ORDER).read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GenericRecord order(String id, String customer, String email, double amount) {
        var order = new GenericData.Record(ORDER);
        order.put("orderId", id);
        order.put("customerId", customer);
        order.put("customerEmail", email);
        order.put("shippingAddress", "1 Main Street");
        order.put("country", "FR");
        order.put("amount", amount);
        order.put("currency", "EUR");
        order.put("items", 1);
        order.put("placedAt", AT);
        return order;
    }
}
