package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.platform.SchemaRegistry;
import io.streammesh.platform.testing.PlainAvroSerdes;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Mask;
import io.streammesh.schema.MeshTopics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ViewTopologyTest {

    private static final PlainAvroSerdes SERDES = new PlainAvroSerdes();
    private static final String ADDRESS = "shop.order-placed.v1";
    private static final String VIEW = "mesh.view." + ADDRESS + ".analytics";

    private Schema schema;
    private TopologyTestDriver driver;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> ensured = new ArrayList<>();

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

            @Override
            public byte[] header(String subject, Schema viewSchema) {
                return new byte[0];
            }
        };
    }

    private TopologyTestDriver driver(RecordFraming framing) {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "views-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return new TopologyTestDriver(ViewTopology.build(SERDES, framing, (product, view) -> ensured.add(view), "secret".getBytes(), meters),
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

    @Test
    void aRecordTheViewCannotReadGoesToTheViewsDeadLetterTopicWithTheReason() {
        catalog(Map.of("customerEmail", "hash"));
        driver.createInputTopic(ADDRESS, Serdes.String().serializer(), Serdes.ByteArray().serializer())
                .pipeInput("bad", "not avro".getBytes(StandardCharsets.UTF_8));

        var dead = driver.createOutputTopic(VIEW + ".dlq", Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readRecord();
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(new String(dead.headers().lastHeader(ViewProcessor.REASON).value(), StandardCharsets.UTF_8))
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
