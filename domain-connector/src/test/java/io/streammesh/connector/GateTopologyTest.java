package io.streammesh.connector;

import io.streammesh.client.WaitingBudget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.schema.DeadLetterHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.keys.LocalKms;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.testing.MemoryKeyLog;
import io.streammesh.testing.PlainAvroSerdes;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.QualityRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateTopologyTest {

    /** Each test's own: Kafka Streams' default (/tmp/kafka-streams) is shared by every build on the machine. */
    @TempDir
    Path streamsState;

    private static final String ADDRESS = "shop.order-placed.v1";
    private static final Schema V1 = new Schema.Parser().parse(TestContracts.ORDER_SCHEMA);
    /** The current version: v1 and a channel with a default. */
    private static final Schema V2 = new Schema.Parser().parse(TestContracts.ORDER_SCHEMA.replace(
            "{\"name\": \"orderId\", \"type\": \"string\"},",
            "{\"name\": \"orderId\", \"type\": \"string\"}, {\"name\": \"channel\", \"type\": \"string\", \"default\": \"web\"},"));
    private static final Schema CUSTOMER = new Schema.Parser().parse("""
            {"type": "record", "name": "Customer", "fields": [{"name": "customerId", "type": "string"}]}""");
    private static final long V1_ID = 1;
    private static final long V2_ID = 2;
    private static final long CUSTOMER_ID = 7;
    /** A schema the registry may hold that is no record (any principal may register one under a subject of its own). */
    private static final long STRING_ID = 8;
    private static final int MAX_BYTES = 64 * 1024;
    private static final Duration PENDING_WAIT = Duration.ofMinutes(2);

    private GateConfig config;
    private static final long AT = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    @TempDir
    Path keks;
    private TopologyTestDriver driver;
    private TestInputTopic<String, DataProduct> catalog;
    private TestInputTopic<String, byte[]> ingest;
    private TestOutputTopic<String, byte[]> product;
    private TestOutputTopic<String, byte[]> dlq;

    @BeforeEach
    void start() {
        Map<Long, Schema> ids = Map.of(V1_ID, V1, V2_ID, V2, CUSTOMER_ID, CUSTOMER, STRING_ID, Schema.create(Schema.Type.STRING));
        Map<String, Set<Long>> subjects = Map.of(ADDRESS + "-value", Set.of(V1_ID, V2_ID), "shop.customer.v1-value", Set.of(CUSTOMER_ID));
        ProductSchemas schemas = new ProductSchemas() {
            @Override
            public Schema schema(long contentId) {
                return ids.get(contentId);
            }

            @Override
            public Set<Long> versions(String subject) {
                return subjects.getOrDefault(subject, Set.of());
            }
        };
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "gate-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, streamsState.toString());
        config = new GateConfig(new PlainAvroSerdes(), schemas, MAX_BYTES, PENDING_WAIT,
                new SubjectKeys(new MemoryKeyLog().reader(), new LocalKms(keks), LocalKms::uri, d -> 0, System::currentTimeMillis));
        driver = new TopologyTestDriver(GateTopology.build(config, meters, Runnable::run), props);
        catalog = driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(),
                new PlainAvroSerdes().of(DataProduct.class).serializer());
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
    void aJsonObjectThatKeepsTheContractBecomesAProductRecordWithTheCurrentSchemaId() {
        var headers = new RecordHeaders().add("trace", bytes("t-1"));
        ingest.pipeInput(new TestRecord<>("o-1", bytes(json("o-1", 12.5, "EUR", 2)), headers, AT));

        TestRecord<String, byte[]> out = product.readRecord();
        assertThat(out.key()).isEqualTo("o-1");
        assertThat(out.timestamp()).isEqualTo(AT);
        assertThat(out.headers().lastHeader("trace").value()).isEqualTo(bytes("t-1"));
        assertThat(schemaId(out.value())).isEqualTo(V2_ID);
        GenericRecord order = decode(out.value(), V2);
        assertThat(order.get("orderId")).hasToString("o-1");
        assertThat(order.get("channel")).hasToString("web");
        assertThat(order.get("amount")).isEqualTo(12.5);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void avroOfTheCurrentSchemaPassesByteForByte() {
        byte[] value = wire(V2_ID, order(V2, "o-2", 3.0, "USD", 1));

        ingest.pipeInput("o-2", value, AT);

        assertThat(product.readValue()).isEqualTo(value);
    }

    @Test
    void avroOfAnOlderVersionIsReadWithItsWriterSchemaAndWrittenWithTheCurrentOne() {
        ingest.pipeInput("o-3", wire(V1_ID, order(V1, "o-3", 3.0, "GBP", 1)), AT);

        byte[] out = product.readValue();
        assertThat(schemaId(out)).isEqualTo(V2_ID);
        GenericRecord order = decode(out, V2);
        assertThat(order.get("orderId")).hasToString("o-3");
        assertThat(order.get("channel")).hasToString("web");
    }

    @Test
    void anUnknownSchemaIdGoesToTheDeadLetterTopic() {
        ingest.pipeInput("o-4", wire(99, order(V2, "o-4", 3.0, "EUR", 1)), AT);

        assertThat(reason(dlq.readRecord())).isEqualTo("schema id 99 is not a registered version of shop.order-placed.v1-value "
                + "(an unknown id, or another product's schema)");
    }

    @Test
    void anotherProductsSchemaGoesToTheDeadLetterTopic() {
        var customer = new GenericData.Record(CUSTOMER);
        customer.put("customerId", "c-1");

        ingest.pipeInput("c-1", wire(CUSTOMER_ID, customer), AT);

        assertThat(reason(dlq.readRecord())).isEqualTo("schema id 7 is not a registered version of shop.order-placed.v1-value "
                + "(an unknown id, or another product's schema)");
    }

    @Test
    void avroBytesThatAreNotARecordOfTheirSchemaGoToTheDeadLetterTopic() {
        byte[] value = wire(V2_ID, order(V2, "o-5", 3.0, "EUR", 1));

        ingest.pipeInput("o-5", Arrays.copyOf(value, 9), AT);

        assertThat(reason(dlq.readRecord())).startsWith("not Avro of schema id 2 readable as the product's current schema: ");
    }

    @Test
    void avroOfTheCurrentSchemaIsCheckedWholeThoughOnlyTheRulesFieldsAreDecoded() {
        byte[] good = wire(V2_ID, order(V2, "o-11", 3.0, "USD", 1));
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        byte[] cut = Arrays.copyOf(good, good.length - 1);
        ingest.pipeInput("o-11", longer, AT);
        ingest.pipeInput("o-12", cut, AT);
        ingest.pipeInput("o-13", wire(V2_ID, order(V2, "o-13", -3.0, "USD", 1)), AT);
        ingest.pipeInput("o-14", wire(V2_ID, order(V2, "o-14", 3.0, "USD", 0)), AT);
        ingest.pipeInput("o-15", good, AT);

        List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(TestRecord::key).containsExactly("o-11", "o-12", "o-13", "o-14");
        assertThat(reason(dead.get(0))).isEqualTo("not Avro of schema id 2: bytes left over after the record");
        assertThat(reason(dead.get(1))).startsWith("not Avro of schema id 2 readable as the product's current schema: field ");
        assertThat(reason(dead.get(2))).isEqualTo("quality rule 'positive-amount' (record.amount > 0) is false");
        assertThat(reason(dead.get(3))).startsWith("quality rule 'per-item' failed: ");
        assertThat(product.readValuesToList()).containsExactly(good);
    }

    @Test
    void avroOfTheCurrentSchemaWithABrokenValueOfAFieldNoRuleReadsGoesToTheDeadLetterTopic() {
        GenericRecord order = order(V2, "o-16", 3.0, "USD", 1);
        byte[] value = wire(V2_ID, order);
        // the order id's length, a field no rule reads, claims more bytes than there are: its first byte
        // (the body's first) goes on into the id's first character, 'o', making it 7,167
        value[5] = (byte) 0xfe;

        ingest.pipeInput("o-16", value, AT);

        assertThat(reason(dlq.readRecord())).isEqualTo("not Avro of schema id 2 readable as the product's current schema: "
                + "field orderId: the record ends before its 7167 bytes");
        assertThat(product.isEmpty()).isTrue();
    }

    @Test
    void malformedJsonNonUtf8BytesAndWrongTypesGoToTheDeadLetterTopicWithTheirReason() {
        ingest.pipeInput("a", bytes("{\"orderId\": "), AT);
        ingest.pipeInput("b", new byte[] {(byte) 0xC3, (byte) 0x28, 0x7B}, AT);
        ingest.pipeInput("c", bytes(json("c", 1.0, "EUR", 1).replace("\"items\": 1", "\"items\": \"one\"")), AT);
        ingest.pipeInput("d", bytes("[1, 2]"), AT);

        List<String> reasons = dlq.readRecordsToList().stream().map(GateTopologyTest::reason).toList();
        assertThat(reasons).hasSize(4);
        assertThat(reasons.get(0)).startsWith("neither Avro in the wire format nor a JSON object of the schema: not JSON: ");
        assertThat(reasons.get(1)).isEqualTo("neither Avro in the wire format nor a JSON object of the schema: "
                + "not UTF-8 text: byte 1 (0xC3) starts no UTF-8 character");
        assertThat(reasons.get(2)).isEqualTo("neither Avro in the wire format nor a JSON object of the schema: "
                + "field items: expected a whole number within int range, got \"one\"");
        assertThat(reasons.get(3)).isEqualTo("neither Avro in the wire format nor a JSON object of the schema: "
                + "expected a JSON object, got array");
        assertThat(product.isEmpty()).isTrue();
    }

    @Test
    void aRecordThatBreaksARuleGoesToTheDeadLetterTopicWithTheRuleAndTheNextOneFlows() {
        var headers = new RecordHeaders().add("trace", bytes("t-9"));
        byte[] bad = bytes(json("o-6", -4.0, "EUR", 1));
        ingest.pipeInput(new TestRecord<>("o-6", bad, headers, AT));
        ingest.pipeInput("o-7", bytes(json("o-7", 4.0, "EUR", 1)), AT);

        TestRecord<String, byte[]> dead = dlq.readRecord();
        assertThat(dead.key()).isEqualTo("o-6");
        assertThat(dead.value()).isEqualTo(bad);
        assertThat(dead.timestamp()).isEqualTo(AT);
        assertThat(header(dead, "trace")).isEqualTo("t-9");
        assertThat(header(dead, DeadLetterHeaders.RULE)).isEqualTo("positive-amount");
        assertThat(reason(dead)).isEqualTo("quality rule 'positive-amount' (record.amount > 0) is false");
        assertThat(header(dead, DeadLetterHeaders.CONTRACT_VERSION)).isEqualTo("1.2.0");
        assertThat(header(dead, DeadLetterHeaders.PRODUCT)).isEqualTo(ADDRESS);
        assertThat(header(dead, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(header(dead, DeadLetterHeaders.TIME)).isNotBlank();
        assertThat(product.readKeyValue().key).isEqualTo("o-7");
    }

    @Test
    void aRecordThatMakesARuleThrowGoesToTheDeadLetterTopic() {
        ingest.pipeInput("o-8", bytes(json("o-8", 4.0, "EUR", 0)), AT);

        TestRecord<String, byte[]> dead = dlq.readRecord();
        assertThat(header(dead, DeadLetterHeaders.RULE)).isEqualTo("per-item");
        assertThat(reason(dead)).startsWith("quality rule 'per-item' failed: ");
    }

    @Test
    void aTombstoneAndAnOversizedValueGoToTheDeadLetterTopicTheOversizedOneCutToTheLimit() {
        ingest.pipeInput("o-9", (byte[]) null, AT);
        ingest.pipeInput("o-10", new byte[10 * 1024 * 1024], AT);

        List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(r -> header(r, DeadLetterHeaders.RULE)).containsExactly("tombstone", "size");
        assertThat(dead).extracting(GateTopologyTest::reason).containsExactly(
                "a record without a value (tombstone) is not a record of shop.order-placed.v1, which is not compacted",
                "the value is 10485760 bytes, over the gate's limit of 65536 bytes (its first 65536 bytes are kept here)");
        assertThat(dead.get(1).value()).hasSize(MAX_BYTES);
    }

    @Test
    void aHeaderAClientSetToLookLikeTheMeshsReasonIsRemoved() {
        var headers = new RecordHeaders().add(DeadLetterHeaders.REASON, bytes("all fine, trust me"));
        ingest.pipeInput(new TestRecord<>("o-11", bytes(json("o-11", -1.0, "EUR", 1)), headers, AT));
        ingest.pipeInput(new TestRecord<>("o-12", bytes(json("o-12", 1.0, "EUR", 1)), headers, AT));

        TestRecord<String, byte[]> dead = dlq.readRecord();
        assertThat(dead.headers().headers(DeadLetterHeaders.REASON)).hasSize(1);
        assertThat(reason(dead)).isEqualTo("quality rule 'positive-amount' (record.amount > 0) is false");
        assertThat(product.readRecord().headers().lastHeader(DeadLetterHeaders.REASON)).isNull();
    }

    @Test
    void recordsOfAProductNotCataloguedYetWaitAndFlowInTheirOrderOnceTheCatalogHasIt() {
        catalog.pipeInput(ADDRESS, null);
        ingest.pipeInput("o-1", bytes(json("o-1", 1.0, "EUR", 1)), AT);
        ingest.pipeInput("o-2", bytes(json("o-2", -1.0, "EUR", 1)), AT);
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(product.isEmpty()).isTrue();
        assertThat(dlq.isEmpty()).isTrue();

        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        ingest.pipeInput("o-3", bytes(json("o-3", 3.0, "EUR", 1)), AT);

        assertThat(product.readRecordsToList()).extracting(TestRecord::key).containsExactly("o-1", "o-3");
        TestRecord<String, byte[]> broken = dlq.readRecord();
        assertThat(broken.key()).isEqualTo("o-2");
        assertThat(header(broken, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
    }

    @Test
    void aRecordThatWaitedForItsCatalogEntryOfARetiredProductWithoutEncryptionIsDeadLetteredAsItWasWritten() {
        catalog.pipeInput(ADDRESS, null);
        byte[] order = bytes(json("o-1", 1.0, "EUR", 1));
        ingest.pipeInput("o-1", order, AT);
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        catalog.pipeInput(ADDRESS, entry(ProductStatus.RETIRED));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        TestRecord<String, byte[]> dead = dlq.readRecord();
        assertThat(dead.value()).as("its contract encrypts nothing: sealed only while it waited").isEqualTo(order);
        assertThat(dead.headers().lastHeader(DeadLetterHeaders.ENCRYPTED_WITH)).isNull();
    }

    @Test
    void waitingRecordsAreCheckedByTheGatesClockOnceTheCatalogHasTheirProductWithoutANewRecordKeepingTimestampAndHeaders() {
        catalog.pipeInput(ADDRESS, null);
        var headers = new RecordHeaders().add("trace-id", bytes("t-1")).add(DeadLetterHeaders.REASON, bytes("all fine, trust me"));
        ingest.pipeInput(new TestRecord<>("o-1", bytes(json("o-1", 1.0, "EUR", 1)), headers, AT));
        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE));

        driver.advanceWallClockTime(Duration.ofSeconds(2));

        TestRecord<String, byte[]> released = product.readRecord();
        assertThat(released.key()).isEqualTo("o-1");
        assertThat(released.timestamp()).isEqualTo(AT);
        assertThat(header(released, "trace-id")).isEqualTo("t-1");
        assertThat(released.headers().lastHeader(DeadLetterHeaders.REASON)).as("a forged reason, held with the record").isNull();
        assertThat(product.isEmpty()).isTrue();
    }

    /**
     * A product the catalog does not have cannot fill the gate's heap: beyond so many waiting
     * records of an ingest partition, or so many bytes, a record goes to the dead-letter topic at
     * once; those that waited go on, in order, once the catalog has the product.
     */
    @Test
    void aProductNotInTheCatalogHasAtMostSoManyRecordsAndBytesWaitingTheRestIsDeadLetteredAtOnce() {
        catalog.pipeInput(ADDRESS, null);
        for (int i = 0; i < GateProcessor.PENDING_RECORDS; i++) {
            ingest.pipeInput("o-" + i, bytes(json("o-" + i, 1.0, "EUR", 1)), AT);
        }
        assertThat(dlq.isEmpty()).isTrue();
        ingest.pipeInput("o-over", bytes(json("o-over", 1.0, "EUR", 1)), AT);

        TestRecord<String, byte[]> over = dlq.readRecord();
        assertThat(over.key()).isEqualTo("o-over");
        assertThat(reason(over)).startsWith("product " + ADDRESS + " is not in the catalog yet, and " + GateProcessor.PENDING_RECORDS
                + " records of its ingest partition 0 (").endsWith(" bytes) already wait for it: produce once the catalog has admitted it");
        assertThat(product.isEmpty()).isTrue();

        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(product.readRecordsToList()).extracting(TestRecord::key)
                .containsExactlyElementsOf(IntStream.range(0, GateProcessor.PENDING_RECORDS).mapToObj(i -> "o-" + i).toList());

        catalog.pipeInput(ADDRESS, null);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        // a value near the size limit each: the bytes run out long before the records
        int fit = 0;
        while (dlq.isEmpty()) {
            ingest.pipeInput("big-" + fit, new byte[MAX_BYTES - 200], AT);
            fit++;
        }
        assertThat(fit - 1L).as("records that waited")
                .isBetween(GateProcessor.PENDING_BYTES / MAX_BYTES - 1, GateProcessor.PENDING_BYTES / (MAX_BYTES - 200));
        assertThat(dlq.readRecord().key()).isEqualTo("big-" + (fit - 1));
        ingest.pipeInput("small", bytes(json("small", 1.0, "EUR", 1)), AT);
        assertThat(dlq.readRecord().key()).as("room for it, but it would wait behind one dead-lettered before it").isEqualTo("small");

        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(dlq.readRecordsToList()).as("those that waited, checked at last: no order's JSON").hasSize(fit - 1);
        ingest.pipeInput("after", bytes(json("after", 1.0, "EUR", 1)), AT);
        assertThat(product.readRecord().key()).as("none waits any more: the partition takes records again").isEqualTo("after");
    }

    /**
     * One domain cannot get round the limit of each ingest partition with many products (or
     * partitions): beyond so many waiting records of a domain's products in the gate, the
     * domain's next record is dead-lettered at once, and another domain's still wait.
     */
    @Test
    void aDomainHasAtMostSoManyRecordsWaitingAcrossItsProductsWhileAnotherDomainsStillWait() {
        catalog.pipeInput(ADDRESS, null);
        var second = driver.createInputTopic("shop.returns.v1.ingest", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var third = driver.createInputTopic("shop.refunds.v1.ingest", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var thirdDlq = driver.createOutputTopic("shop.refunds.v1.dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        var otherDomain = driver.createInputTopic("bank.payments.v1.ingest", Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        var otherDomainDlq = driver.createOutputTopic("bank.payments.v1.dlq", Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer());
        int rest = GateProcessor.DOMAIN_PENDING_RECORDS - 2 * GateProcessor.PENDING_RECORDS;
        for (int i = 0; i < GateProcessor.PENDING_RECORDS; i++) {
            ingest.pipeInput("o-" + i, bytes(json("o-" + i, 1.0, "EUR", 1)), AT);
            second.pipeInput("r-" + i, bytes("{}"), AT);
            if (i < rest) {
                third.pipeInput("f-" + i, bytes("{}"), AT);
            }
        }
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(thirdDlq.isEmpty()).isTrue();

        third.pipeInput("f-over", bytes("{}"), AT);
        otherDomain.pipeInput("p-1", bytes("{}"), AT);

        TestRecord<String, byte[]> over = thirdDlq.readRecord();
        assertThat(over.key()).isEqualTo("f-over");
        assertThat(reason(over)).startsWith("product shop.refunds.v1 is not in the catalog yet, and " + GateProcessor.DOMAIN_PENDING_RECORDS
                + " records of domain shop's products (").endsWith(" bytes) already wait in this gate: produce once the "
                + "catalog has admitted it");
        assertThat(otherDomainDlq.isEmpty()).as("another domain's record waits").isTrue();

        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(product.readRecordsToList()).hasSize(GateProcessor.PENDING_RECORDS);
        third.pipeInput("f-after", bytes("{}"), AT);
        assertThat(thirdDlq.readRecord().key()).as("it would wait behind one dead-lettered before it").isEqualTo("f-after");
        var fourth = driver.createInputTopic("shop.credits.v1.ingest", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var fourthDlq = driver.createOutputTopic("shop.credits.v1.dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        fourth.pipeInput("c-1", bytes("{}"), AT);
        assertThat(fourthDlq.isEmpty()).as("the released records made room in the domain's budget").isTrue();
    }

    /**
     * A gate task that starts on a store already holding waiting records (restored on another
     * instance, or revived, its processor initialised again) routes a partition's new record behind them, all in offset order.
     */
    @Test
    void recordsWaitingInTheStoreWhenTheTaskStartsGoOnFirstInOffsetOrder() {
        var context = new MockProcessorContext<byte[], Object>();
        KeyValueStore<String, byte[]> pending = stores(context);
        String partition = ADDRESS + ".ingest|0|";
        for (long offset : new long[] {10, 9}) {
            pending.put(partition + String.format("%019d", offset), new PendingRecord(0, offset, AT, AT, bytes("o-" + offset),
                    bytes(json("o-" + offset, 1.0, "EUR", 1)), new RecordHeaders(), false).toBytes());
        }
        var budget = new WaitingBudget(GateProcessor.DOMAIN_PENDING_RECORDS, GateProcessor.DOMAIN_PENDING_BYTES);
        var processor = new GateProcessor(config, new GateCounters(meters), budget, new CompiledContracts(config.schemas(), Runnable::run),
                new DeadLetterKeys(new PreparedKeys(config.keys(), Runnable::run), Runnable::run, () -> AT),
                new WaitingSeal(config.keys()));
        processor.init(context);
        // as Streams does with a task revived under exactly-once: the same instance, again
        processor.close();
        processor.init(context);
        processor.init(context);
        assertThat(budget.usage("shop").records()).as("counted once").isEqualTo(2);
        // the task taken up by another stream thread before this one's processor closed
        var successor = new GateProcessor(config, new GateCounters(meters), budget, new CompiledContracts(config.schemas(), Runnable::run),
                new DeadLetterKeys(new PreparedKeys(config.keys(), Runnable::run), Runnable::run, () -> AT),
                new WaitingSeal(config.keys()));
        successor.init(context);
        processor.close();
        assertThat(budget.usage("shop").records()).as("counted once, for the processor the task now has").isEqualTo(2);

        context.setCurrentSystemTimeMs(AT);
        context.setRecordMetadata(ADDRESS + ".ingest", 0, 11);
        successor.process(new Record<>(bytes("o-11"), bytes(json("o-11", 1.0, "EUR", 1)), AT));

        assertThat(context.forwarded()).extracting(GateTopologyTest::destination).containsOnly(ADDRESS);
        assertThat(context.forwarded()).extracting(forward -> new String(forward.record().key(), StandardCharsets.UTF_8))
                .containsExactly("o-9", "o-10", "o-11");
        assertThat(pending.approximateNumEntries()).isZero();
        assertThat(budget.usage("shop")).isEqualTo(WaitingBudget.Usage.NONE);
    }

    /**
     * A partition restored marked as dead-lettering (a record went to the dead-letter topic while
     * others waited before it), on a gate that has not had the product's dead-letter key yet (made
     * on a worker, not at hand at once): its next record is decided for the dead-letter topic and
     * waits for that key, rather than wait for its own turn at the product, which would let it reach
     * the product after a record dead-lettered before it.
     */
    @Test
    void aRecordOfAPartitionRestoredAsDeadLetteringIsDecidedForTheDeadLetterTopicThoughItsKeyIsNotAtHandYet() {
        var context = new MockProcessorContext<byte[], Object>();
        KeyValueStore<String, byte[]> pending = stores(context);
        String topic = "shop.refunds.v1.ingest";
        pending.put(topic + "|0|" + String.format("%019d", 9), new PendingRecord(0, 9, AT, AT, bytes("r-9"), bytes("{}"), new RecordHeaders(),
                false).toBytes());
        pending.put(topic + "|0|overflowed", new byte[0]);
        var keyWork = new ArrayDeque<Runnable>();
        var processor = new GateProcessor(config, new GateCounters(meters),
                new WaitingBudget(GateProcessor.DOMAIN_PENDING_RECORDS, GateProcessor.DOMAIN_PENDING_BYTES),
                new CompiledContracts(config.schemas(), Runnable::run),
                new DeadLetterKeys(new PreparedKeys(config.keys(), keyWork::add), keyWork::add, () -> AT), new WaitingSeal(config.keys()));
        processor.init(context);
        context.setCurrentSystemTimeMs(AT);
        context.setRecordMetadata(topic, 0, 10);

        processor.process(new Record<>(bytes("r-10"), bytes("{}"), AT));
        assertThat(context.forwarded()).as("waiting for the dead-letter key").isEmpty();
        while (!keyWork.isEmpty()) {
            keyWork.poll().run();
        }
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(AT + PENDING_WAIT.toMillis() + 1_000);

        // a dead letter is written once its key is at hand, before the records waiting ahead of it, as at once when it is
        assertThat(context.forwarded()).extracting(forward -> new String(forward.record().key(), StandardCharsets.UTF_8))
                .containsExactly("r-10", "r-9");
        assertThat(context.forwarded()).extracting(forward -> new String(forward.record().headers().lastHeader(DeadLetterHeaders.REASON)
                .value(), StandardCharsets.UTF_8)).satisfiesExactly(
                        reason -> assertThat(reason).startsWith("product shop.refunds.v1 is not in the catalog yet, and an earlier record of "
                                + "its ingest partition 0 was dead-lettered while 1 records"),
                        reason -> assertThat(reason).startsWith("product shop.refunds.v1 was not in the catalog within"));
    }

    /**
     * A record decided for the dead-letter topic restored from the store (the task moved while it
     * waited for its dead letter's key) is written as soon as that key is at hand, before the
     * records waiting ahead of it for their product's catalog entry, as before the move.
     */
    @Test
    void aRecordDecidedForTheDeadLetterTopicRestoredFromTheStoreIsWrittenBeforeTheRecordsWaitingAheadOfIt() {
        var context = new MockProcessorContext<byte[], Object>();
        KeyValueStore<String, byte[]> pending = stores(context);
        String topic = "shop.refunds.v1.ingest";
        pending.put(topic + "|0|" + String.format("%019d", 9), new PendingRecord(0, 9, AT, AT, bytes("r-9"), bytes("{}"), new RecordHeaders(),
                false).toBytes());
        pending.put(topic + "|0|" + String.format("%019d", 10), new PendingRecord(0, 10, AT, AT, bytes("r-10"), bytes("{}"), new RecordHeaders(),
                false).deadLettered(new DeadLetterReason(DeadLetterHeaders.PRODUCT_RULE, "decided"), bytes("{}")).toBytes());
        pending.put(topic + "|0|overflowed", new byte[0]);
        var processor = new GateProcessor(config, new GateCounters(meters),
                new WaitingBudget(GateProcessor.DOMAIN_PENDING_RECORDS, GateProcessor.DOMAIN_PENDING_BYTES),
                new CompiledContracts(config.schemas(), Runnable::run),
                new DeadLetterKeys(new PreparedKeys(config.keys(), Runnable::run), Runnable::run, () -> AT), new WaitingSeal(config.keys()));
        processor.init(context);
        context.setCurrentSystemTimeMs(AT + 1_000);

        context.scheduledPunctuators().get(0).getPunctuator().punctuate(AT + 1_000);

        assertThat(context.forwarded()).extracting(forward -> new String(forward.record().key(), StandardCharsets.UTF_8))
                .as("r-9 waits on for its product's catalog entry").containsExactly("r-10");
        assertThat(new String(context.forwarded().get(0).record().headers().lastHeader(DeadLetterHeaders.REASON).value(),
                StandardCharsets.UTF_8)).isEqualTo("decided");
    }

    /**
     * A record accepted as it is read goes to the products sink as Kafka Streams gave it (no copy),
     * a client's forged dead-letter header removed; one whose value the gate writes anew (JSON
     * in) goes there with the new value. Neither names a topic: the sink takes the ingest topic read.
     */
    @Test
    void aRecordAcceptedAsReadGoesToTheProductsSinkItselfAndARewrittenOneWithItsNewValue() {
        var context = new MockProcessorContext<byte[], Object>();
        stores(context);
        var processor = new GateProcessor(config, new GateCounters(meters),
                new WaitingBudget(GateProcessor.DOMAIN_PENDING_RECORDS, GateProcessor.DOMAIN_PENDING_BYTES), new CompiledContracts(config.schemas(), Runnable::run),
                new DeadLetterKeys(new PreparedKeys(config.keys(), Runnable::run), Runnable::run, () -> AT),
                new WaitingSeal(config.keys()));
        processor.init(context);
        context.setCurrentSystemTimeMs(AT);

        context.setRecordMetadata(ADDRESS + ".ingest", 0, 1);
        var avro = new Record<>(bytes("o-1"), wire(V2_ID, order(V2, "o-1", 3.0, "EUR", 1)), AT,
                new RecordHeaders().add(DeadLetterHeaders.RULE, bytes("forged")).add("trace", bytes("t-1")));
        processor.process(avro);
        context.setRecordMetadata(ADDRESS + ".ingest", 0, 2);
        byte[] json = bytes(json("o-2", 4.0, "EUR", 1));
        processor.process(new Record<>(bytes("o-2"), json, AT));

        assertThat(context.forwarded()).extracting(forward -> forward.childName().orElseThrow())
                .containsExactly(GateTopology.PRODUCTS, GateTopology.PRODUCTS);
        Record<?, ?> first = context.forwarded().get(0).record();
        assertThat(first).isSameAs(avro);
        assertThat(first.headers().lastHeader(DeadLetterHeaders.RULE)).isNull();
        assertThat(first.headers().lastHeader("trace").value()).isEqualTo(bytes("t-1"));
        byte[] rewritten = (byte[]) context.forwarded().get(1).record().value();
        assertThat(schemaId(rewritten)).isEqualTo(V2_ID);
        assertThat(decode(rewritten, V2).get("orderId")).hasToString("o-2");
    }

    @Test
    void theProductsSinkWritesEachIngestTopicsRecordsToItsOwnProductAndNoneOutsideTheProcessingOfOne() {
        var products = new GateTopology.ProductOfIngest();

        assertThat(products.extract(null, null, recordContext("shop.order-placed.v1.ingest"))).isEqualTo("shop.order-placed.v1");
        assertThat(products.extract(null, null, recordContext("bank.payments.v2.ingest"))).isEqualTo("bank.payments.v2");
        assertThat(products.extract(null, null, recordContext("shop.order-placed.v1.ingest"))).isEqualTo("shop.order-placed.v1");
        assertThatThrownBy(() -> products.extract(null, null, recordContext(null))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(GateTopology.PRODUCTS);
        assertThatThrownBy(() -> products.extract(null, null, recordContext("shop.order-placed.v1"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only ingest topics");
    }

    private static RecordContext recordContext(String topic) {
        return new ProcessorRecordContext(AT, 0, 0, topic, new RecordHeaders());
    }

    /**
     * A partition restored marked as dead-lettering, with no record waiting any more, takes
     * records again at once, not only after the next punctuation.
     */
    @Test
    void aPartitionMarkedAsDeadLetteringWithNothingWaitingTakesRecordsAgain() {
        var context = new MockProcessorContext<byte[], Object>();
        KeyValueStore<String, byte[]> pending = stores(context);
        pending.put("shop.returns.v1.ingest|0|overflowed", new byte[0]);
        var processor = new GateProcessor(config, new GateCounters(meters),
                new WaitingBudget(GateProcessor.DOMAIN_PENDING_RECORDS, GateProcessor.DOMAIN_PENDING_BYTES), new CompiledContracts(config.schemas(), Runnable::run),
                new DeadLetterKeys(new PreparedKeys(config.keys(), Runnable::run), Runnable::run, () -> AT),
                new WaitingSeal(config.keys()));
        processor.init(context);

        context.setCurrentSystemTimeMs(AT);
        context.setRecordMetadata("shop.returns.v1.ingest", 0, 4);
        processor.process(new Record<>(bytes("r-4"), bytes("{}"), AT));

        assertThat(context.forwarded()).as("it waits for its product").isEmpty();
        assertThat(pending.get("shop.returns.v1.ingest|0|overflowed")).isNull();
        assertThat(pending.approximateNumEntries()).isOne();
    }

    /**
     * An oversized record of a product not in the catalog yet goes to the dead-letter topic at
     * once, for its size; records of its partition that came after it follow it there while
     * earlier ones wait, so that none waits behind it.
     */
    @Test
    void anOversizedRecordOfAProductNotInTheCatalogYetIsDeadLetteredForItsSizeAndNoLaterRecordWaitsBehindIt() {
        catalog.pipeInput(ADDRESS, null);
        ingest.pipeInput("o-1", bytes(json("o-1", 1.0, "EUR", 1)), AT);
        ingest.pipeInput("o-big", new byte[MAX_BYTES + 1], AT);
        ingest.pipeInput("o-2", bytes(json("o-2", 1.0, "EUR", 1)), AT);

        TestRecord<String, byte[]> big = dlq.readRecord();
        assertThat(big.key()).isEqualTo("o-big");
        assertThat(reason(big)).startsWith("the value is " + (MAX_BYTES + 1) + " bytes, over the gate's limit of " + MAX_BYTES);
        assertThat(dlq.readRecord().key()).isEqualTo("o-2");

        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(product.readRecordsToList()).extracting(TestRecord::key).containsExactly("o-1");
        assertThat(dlq.isEmpty()).isTrue();
    }

    /**
     * @return the topic a record the processor forwarded goes to: the product of the ingest topic
     *         being read ({@link #ADDRESS}'s, in these tests), or the topic its {@link GateOutput} names
     */
    private static String destination(MockProcessorContext.CapturedForward<?, ?> forward) {
        return forward.childName().orElseThrow().equals(GateTopology.PRODUCTS) ? ADDRESS : ((GateOutput) forward.record().value()).topic();
    }

    @Test
    void theCataloguedProductsContractsAreCompiledWhenTheTaskStartsBeforeTheirFirstRecord() {
        var context = new MockProcessorContext<byte[], Object>();
        stores(context);
        var looked = new ArrayList<Long>();
        ProductSchemas counted = new ProductSchemas() {
            @Override
            public Schema schema(long contentId) {
                looked.add(contentId);
                return config.schemas().schema(contentId);
            }

            @Override
            public Set<Long> versions(String subject) {
                return config.schemas().versions(subject);
            }
        };
        var processor = new GateProcessor(config, new GateCounters(meters),
                new WaitingBudget(GateProcessor.DOMAIN_PENDING_RECORDS, GateProcessor.DOMAIN_PENDING_BYTES),
                new CompiledContracts(counted, Runnable::run), new DeadLetterKeys(new PreparedKeys(config.keys(), Runnable::run), Runnable::run, () -> AT),
                new WaitingSeal(config.keys()));

        processor.init(context);

        assertThat(looked).as("compiled at the start").containsExactly(V2_ID);
        context.setCurrentSystemTimeMs(AT);
        context.setRecordMetadata(ADDRESS + ".ingest", 0, 0);
        processor.process(new Record<>(bytes("o-1"), bytes(json("o-1", 1.0, "EUR", 1)), AT));
        assertThat(context.forwarded()).extracting(GateTopologyTest::destination).containsExactly(ADDRESS);
        assertThat(looked).as("not compiled again for the first record").containsExactly(V2_ID);
    }

    /** @return the gate's pending store, with the shop's order product in its catalog store, both in the context */
    private static KeyValueStore<String, byte[]> stores(MockProcessorContext<byte[], Object> context) {
        KeyValueStore<String, byte[]> pending = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(GateTopology.PENDING),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        TimestampedKeyValueStore<String, DataProduct> entries = Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(GateTopology.GLOBAL_CATALOG), Serdes.String(), new PlainAvroSerdes().of(DataProduct.class))
                .withLoggingDisabled().build();
        pending.init(context.getStateStoreContext(), pending);
        entries.init(context.getStateStoreContext(), entries);
        context.addStateStore(pending);
        context.addStateStore(entries);
        entries.put(ADDRESS, ValueAndTimestamp.make(entry(ProductStatus.ACTIVE), AT));
        return pending;
    }

    @Test
    void aRecordOfAProductTheCatalogNeverAdmitsGoesToTheDeadLetterTopicAfterTheWaitSealedForItsContractMayEncryptFields() {
        var other = driver.createInputTopic("shop.returns.v1.ingest", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var otherDlq = driver.createOutputTopic("shop.returns.v1.dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        other.pipeInput("r-1", bytes("{\"customerEmail\": \"ann@example.com\"}"), AT);
        driver.advanceWallClockTime(PENDING_WAIT.minusSeconds(5));
        assertThat(otherDlq.isEmpty()).isTrue();

        driver.advanceWallClockTime(Duration.ofSeconds(10));

        TestRecord<String, byte[]> dead = otherDlq.readRecord();
        assertThat(dead.key()).isEqualTo("r-1");
        assertThat(reason(dead)).isEqualTo("product shop.returns.v1 was not in the catalog within 120 s: publish its contract "
                + "(mesh product publish) and produce once the catalog has admitted it");
        assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).doesNotContain("ann@example.com");
        assertThat(header(dead, DeadLetterHeaders.ENCRYPTED_WITH)).isEqualTo("mesh.dead-letters|shop.returns.v1");
    }

    @Test
    void theGateCountsAcceptedRecordsAndRejectedOnesByTheRuleTheDeadLetterHeadersName() {
        ingest.pipeInput("o-20", bytes(json("o-20", 1.0, "EUR", 1)), AT);
        ingest.pipeInput("o-21", wire(V2_ID, order(V2, "o-21", 2.0, "USD", 1)), AT);
        ingest.pipeInput("o-22", bytes(json("o-22", -1.0, "EUR", 1)), AT);
        ingest.pipeInput("o-23", bytes("not json"), AT);
        ingest.pipeInput("o-24", bytes("[]"), AT);
        ingest.pipeInput("o-25", new byte[MAX_BYTES + 1], AT);

        assertThat(count("accepted", "none")).isEqualTo(2);
        assertThat(count("rejected", "positive-amount")).isEqualTo(1);
        assertThat(count("rejected", "schema")).isEqualTo(2);
        assertThat(count("rejected", "size")).isEqualTo(1);
        assertThat(meters.find("mesh.gate.records").counters()).hasSize(4);
    }

    @Test
    void aRetiredProductTakesNoRecords() {
        catalog.pipeInput(ADDRESS, entry(ProductStatus.RETIRED));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        ingest.pipeInput("o-13", bytes(json("o-13", 1.0, "EUR", 1)), AT);

        assertThat(reason(dlq.readRecord())).isEqualTo("product shop.order-placed.v1 is retired; it takes no new records");
    }

    /**
     * A registration written straight to the registrations topic may name any schema id: one
     * beyond the wire format's four bytes, or one of a schema that is no record. That is the
     * product's failure, its records dead-lettered; the gate's task, which every domain's ingest
     * partition of that number shares, goes on.
     */
    @Test
    void aCatalogEntryNamingASchemaIdBeyondTheWireFormatOrANonRecordSchemaDeadLettersItsRecordsAndTheTaskGoesOn() {
        DataProduct notARecord = entry(ProductStatus.ACTIVE, STRING_ID);
        notARecord.getRegistration().setQualityRules(List.of());
        catalog.pipeInput(ADDRESS, notARecord);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        ingest.pipeInput("o-14", bytes(json("o-14", 1.0, "EUR", 1)), AT);

        assertThat(reason(dlq.readRecord())).isEqualTo("the product's registered schema is string, not an Avro record: a product's records "
                + "are records, and its quality rules read their fields");

        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE, 1L << 32));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        ingest.pipeInput("o-15", bytes(json("o-15", 1.0, "EUR", 1)), AT);

        assertThat(reason(dlq.readRecord())).isEqualTo("product shop.order-placed.v1 names schema id 4294967296 in its catalog entry, "
                + "which the wire format cannot carry");

        catalog.pipeInput(ADDRESS, entry(ProductStatus.ACTIVE));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        ingest.pipeInput("o-16", bytes(json("o-16", 1.0, "EUR", 1)), AT);

        assertThat(product.readRecord().key()).isEqualTo("o-16");
    }

    private double count(String outcome, String rule) {
        return meters.get("mesh.gate.records").tags("product", ADDRESS, "outcome", outcome, "rule", rule).counter().count();
    }

    private static DataProduct entry(ProductStatus status) {
        return entry(status, V2_ID);
    }

    private static DataProduct entry(ProductStatus status, long contentId) {
        var registration = ProductRegistration.newBuilder().setAddress(ADDRESS).setDomain("shop").setName("order-placed")
                .setVersion("1.2.0").setOwner(Owner.newBuilder().setTeam("t").setPrincipal("User:shop").setContact("c").build())
                .setSchemaSubject(ADDRESS + "-value").setSchemaVersion(2).setSchemaContentId(contentId)
                .setQualityRules(List.of(new QualityRule("positive-amount", "record.amount > 0"),
                        new QualityRule("per-item", "100 / record.items >= 0"),
                        new QualityRule("known-currency", "record.currency in ['EUR', 'USD', 'GBP']")))
                .setRetired(status == ProductStatus.RETIRED).setPublishedAt(Instant.ofEpochMilli(AT)).build();
        return DataProduct.newBuilder().setAddress(ADDRESS).setDomain("shop").setRegistration(registration).setStatus(status)
                .setFirstPublishedAt(Instant.ofEpochMilli(AT)).setUpdatedAt(Instant.ofEpochMilli(AT)).build();
    }

    private static String json(String id, double amount, String currency, int items) {
        return """
                {"orderId": "%s", "customerId": "c-1", "customerEmail": "ann@example.com", "shippingAddress": "1 Main Street",
                 "country": "FR", "amount": %s, "currency": "%s", "items": %d, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(id, amount, currency, items);
    }

    private static GenericRecord order(Schema schema, String id, double amount, String currency, int items) {
        var order = new GenericData.Record(schema);
        order.put("orderId", id);
        order.put("customerId", "c-1");
        order.put("customerEmail", "ann@example.com");
        order.put("shippingAddress", "1 Main Street");
        order.put("country", "FR");
        order.put("amount", amount);
        order.put("currency", currency);
        order.put("items", items);
        order.put("placedAt", AT);
        if (schema.getField("channel") != null) {
            order.put("channel", "app");
        }
        return order;
    }

    /** @return the record in the mesh's wire format: magic byte 0, the schema id, the Avro body */
    static byte[] wire(long id, GenericRecord record) {
        try {
            var out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt((int) id).array());
            var encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long schemaId(byte[] value) {
        assertThat(value[0]).isZero();
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    private static GenericRecord decode(byte[] value, Schema schema) {
        try {
            return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reason(TestRecord<String, byte[]> record) {
        return header(record, DeadLetterHeaders.REASON);
    }

    private static String header(TestRecord<String, byte[]> record, String key) {
        Headers headers = record.headers();
        return headers.lastHeader(key) == null ? null : new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
