package io.streammesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A product's Avro record, read with its writer's schema, as plain JSON for people: no union
 * wrappers, times and dates as ISO-8601 text, decimals as numbers, bytes as base64. The record
 * is generic (no logical-type conversions), so the schema says what a long or bytes stands for.
 */
final class RecordJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final long MICROS_PER_SECOND = 1_000_000;

    private RecordJson() {
    }

    /** @param record a record read with its writer's schema @return its fields as a JSON object */
    static ObjectNode of(GenericRecord record) {
        ObjectNode node = JSON.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), value(field.schema(), record.get(field.pos())));
        }
        return node;
    }

    private static JsonNode value(Schema schema, Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        return switch (schema.getType()) {
            case UNION -> value(schema.getTypes().get(GenericData.get().resolveUnion(schema, value)), value);
            case RECORD -> of((GenericRecord) value);
            case ARRAY -> array(schema.getElementType(), (Collection<?>) value);
            case MAP -> map(schema.getValueType(), (Map<?, ?>) value);
            case BOOLEAN -> JSON.booleanNode((Boolean) value);
            case INT -> schema.getLogicalType() instanceof LogicalTypes.Date
                    ? JSON.textNode(LocalDate.ofEpochDay((Integer) value).toString()) : JSON.numberNode((Integer) value);
            case LONG -> timestamp(schema.getLogicalType(), (Long) value);
            case FLOAT, DOUBLE -> number(((Number) value).doubleValue());
            case BYTES -> bytes(schema.getLogicalType(), bytesOf((ByteBuffer) value));
            case FIXED -> bytes(schema.getLogicalType(), ((GenericData.Fixed) value).bytes());
            default -> JSON.textNode(value.toString());
        };
    }

    private static ArrayNode array(Schema items, Collection<?> values) {
        ArrayNode array = JSON.arrayNode();
        values.forEach(item -> array.add(value(items, item)));
        return array;
    }

    private static ObjectNode map(Schema values, Map<?, ?> entries) {
        ObjectNode object = JSON.objectNode();
        entries.forEach((k, v) -> object.set(k.toString(), value(values, v)));
        return object;
    }

    private static JsonNode timestamp(LogicalType type, long value) {
        if (type instanceof LogicalTypes.TimestampMillis) {
            return JSON.textNode(Instant.ofEpochMilli(value).toString());
        }
        if (type instanceof LogicalTypes.TimestampMicros) {
            return JSON.textNode(Instant.ofEpochSecond(Math.floorDiv(value, MICROS_PER_SECOND),
                    Math.floorMod(value, MICROS_PER_SECOND) * 1_000).toString());
        }
        return JSON.numberNode(value);
    }

    /** JSON has no NaN or infinity: those are shown as Java writes them, as text. */
    private static JsonNode number(double value) {
        return Double.isFinite(value) ? JSON.numberNode(value) : JSON.textNode(Double.toString(value));
    }

    private static JsonNode bytes(LogicalType type, byte[] bytes) {
        if (type instanceof LogicalTypes.Decimal decimal && bytes.length > 0) {
            return JSON.numberNode(new BigDecimal(new BigInteger(bytes), decimal.getScale()));
        }
        return JSON.textNode(Base64.getEncoder().encodeToString(bytes));
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
