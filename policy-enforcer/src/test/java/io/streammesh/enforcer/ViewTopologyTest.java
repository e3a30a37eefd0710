package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.WaitingBudget;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.testing.PlainAvroSerdes;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.Mask;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewAccess;
import io.streammesh.schema.ViewState;
import io.streammesh.schema.ViewStatus;
import io.streammesh.schema.ViewSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewTopologyTest {

    /** Each test's own: Kafka Streams' default (/tmp/kafka-streams) is shared by every build on the machine. */
    @TempDir
    Path streamsState;

    private static final PlainAvroSerdes SERDES = new PlainAvroSerdes();
    private static final String ADDRESS = "shop.order-placed.v1";
    private static final String VIEW = "mesh.view." + ADDRESS + ".analytics";

    private Schema schema;
    private TopologyTestDriver driver;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> ensured = new ArrayList<>();
    /** The subjects view schemas were registered under, with the schemas' names. */
    private final Set<String> registered = new HashSet<>();
    private final Preparation preparation = new Preparation();

    /** Prepares a view at once, unless told to hold: notes the view topics asked for. */
    private final class Preparation implements ViewPreparation {

        private boolean holding;
        private String topicsFailure;
        /** Moved by a test when a preparation it held finishes. */
        private long progress;

        @Override
        public boolean topicsReady(String productTopic, String viewTopic) {
            if (!ensured.contains(viewTopic)) {
                ensured.add(viewTopic);
            }
            return !holding;
        }

        @Override
        public Optional<String> topicsFailure(String viewTopic) {
            return Optional.ofNullable(topicsFailure);
        }

        @Override
        public Optional<byte[]> header(String viewTopic, Schema viewSchema) {
            registered.add(viewTopic + "-value: " + viewSchema.getFullName());
            return holding ? Optional.empty() : Optional.of(new byte[0]);
        }

        @Override
        public long progress() {
            return progress;
        }
    }

    @BeforeEach
    void start() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/schemas/demo/orders/order-placed.avsc")) {
            schema = new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        driver = driver(plainAvro(() -> schema));
    }

    /** Records are plain Avro of the writer schema given, view records plain Avro too. */
    private static RecordFraming plainAvro(Supplier<Schema> writer) {
        return new RecordFraming() {
            @Override
            public Schema writer(byte[] record) {
                return writer.get();
            }

            @Override
            public int bodyOffset() {
                return 0;
            }
        };
    }

    private TopologyTestDriver driver(RecordFraming framing) {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "views-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, streamsState.toString());
        return new TopologyTestDriver(ViewTopology.build(SERDES, framing, preparation, "secret".getBytes(), meters),
                props);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void theViewKeepsTheRowsItsFilterAllowsWithTheirPiiMasked() {
        catalog(Map.of("customerEmail", "hash", "shippingAddress", "truncate(3)"));
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        product.pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR")));
        product.pipeInput("o-2", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-2", "DE")));

        Schema viewSchema = ViewSchemas.derive(schema, ADDRESS, "analytics", Map.of("customerEmail", Mask.parse("hash"),
                "shippingAddress", Mask.parse("truncate(3)")));
        var out = driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readKeyValuesToList();
        assertThat(out).hasSize(1);
        GenericRecord view = AvroBytes.decode(out.get(0).value, viewSchema);
        assertThat(view.get("orderId")).hasToString("o-1");
        assertThat(view.get("customerEmail").toString()).hasSize(64).isNotEqualTo("ann@example.com");
        assertThat(view.get("shippingAddress")).hasToString("1 M");
        assertThat(ensured).containsOnly(VIEW);
        assertThat(meters.get("mesh.view.records").tag("outcome", "filtered").counter().count()).isEqualTo(1);
    }

    /**
     * Two domains' products of one schema, each with an analytics view alike in filter and masks:
     * each view hashes with its own product's key (a hash links records within a product, never
     * across products) and has its schema registered under its own subject.
     */
    @Test
    void twoProductsViewsAlikeInEverythingButTheirProductHashWithTheirOwnKeyUnderTheirOwnSchema() {
        String other = "depot.order-placed.v1";
        var catalog = driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), SERDES.of(DataProduct.class).serializer());
        catalog.pipeInput(ADDRESS, ViewAppITCatalog.product(ADDRESS, "shop", 1L, Map.of("customerEmail", "hash")));
        catalog.pipeInput(other, ViewAppITCatalog.product(other, "depot", 1L, Map.of("customerEmail", "hash")));
        byte[] order = AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR"));
        driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer()).pipeInput("o-1", order);
        driver.createInputTopic(other, Serdes.String().serializer(), Serdes.ByteArray().serializer()).pipeInput("o-1", order);

        Map<String, Mask> masks = Map.of("customerEmail", Mask.parse("hash"));
        String otherView = "mesh.view." + other + ".analytics";
        GenericRecord shops = AvroBytes.decode(driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .readValue(), ViewSchemas.derive(schema, ADDRESS, "analytics", masks));
        GenericRecord depots = AvroBytes.decode(driver.createOutputTopic(otherView, Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer()).readValue(), ViewSchemas.derive(schema, other, "analytics", masks));
        assertThat(shops.get("customerEmail").toString()).hasSize(64).isNotEqualTo(depots.get("customerEmail").toString());
        assertThat(registered).containsExactlyInAnyOrder(
                VIEW + "-value: " + ViewSchemas.derive(schema, ADDRESS, "analytics", masks).getFullName(),
                otherView + "-value: " + ViewSchemas.derive(schema, other, "analytics", masks).getFullName());
    }

    @Test
    void aViewAddedToTheCatalogGetsItsTopicsAtTheNextLookUpAndRecordsFromThen() {
        DataProduct plain = ViewAppITCatalog.product(ADDRESS, "shop", 1L, Map.of());
        driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), SERDES.of(DataProduct.class).serializer())
                .pipeInput(ADDRESS, DataProduct.newBuilder(plain).setRegistration(ProductRegistration.newBuilder(plain.getRegistration())
                        .setViews(List.of(ProductView.newBuilder().setName("analytics").setAccess(ViewAccess.OWNER_APPROVAL)
                                .setMasks(Map.of()).build())).build()).build());
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var view = driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        product.pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR")));
        assertThat(ensured).as("a view without filter or masks is the product topic itself").isEmpty();

        catalog(Map.of("customerEmail", "hash"));
        product.pipeInput("o-2", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-2", "FR")));
        assertThat(view.isEmpty()).as("until the next look-up").isTrue();

        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(ensured).as("the view's topics, before its first record").containsExactly(VIEW);
        product.pipeInput("o-3", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-3", "FR")));
        assertThat(view.readKeyValuesToList()).extracting(record -> record.key).containsExactly("o-3");
    }

    @Test
    void aRecordWhoseViewIsNotPreparedYetIsHeldWithThoseAfterItAndViewedInOrderOnceItIs() {
        preparation.holding = true;
        catalog(Map.of("customerEmail", "hash"));
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var view = driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        product.pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR")));
        product.pipeInput("o-2", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-2", "FR")));
        assertThat(view.isEmpty()).as("held while the view is prepared").isTrue();

        preparation.holding = false;
        product.pipeInput("o-3", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-3", "FR")));
        assertThat(view.isEmpty()).as("held behind the records before it: no preparation has finished since they were tried").isTrue();

        preparation.progress++;
        product.pipeInput("o-4", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-4", "FR")));
        assertThat(view.readKeyValuesToList()).as("with the next record, no punctuation needed").extracting(record -> record.key)
                .containsExactly("o-1", "o-2", "o-3", "o-4");
        assertThat(driver.<String, byte[]>getKeyValueStore(ViewTopology.HELD_RECORDS).approximateNumEntries()).isZero();
    }

    /**
     * A processor initialised on a store that already holds records (a task restored on another
     * instance, or revived, its processor initialised again) holds a partition's new records behind them and views them all in
     * offset order once the views are prepared.
     */
    @Test
    void recordsHeldInTheStoreWhenTheTaskStartsAreViewedFirstInOffsetOrder() {
        var context = new MockProcessorContext<byte[], ViewOutput>();
        KeyValueStore<String, byte[]> held = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ViewTopology.HELD_RECORDS),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        TimestampedKeyValueStore<String, DataProduct> catalog = Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ViewTopology.GLOBAL_CATALOG), Serdes.String(), SERDES.of(DataProduct.class))
                .withLoggingDisabled().build();
        held.init(context.getStateStoreContext(), held);
        catalog.init(context.getStateStoreContext(), catalog);
        context.addStateStore(held);
        context.addStateStore(catalog);
        catalog.put(ADDRESS, ValueAndTimestamp.make(ViewAppITCatalog.product(ADDRESS, "shop", 1L, Map.of("customerEmail", "hash")), 1L));
        // offsets 9 and 10 of partition 0, 7 of partition 1: the keys' digits sort them
        for (long offset : new long[] {10, 9}) {
            held.put(ADDRESS + "/0/" + String.format("%019d", offset), new HeldRecord(("o-" + offset).getBytes(StandardCharsets.UTF_8),
                    AvroBytes.encode(ViewAppITCatalog.order(schema, "o-" + offset, "FR")), offset).bytes());
        }
        held.put(ADDRESS + "/1/" + String.format("%019d", 7), new HeldRecord("o-7".getBytes(StandardCharsets.UTF_8),
                AvroBytes.encode(ViewAppITCatalog.order(schema, "o-7", "FR")), 7).bytes());
        var processor = new ViewProcessor(plainAvro(() -> schema), preparation, ViewTopology.HELD_RECORDS, "secret".getBytes(), null,
                new WaitingBudget(ViewProcessor.DOMAIN_KEY_WAIT_RECORDS, ViewProcessor.DOMAIN_KEY_WAIT_BYTES), meters,
                SERDES.of(ViewStatus.class).serializer());
        processor.init(context);
        // as Streams does with a task revived under exactly-once: the same instance, again
        processor.close();
        processor.init(context);

        context.setCurrentSystemTimeMs(1_000);
        context.setRecordMetadata(ADDRESS, 0, 11);
        processor.process(new Record<>("o-11".getBytes(StandardCharsets.UTF_8),
                AvroBytes.encode(ViewAppITCatalog.order(schema, "o-11", "FR")), 11));

        List<String> viewed = context.forwarded().stream().filter(forward -> forward.record().value().topic().equals(VIEW))
                .map(forward -> new String(forward.record().key(), StandardCharsets.UTF_8)).toList();
        // in offset order within a partition; partitions are independent
        assertThat(viewed).containsExactlyInAnyOrder("o-9", "o-10", "o-7", "o-11").containsSubsequence("o-9", "o-10", "o-11");
        assertThat(held.approximateNumEntries()).isZero();
    }

    /**
     * A view whose topics cannot be created holds its product's records (thousands of them) and says so on {@code mesh.view.status} within seconds; once they are created,
     * the records are viewed in order and the view is OK again.
     */
    @Test
    void aViewWhoseTopicsCannotBeCreatedHoldsItsRecordsAndIsDegradedWithTheReasonUntilTheyAre() {
        preparation.holding = true;
        preparation.topicsFailure = "could not create topic " + VIEW + ": only 2 broker(s) are registered";
        catalog(Map.of("customerEmail", "hash"));
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var view = driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        int records = 2_500;
        for (int i = 0; i < records; i++) {
            product.pipeInput("o-" + i, AvroBytes.encode(ViewAppITCatalog.order(schema, "o-" + i, "FR")));
        }
        for (int second = 0; second < ViewHealth.DEGRADED_AFTER; second++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        driver.advanceWallClockTime(Duration.ofMillis(ViewHealth.REPORT_EVERY_MS));

        assertThat(view.isEmpty()).isTrue();
        ViewStatus degraded = statuses().get(ADDRESS + "/analytics");
        assertThat(degraded.getState()).isEqualTo(ViewState.DEGRADED);
        assertThat(degraded.getReason()).isEqualTo("the view's topics cannot be created: could not create topic " + VIEW
                + ": only 2 broker(s) are registered");

        preparation.holding = false;
        preparation.topicsFailure = null;
        driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertThat(view.readKeyValuesToList()).extracting(record -> record.key)
                .containsExactlyElementsOf(IntStream.range(0, records).mapToObj(i -> "o-" + i).toList());
        assertThat(driver.<String, byte[]>getKeyValueStore(ViewTopology.HELD_RECORDS).approximateNumEntries()).isZero();
        assertThat(statuses().get(ADDRESS + "/analytics").getState()).isEqualTo(ViewState.OK);
    }

    @Test
    void aRecordOfAProductTheCatalogTableDoesNotHoldYetIsHeldAndViewedOnceItDoes() {
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var view = driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        product.pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR")));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(view.isEmpty()).as("held while this instance's catalog table has no entry for the product").isTrue();

        catalog(Map.of("customerEmail", "hash"));
        product.pipeInput("o-2", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-2", "FR")));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        product.pipeInput("o-3", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-3", "FR")));
        assertThat(view.readKeyValuesToList()).extracting(record -> record.key).containsExactly("o-1", "o-2", "o-3");
        assertThat(driver.<String, byte[]>getKeyValueStore(ViewTopology.HELD_RECORDS).approximateNumEntries()).isZero();
    }

    @Test
    void aProductTopicTheCatalogNeverHoldsIsHeldForAWhileOnlyThenLeftOutOfViews() {
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var view = driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        var heldRecords = driver.<String, byte[]>getKeyValueStore(ViewTopology.HELD_RECORDS);
        product.pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR")));
        driver.advanceWallClockTime(ViewProcessor.CATALOG_WAIT);
        assertThat(heldRecords.approximateNumEntries()).as("held for the catalog's entry").isEqualTo(1);

        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(heldRecords.approximateNumEntries()).as("given up after %s", ViewProcessor.CATALOG_WAIT).isZero();
        product.pipeInput("o-2", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-2", "FR")));
        assertThat(heldRecords.approximateNumEntries()).as("no longer held").isZero();

        catalog(Map.of("customerEmail", "hash"));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        product.pipeInput("o-3", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-3", "FR")));
        assertThat(view.readKeyValuesToList()).extracting(record -> record.key).containsExactly("o-3");
    }

    @Test
    void aProductTopicTheCatalogDoesNotHoldHasAtMostSoManyRecordsHeld() {
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var heldRecords = driver.<String, byte[]>getKeyValueStore(ViewTopology.HELD_RECORDS);
        byte[] order = AvroBytes.encode(ViewAppITCatalog.order(schema, "o", "FR"));
        for (int i = 0; i < ViewProcessor.CATALOG_WAIT_RECORDS + 10; i++) {
            product.pipeInput("o-" + i, order);
        }
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(heldRecords.approximateNumEntries()).as("the held records let go once there were %d", ViewProcessor.CATALOG_WAIT_RECORDS)
                .isZero();
    }

    @Test
    void aRetiredProductsViewStopsAtTheNextLookUp() {
        DataProduct product = ViewAppITCatalog.product(ADDRESS, "shop", 1L, Map.of("customerEmail", "hash"));
        var catalog = driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), SERDES.of(DataProduct.class).serializer());
        catalog.pipeInput(ADDRESS, product);
        var records = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var view = driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        records.pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR")));

        catalog.pipeInput(ADDRESS, DataProduct.newBuilder(product).setStatus(ProductStatus.RETIRED).build());
        records.pipeInput("o-2", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-2", "FR")));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        records.pipeInput("o-3", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-3", "FR")));

        assertThat(view.readKeyValuesToList()).extracting(record -> record.key).containsExactly("o-1", "o-2");
    }

    @Test
    void aRecordTheViewCannotReadGoesToTheViewsDeadLetterTopicWithTheReason() {
        catalog(Map.of("customerEmail", "hash"));
        driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer())
                .pipeInput("bad", "not avro".getBytes(StandardCharsets.UTF_8));

        var dead = driver.createOutputTopic(VIEW + ".dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readRecord();
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .startsWith("not decodable as the product's Avro");
        assertThat(driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).isEmpty()).isTrue();
    }

    @Test
    void aRegistryThatDoesNotAnswerFailsTheTaskInsteadOfDeadLetteringTheRecord() {
        driver.close();
        driver = driver(plainAvro(() -> {
            throw new SchemaRegistry.Unreachable("the schema registry at http://localhost:1 does not answer", null);
        }));
        catalog(Map.of("customerEmail", "hash"));
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());

        assertThatThrownBy(() -> product.pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR"))))
                .hasRootCauseInstanceOf(SchemaRegistry.Unreachable.class);
        assertThat(driver.createOutputTopic(VIEW + ".dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).isEmpty()).isTrue();
    }

    @Test
    void aFilterOverTheEvaluationBudgetDeadLettersItsRecordsAndDegradesOnlyItsView() {
        catalog(Map.of("customerEmail", "hash"));
        Schema orders = schema;
        Schema baskets = SchemaBuilder.record("Basket").fields().requiredString("id")
                .name("tags").type().array().items().longType().noDefault().endRecord();
        String pairs = "record.tags.all(a, record.tags.all(b, a + b >= 0))";
        String basketView = "mesh.view.shop.basket.v1.analytics";
        catalog("shop.basket.v1", pairs);
        var basketTopic = driver.createInputTopic("shop.basket.v1", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        var orderTopic = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());

        schema = baskets;
        for (int i = 0; i < ViewHealth.DEGRADED_AFTER; i++) {
            basketTopic.pipeInput("b-" + i, AvroBytes.encode(basket(baskets, 300)));
        }
        schema = orders;
        orderTopic.pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(orders, "o-1", "FR")));

        var dead = driver.createOutputTopic(basketView + ".dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .readRecordsToList();
        assertThat(dead).hasSize(ViewHealth.DEGRADED_AFTER).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(DeadLetterHeaders.REASON)
                .value(), StandardCharsets.UTF_8)).isEqualTo("'" + pairs + "' is over the evaluation budget of 10000 iterations per record"));
        assertThat(driver.createOutputTopic(VIEW, Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readKeyValuesToList())
                .as("the other product's view flows").hasSize(1);
        driver.advanceWallClockTime(Duration.ofMillis(ViewHealth.REPORT_EVERY_MS));
        Map<String, ViewStatus> latest = statuses();
        ViewStatus degraded = latest.get("shop.basket.v1/analytics");
        assertThat(degraded.getState()).isEqualTo(ViewState.DEGRADED);
        assertThat(degraded.getReason()).isEqualTo("'" + pairs + "' is over the evaluation budget of 10000 iterations per record");
        assertThat(degraded.getFailures()).isEqualTo(ViewHealth.DEGRADED_AFTER);
        assertThat(latest.get(ADDRESS + "/analytics").getState()).isEqualTo(ViewState.OK);

        schema = baskets;
        basketTopic.pipeInput("b-small", AvroBytes.encode(basket(baskets, 10)));
        driver.advanceWallClockTime(Duration.ofMillis(ViewHealth.REPORT_EVERY_MS));
        assertThat(statuses().get("shop.basket.v1/analytics")).satisfies(ok -> {
            assertThat(ok.getState()).isEqualTo(ViewState.OK);
            assertThat(ok.getReason()).isNull();
            assertThat(ok.getFailures()).isZero();
        });
    }

    @Test
    void aFilterPublishedPastTheCompileTimeBudgetFailsEachRecordWithTheReason() {
        String list = LongStream.range(0, 300).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
        catalog(ADDRESS, list + ".all(a, " + list + ".all(b, " + list + ".all(c, a + b + c + record.items >= 0)))");
        driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer())
                .pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR")));

        var dead = driver.createOutputTopic(VIEW + ".dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readRecord();
        assertThat(new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("comprehensions (all, exists, exists_one, map, filter) are nested 3 deep; at most 2 may be");
    }

    @Test
    void aDegradedViewsReasonNamesNoRecordsValues() {
        catalog(ADDRESS, "int(record.country) > 0");
        var product = driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        for (int i = 0; i < ViewHealth.DEGRADED_AFTER; i++) {
            product.pipeInput("o-" + i, AvroBytes.encode(ViewAppITCatalog.order(schema, "o-" + i, "Secretland")));
        }
        driver.advanceWallClockTime(Duration.ofMillis(ViewHealth.REPORT_EVERY_MS));

        ViewStatus degraded = statuses().get(ADDRESS + "/analytics");
        assertThat(degraded.getState()).isEqualTo(ViewState.DEGRADED);
        assertThat(degraded.getReason()).as("mesh.view.status is readable by every principal")
                .isEqualTo("the filter fails on records (each record's reason is on " + VIEW + ".dlq)");
        assertThat(driver.createOutputTopic(VIEW + ".dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .readRecordsToList()).hasSize(ViewHealth.DEGRADED_AFTER);
    }

    /** Latest status per view key, of those published since the last call. */
    private Map<String, ViewStatus> statuses() {
        return driver.createOutputTopic(MeshTopics.VIEW_STATUS, Serdes.String().deserializer(), SERDES.of(ViewStatus.class).deserializer())
                .readKeyValuesToMap();
    }

    private static GenericRecord basket(Schema schema, int tags) {
        GenericRecord basket = new GenericData.Record(schema);
        basket.put("id", "b");
        basket.put("tags", LongStream.range(0, tags).boxed().toList());
        return basket;
    }

    /** A product whose analytics view has only a filter, put straight into the catalog (no publish-time checks). */
    private void catalog(String address, String filter) {
        DataProduct product = ViewAppITCatalog.product(address, "shop", 1L, Map.of());
        ProductRegistration registration = ProductRegistration.newBuilder(product.getRegistration())
                .setViews(List.of(ProductView.newBuilder().setName("analytics").setAccess(ViewAccess.OWNER_APPROVAL).setFilter(filter)
                        .setMasks(Map.of()).build())).build();
        driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), SERDES.of(DataProduct.class).serializer())
                .pipeInput(address, DataProduct.newBuilder(product).setRegistration(registration).build());
    }

    @Test
    void aProductNotInTheCatalogOrWithoutTransformedViewsMakesNoViewRecords() {
        driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer())
                .pipeInput("o-1", AvroBytes.encode(ViewAppITCatalog.order(schema, "o-1", "FR")));
        assertThat(ensured).isEmpty();
    }

    private void catalog(Map<String, String> masks) {
        DataProduct product = ViewAppITCatalog.product(ADDRESS, "shop", 1L, masks);
        driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), SERDES.of(DataProduct.class).serializer())
                .pipeInput(ADDRESS, product);
    }
}
