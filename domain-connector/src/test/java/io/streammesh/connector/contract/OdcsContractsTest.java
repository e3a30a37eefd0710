package io.streammesh.connector.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class OdcsContractsTest {

    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final Path OFFICIAL = Path.of("src", "test", "resources", "odcs-examples");
    private static final String HOST = "127.0.0.1:9092";
    private static final SchemaSource NO_FILES = name -> {
        throw new AssertionError("an ODCS contract carries its schema; read " + name);
    };
    private static final String ORDERS = OdcsContracts.write(DataContracts.load(EXAMPLES.resolve("orders/order-placed.yaml")), HOST);

    static Stream<Path> everyExampleContract() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml") && !f.toString().endsWith(".odcs.yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("everyExampleContract")
    void everyExampleContractTravelsToOdcsAndBackUnchanged(Path descriptor) throws IOException {
        ProductContract original = DataContracts.load(descriptor);

        String odcs = OdcsContracts.write(original, HOST);
        ProductContract back = parse(odcs);

        assertThat(OdcsSchema.check(new ObjectMapper(new YAMLFactory()).readTree(odcs))).isEmpty();
        assertThat(back.contract()).usingRecursiveComparison().ignoringFields("schema").isEqualTo(original.contract());
        assertThat(back.schema()).hasToString(original.schema().toString());
        assertThat(back.address()).isEqualTo(original.address());
        assertThat(OdcsContracts.write(back, HOST)).isEqualTo(odcs);
    }

    @ParameterizedTest
    @MethodSource("everyExampleContract")
    void anOdcsContractWrittenBackInTheMeshsYamlIsTheSameContract(Path descriptor) {
        ProductContract odcs = parse(OdcsContracts.write(DataContracts.load(descriptor), HOST));

        String yaml = MeshYaml.write(odcs, "product.avsc");
        ProductContract back = DataContracts.parse(yaml, "product.yaml", name -> odcs.schema().toString());

        assertThat(yaml).contains("schema: product.avsc\n");
        assertThat(back.contract()).usingRecursiveComparison().ignoringFields("schema").isEqualTo(odcs.contract());
        assertThat(back.schema()).isEqualTo(odcs.schema());
    }

    @Test
    void aRetiredProductIsWrittenWithStatusRetiredWhichMeetsTheStandardButDoesNotPublishAgain() throws IOException {
        String retired = OdcsContracts.write(DataContracts.load(EXAMPLES.resolve("orders/order-placed.yaml")), HOST, true);

        assertThat(retired).isEqualTo(ORDERS.replace("status: active\n", "status: retired\n"));
        assertThat(OdcsSchema.check(new ObjectMapper(new YAMLFactory()).readTree(retired))).isEmpty();
        assertThatThrownBy(() -> parse(retired, "orders.odcs.yaml")).hasMessage("orders.odcs.yaml: status: a product is published active "
                + "and retired with mesh product retire, not published retired");
    }

    @ParameterizedTest
    @MethodSource("everyExampleContract")
    void everyExampleHasItsOdcsTwinBesideItWrittenFromIt(Path descriptor) {
        Path twin = descriptor.resolveSibling(descriptor.getFileName().toString().replace(".yaml", ".odcs.yaml"));

        assertThat(read(twin).replaceAll("(?m)^#.*\n", "")).as("regenerate it with: mesh contract convert %s", descriptor)
                .isEqualTo(OdcsContracts.write(DataContracts.load(descriptor), HOST));
    }

    @Test
    void aVersionThreeZeroDocumentIsReadAgainstTheThreeZeroSchemaWithItsDateTimestampsAndItsListOfTeamMembers() {
        String v30 = ORDERS.replace("apiVersion: v3.1.0", "apiVersion: v3.0.2")
                .replace("team:\n  name: orders-team\n  members:\n    - username: User:orders\n      role: owner\n",
                        "team:\n  - username: User:orders\n    role: owner\n")
                .replace("logicalType: timestamp\n", "logicalType: date\n");

        assertThatThrownBy(() -> parse(v30, "orders.odcs.yaml")).hasMessage("orders.odcs.yaml: team.name: is required");
    }

    @Test
    void aDocumentWithAnApiVersionButNoKindIsReadAsOdcsAndTheStandardAsksForTheKind() {
        assertThatThrownBy(() -> parse(ORDERS.replace("kind: DataContract\n", ""), "orders.odcs.yaml"))
                .hasMessage("orders.odcs.yaml: ODCS schema: required property 'kind' not found");
    }

    @Test
    void theOdcsExampleIsTheOrdersContractAsTheMeshWritesIt() {
        ProductContract yaml = DataContracts.load(EXAMPLES.resolve("orders/order-placed.yaml"));
        ProductContract odcs = DataContracts.load(EXAMPLES.resolve("orders/order-placed.odcs.yaml"));

        assertThat(read(EXAMPLES.resolve("orders/order-placed.odcs.yaml")).replaceAll("(?m)^#.*\n", "")).isEqualTo(ORDERS);
        assertThat(odcs.contract()).usingRecursiveComparison().ignoringFields("schema").isEqualTo(yaml.contract());
        assertThat(odcs.schema()).isEqualTo(yaml.schema());
    }

    @Test
    void theOrdersContractReadsInOdcsAsTheMeshWritesIt() {
        assertThat(ORDERS).startsWith("""
                apiVersion: v3.1.0
                kind: DataContract
                id: orders.order-placed.v1
                name: order-placed
                version: 1.0.0
                status: active
                domain: orders
                dataProduct: order-placed
                description:
                  purpose: "Every order the shop accepted, one event per order."
                tags:
                  - sales
                  - core
                schema:
                  - name: OrderPlaced
                    physicalName: orders.order-placed.v1
                    physicalType: topic
                    logicalType: object
                """);
        assertThat(ORDERS).contains("""
                      - name: customerEmail
                        logicalType: string
                        physicalType: string
                        required: true
                        customProperties:
                          - property: pii
                            value: true
                """, """
                  - role: analytics
                    access: read
                    firstLevelApprovers: User:orders
                    customProperties:
                      - property: filter
                        value: record.country != 'DE'
                """, """
                slaProperties:
                  - property: latency
                    value: 5
                    unit: m
                """);
        assertThat(ORDERS).doesNotContain("avroSchema");
    }

    @Test
    void aRecordThePropertiesCannotDescribeTravelsWholeAsAvroSchema() {
        String avro = """
                {"type": "record", "name": "Shipment", "fields": [
                  {"name": "shipmentId", "type": "string"},
                  {"name": "state", "type": {"type": "enum", "name": "State", "symbols": ["OPEN", "SHIPPED"]}},
                  {"name": "parcels", "type": {"type": "array", "items": "string"}}]}""";
        ProductContract shipments = DataContracts.parse("""
                domain: logistics
                name: shipments
                version: 2.1.0
                owner: {team: logistics-team, contact: "https://chat.example.com/logistics"}
                description: Every shipment.
                classification: internal
                schema: shipment.avsc
                key: shipmentId
                slo: {freshness: PT10M}
                views:
                  - {name: all, access: owner-approval, secondLevelApprovers: "User:security, User:legal"}
                """, "shipments.yaml", name -> avro);

        String odcs = OdcsContracts.write(shipments, HOST);
        ProductContract back = parse(odcs);

        assertThat(odcs).contains("  - property: avroSchema\n", "      - name: state\n        logicalType: string\n        physicalType: enum\n",
                "secondLevelApprovers: \"User:security, User:legal\"", "url: https://chat.example.com/logistics", "value: PT10M");
        assertThat(back.schema()).isEqualTo(shipments.schema());
        assertThat(back.contract()).usingRecursiveComparison().ignoringFields("schema").isEqualTo(shipments.contract());
        assertThat(OdcsContracts.write(back, HOST)).isEqualTo(odcs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka-schema", "kafka-schemaregistry", "kafka-server"})
    void theStandardsKafkaExamplesMeetItsSchema(String example) throws IOException {
        var document = new ObjectMapper(new YAMLFactory()).readTree(read(OFFICIAL.resolve(example + ".odcs.yaml")));

        assertThat(OdcsSchema.check(document)).isEmpty();
        assertThat(OdcsContracts.isOdcs(read(OFFICIAL.resolve(example + ".odcs.yaml")))).isTrue();
    }

    @Test
    void theStandardsKafkaExampleIsRefusedForWhatAMeshProductNeedsBesides() {
        assertThatThrownBy(() -> parse(read(OFFICIAL.resolve("kafka-schema.odcs.yaml")), "kafka-schema.odcs.yaml")).hasMessage("""
                kafka-schema.odcs.yaml: domain: is required
                kafka-schema.odcs.yaml: dataProduct: is required
                kafka-schema.odcs.yaml: version: major version must be 1 or more (it is the address's v<major>), got 0.0.1
                kafka-schema.odcs.yaml: team.name: is required
                kafka-schema.odcs.yaml: support: is required: the owner's contact, {channel: owner, url: mailto:team@example.com}
                kafka-schema.odcs.yaml: description.purpose: is required
                kafka-schema.odcs.yaml: customProperties.classification: is required
                kafka-schema.odcs.yaml: slaProperties: is required: declare at least the freshness, {property: latency, value: 5, unit: m}""");
    }

    @Test
    void theStandardsSchemaIsCheckedFirstEachProblemWithItsPath() {
        String bad = ORDERS.replace("    logicalType: object\n", "    logicalType: object\n    colour: blue\n")
                .replace("        physicalType: double\n", "        physicalType: double\n        logicalType: decimal\n")
                .replace("status: active\n", "");
        assertThatThrownBy(() -> parse(bad, "orders.odcs.yaml")).hasMessage("""
                orders.odcs.yaml: schema[0].properties[5].logicalType: ODCS schema: does not have a value in the enumeration \
                ["string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"]
                orders.odcs.yaml: schema[0]: ODCS schema: property 'colour' is not evaluated and the schema does not allow unevaluated properties
                orders.odcs.yaml: ODCS schema: required property 'status' not found""");
    }

    @Test
    void whatTheMeshCannotMapIsRefusedWithItsPathAndReason() {
        String bad = ORDERS.replace("        type: custom\n        engine: cel\n        implementation: record.amount > 0\n",
                        "        type: custom\n        engine: soda\n        implementation: record.amount > 0\n")
                .replace("      - name: items\n        logicalType: integer\n        physicalType: int\n",
                        "      - name: items\n        logicalType: string\n        physicalType: int\n")
                .replace("      - name: currency\n        logicalType: string\n        physicalType: string\n",
                        "      - name: currency\n        logicalType: string\n        physicalType: VARCHAR(3)\n")
                .replace("  - property: errorRate\n", "  - property: availability\n")
                .replace("  - property: partitions\n", "  - property: compression\n");
        assertThatThrownBy(() -> parse(bad, "orders.odcs.yaml")).hasMessage("""
                orders.odcs.yaml: customProperties[1].property: 'compression' is not a StreamMesh setting here \
                (known: classification, partitions, ingestRetention, lineage, encryption)
                orders.odcs.yaml: schema[0].properties[6].physicalType: 'VARCHAR(3)' is not an Avro type the mesh maps (string, uuid, int, \
                long, float, double, boolean, date, time-millis, timestamp-millis, timestamp-micros); for any other, give the whole Avro \
                schema as customProperties avroSchema of schema[0]
                orders.odcs.yaml: schema[0].properties[7].logicalType: 'string' does not fit physicalType int, which is integer
                orders.odcs.yaml: schema[0].quality[0]: the mesh runs CEL rules on each record: write {name: ..., type: custom, engine: cel, \
                implementation: <CEL over record>}
                orders.odcs.yaml: slaProperties[2].property: the mesh keeps latency (freshness), retention and errorRate; it has no \
                'availability' SLO""");
    }

    @Test
    void theMeshsOwnRulesNameThePathInTheDocument() {
        String bad = ORDERS.replace("implementation: record.amount > 0", "implementation: record.amont > 0")
                .replace("customerEmail: hash", "customerMail: hash")
                .replace("  - property: latency\n    value: 5\n    unit: m\n", "  - property: latency\n    value: soon\n")
                .replace("firstLevelApprovers: User:orders\n    customProperties:", "firstLevelApprovers: User:orders\n    secondLevelApprovers: legal\n    customProperties:");
        assertThatThrownBy(() -> parse(bad, "orders.odcs.yaml")).hasMessage("""
                orders.odcs.yaml: slaProperties[0]: 'soon' is not a duration; write e.g. 30s, 5m, 12h, 30d or 2w
                orders.odcs.yaml: schema[0].quality[0].implementation: CEL does not compile: line 1, column 7: undefined field 'amont'
                orders.odcs.yaml: roles[1].customProperties.mask.customerMail: no such field in schema (fields: orderId, customerId, \
                customerEmail, shippingAddress, country, amount, currency, items, placedAt)
                orders.odcs.yaml: roles[1].secondLevelApprovers: 'legal' is not a mesh principal (User:<name>); write them comma-separated""");
    }

    @Test
    void aKafkaServerIsTheOnlyPlaceAProductLives() {
        String bad = ORDERS.replace("    type: kafka\n    host: 127.0.0.1:9092\n    format: avro\n",
                "    type: postgres\n    host: db\n    port: 5432\n    database: shop\n    schema: public\n");
        assertThatThrownBy(() -> parse(bad, "orders.odcs.yaml")).hasMessage("""
                orders.odcs.yaml: servers[0].type: the mesh's products are Kafka topics: only servers of type kafka, got 'postgres'""");
    }

    @Test
    void anOdcsVersionBeforeThreeIsRefused() {
        assertThatThrownBy(() -> parse(ORDERS.replace("apiVersion: v3.1.0", "apiVersion: v2.2.2"), "orders.odcs.yaml"))
                .hasMessage("orders.odcs.yaml: apiVersion: the mesh reads ODCS v3.x (v3.0.x, v3.1.0), got 'v2.2.2'");
    }

    @Test
    void theMeshsOwnYamlIsNotReadAsOdcs() {
        assertThat(OdcsContracts.isOdcs(read(EXAMPLES.resolve("orders/order-placed.yaml")))).isFalse();
        assertThat(OdcsContracts.isOdcs(ORDERS)).isTrue();
    }

    private static ProductContract parse(String odcs) {
        return parse(odcs, "contract.odcs.yaml");
    }

    private static ProductContract parse(String odcs, String source) {
        return DataContracts.parse(odcs, source, NO_FILES);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
