package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.MeshException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ConsumedRecordsTest {

    private static final int SCHEMA_ID = 7;
    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "fields": [
              {"name": "orderId", "type": "string"},
              {"name": "amount", "type": "double"},
              {"name": "items", "type": "int"},
              {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "coupon", "type": ["null", "string"], "default": null},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
              {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}}
            ]}""");
    private static final long PLACED_AT = Instant.parse("2026-12-01T09:00:00Z").toEpochMilli();

    private final ConsumedRecords records = new ConsumedRecords(ConsumedRecordsTest::decode);

    @Test
    void anAvroValueIsShownByItsWriterSchemaAsPlainJsonWithKeyPartitionOffsetAndTimestamp() {
        ObjectNode shown = records.json(record("o-1", wire(order())));

        assertThat(TerminalText.json(shown, false)).isEqualTo("{\"topic\":\"orders.order-placed.v1\",\"partition\":1,\"offset\":42,"
                + "\"timestamp\":\"2026-12-01T09:00:01Z\",\"key\":\"o-1\",\"value\":{\"orderId\":\"o-1\",\"amount\":12.5,\"items\":2,"
                + "\"placedAt\":\"2026-12-01T09:00:00Z\",\"coupon\":null,\"tags\":[\"gift\"],\"price\":12.50,\"status\":\"NEW\"},"
                + "\"valueFormat\":\"avro\"}");
    }

    @Test
    void aValueThatIsNotAvroIsShownAsItsUtf8TextMarkedSo() {
        ObjectNode shown = records.json(record("o-2", "{\"orderId\": \"o-2\"}".getBytes(StandardCharsets.UTF_8)));

        assertThat(shown.path("value").asText()).isEqualTo("{\"orderId\": \"o-2\"}");
        assertThat(shown.path("valueFormat").asText()).isEqualTo(ConsumedRecords.TEXT);
    }

    @Test
    void bytesThatAreNeitherAvroNorUtf8AreShownAsBase64MarkedSoAndSoIsSuchAKey() {
        byte[] bytes = {(byte) 0xff, (byte) 0xfe, 1, 2};
        ObjectNode shown = records.json(new ConsumerRecord<>("t", 0, 0, bytes, bytes));

        assertThat(shown.path("value").asText()).isEqualTo("//4BAg==");
        assertThat(shown.path("valueFormat").asText()).isEqualTo(ConsumedRecords.BASE64);
        assertThat(shown.path("key").asText()).isEqualTo("//4BAg==");
        assertThat(shown.path("keyFormat").asText()).isEqualTo(ConsumedRecords.BASE64);
    }

    @Test
    void aWireFormatValueWithASchemaIdTheRegistryDoesNotHoldIsShownAsBytesAndTheRegistryIsAskedOnce() {
        var asked = new AtomicInteger();
        var unknown = new ConsumedRecords(bytes -> {
            asked.incrementAndGet();
            throw new MeshException("could not read schema id 99: no such content");
        });
        byte[] value = {0, 0, 0, 0, 99, (byte) 0xc8};

        assertThat(unknown.json(record("k", value)).path("valueFormat").asText()).isEqualTo(ConsumedRecords.BASE64);
        assertThat(unknown.json(record("k", value)).path("value").asText()).isEqualTo("AAAAAGPI");
        assertThat(asked).hasValue(1);
    }

    @Test
    void aRegistryThatDoesNotAnswerFailsTheCommandRatherThanShowAGoodRecordAsBytes() {
        var outage = new ConsumedRecords(bytes -> {
            throw new SchemaRegistry.Unreachable("the schema registry at http://127.0.0.1:1 does not answer", null);
        });

        assertThatThrownBy(() -> outage.json(record("o-1", wire(order())))).isInstanceOf(SchemaRegistry.Unreachable.class);
    }

    @Test
    void aTombstoneIsShownAsANullValue() {
        ObjectNode shown = records.json(record("o-1", null));

        assertThat(shown.get("value").isNull()).isTrue();
        assertThat(shown.has("valueFormat")).isFalse();
    }

    @Test
    void aDeadLetterShowsTheRuleReasonContractVersionAndSourcePartitionAndOffset() {
        var headers = new RecordHeaders();
        Map.of(DeadLetterHeaders.RULE, "positive-amount", DeadLetterHeaders.REASON, "quality rule 'positive-amount' (record.amount > 0) is false",
                DeadLetterHeaders.CONTRACT_VERSION, "1.0.0", DeadLetterHeaders.SOURCE_PARTITION, "0", DeadLetterHeaders.SOURCE_OFFSET, "17",
                "traceparent", "00-abc")
                .forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        var record = new ConsumerRecord<>("orders.order-placed.v1.dlq", 0, 3, PLACED_AT, TimestampType.CREATE_TIME, 0, 0,
                "o-bad".getBytes(StandardCharsets.UTF_8), "not json".getBytes(StandardCharsets.UTF_8), headers, Optional.empty());

        assertThat(TerminalText.json(records.json(record).get("deadLetter"), false)).isEqualTo("{\"rule\":\"positive-amount\","
                + "\"reason\":\"quality rule 'positive-amount' (record.amount > 0) is false\",\"contractVersion\":\"1.0.0\","
                + "\"sourcePartition\":\"0\",\"sourceOffset\":\"17\"}");
    }

    @Test
    void aRecordWithoutDeadLetterHeadersHasNoDeadLetterPart() {
        assertThat(records.json(record("o-1", wire(order()))).has("deadLetter")).isFalse();
    }

    @Test
    void theTableHasTheKeyAndEachFieldOfTheValueAndMarksValuesThatAreNotAvro() {
        var table = ConsumedTable.of(List.of(records.json(record("o-1", wire(order()))),
                records.json(record("o-2", "plain text".getBytes(StandardCharsets.UTF_8))), records.json(record("o-3", null))));
        var out = new java.io.StringWriter();

        table.print(new java.io.PrintWriter(out));

        assertThat(out.toString().lines()).containsExactly(
                "PARTITION  OFFSET  KEY  orderId  amount  items  placedAt              coupon  tags      price  status  VALUE",
                "1          42      o-1  o-1      12.5    2      2026-12-01T09:00:00Z  null    [\"gift\"]  12.50  NEW",
                "1          42      o-2                                                                                 (text) plain text",
                "1          42      o-3                                                                                 null");
    }

    @Test
    void theTableOfDeadLettersShowsTheRuleTheSourceAndTheReason() {
        var headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.RULE, "schema".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.REASON, "not a JSON object".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, "5".getBytes(StandardCharsets.UTF_8));
        var record = new ConsumerRecord<>("orders.order-placed.v1.dlq", 0, 2, PLACED_AT, TimestampType.CREATE_TIME, 0, 0,
                "o-9".getBytes(StandardCharsets.UTF_8), "oops".getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
        var out = new java.io.StringWriter();

        ConsumedTable.of(List.of(records.json(record))).print(new java.io.PrintWriter(out));

        assertThat(out.toString().lines()).containsExactly(
                "PARTITION  OFFSET  KEY  VALUE        RULE    SOURCE  REASON",
                "0          2       o-9  (text) oops  schema  0/5     not a JSON object");
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ConsumerRecord<>("orders.order-placed.v1", 1, 42, PLACED_AT + 1000, TimestampType.CREATE_TIME, 0, 0,
                key.getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(), Optional.empty());
    }

    private static GenericRecord order() {
        GenericRecord order = new GenericData.Record(ORDER);
        order.put("orderId", "o-1");
        order.put("amount", 12.5);
        order.put("items", 2);
        order.put("placedAt", PLACED_AT);
        order.put("tags", List.of("gift"));
        Schema price = ORDER.getField("price").schema();
        order.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.50"), price, LogicalTypes.decimal(9, 2)));
        order.put("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(), "NEW"));
        return order;
    }

    /** The wire format as WireAvro reads it: magic byte, schema id, Avro binary. */
    private static byte[] wire(GenericRecord record) {
        try {
            var out = new ByteArrayOutputStream();
            out.write(ByteBuffer.allocate(WireAvro.HEADER_LENGTH).put((byte) 0).putInt(SCHEMA_ID).array());
            var encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What WireAvro does with a registry holding one schema, {@value #SCHEMA_ID}. */
    private static GenericRecord decode(byte[] bytes) {
        if (bytes[0] != 0 || ByteBuffer.wrap(bytes, 1, 4).getInt() != SCHEMA_ID) {
            throw new IllegalArgumentException("not in the wire format");
        }
        try {
            return new GenericDatumReader<GenericRecord>(ORDER).read(null,
                    DecoderFactory.get().binaryDecoder(bytes, WireAvro.HEADER_LENGTH, bytes.length - WireAvro.HEADER_LENGTH, null));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

}
