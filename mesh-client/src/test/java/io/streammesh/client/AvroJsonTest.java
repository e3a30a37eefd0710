package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "fields": [
              {"name": "orderId", "type": "string"},
              {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "shippedAt", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}], "default": null},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
              {"name": "score", "type": "double"},
              {"name": "note", "type": ["null", "string", "int"], "default": null},
              {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PLACED", "SHIPPED"]}},
              {"name": "signature", "type": "bytes"},
              {"name": "lines", "type": {"type": "array", "items": "int"}},
              {"name": "labels", "type": {"type": "map", "values": "string"}}
            ]}""");

    @Test
    void aGenericRecordIsShownByItsSchemaWithTimesDatesAndDecimalsReadable() {
        GenericRecord order = new GenericData.Record(ORDER);
        order.put("orderId", "o-1");
        order.put("placedAt", 1_764_633_600_000L);
        order.put("shippedAt", 1_764_633_600_000_001L);
        order.put("day", 20_424);
        Schema price = ORDER.getField("price").schema();
        order.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.50"), price, LogicalTypes.decimal(9, 2)));
        order.put("score", Double.NaN);
        order.put("note", 7);
        order.put("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(), "SHIPPED"));
        order.put("signature", ByteBuffer.wrap("sig".getBytes(StandardCharsets.UTF_8)));
        order.put("lines", List.of(1, 2));
        order.put("labels", Map.of("gift", "yes"));

        assertThat(AvroJson.of(order)).hasToString("{\"orderId\":\"o-1\",\"placedAt\":\"2025-12-02T00:00:00Z\","
                + "\"shippedAt\":\"2025-12-02T00:00:00.000001Z\",\"day\":\"2025-12-02\",\"price\":12.50,\"score\":\"NaN\",\"note\":7,"
                + "\"status\":\"SHIPPED\",\"signature\":\"c2ln\",\"lines\":[1,2],\"labels\":{\"gift\":\"yes\"}}");
    }

    @Test
    void aSpecificRecordShowsTheValuesItsClassConvertedTheSameWay() {
        ProductRegistration registration = ProductRegistration.newBuilder().setAddress("orders.order-placed.v1").setDomain("orders")
                .setName("order-placed").setVersion("1.0.0").setOwner(Owner.newBuilder().setTeam("orders-team").build())
                .setSchemaSubject("orders.order-placed.v1-value").setSchemaVersion(3).setPublishedAt(Instant.parse("2025-12-02T00:00:00Z"))
                .build();

        var json = AvroJson.of(registration);

        assertThat(json.path("publishedAt").asText()).isEqualTo("2025-12-02T00:00:00Z");
        assertThat(json.at("/owner/team").asText()).isEqualTo("orders-team");
        assertThat(json.path("schemaVersion").asInt()).isEqualTo(3);
        assertThat(json.path("description").isNull()).isTrue();
        assertThat(json.path("tags").isArray()).isTrue();
    }
}
