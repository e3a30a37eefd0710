package io.streammesh.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.schema.AvroBytes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * An Avro record as plain JSON for people and REST clients: no union wrappers, times and dates as
 * ISO-8601 text, decimals as numbers, bytes as base64, enums and strings as text, NaN and
 * infinities as the text Java writes for them (JSON has no such numbers).
 *
 * <p>It reads both kinds of record the mesh has: a generic record read with its writer's schema
 * (a product's record in {@code mesh consume}), whose values are raw, so the schema's logical type
 * says what a {@code long} or {@code bytes} stands for; and a specific record (the catalog's
 * {@code DataProduct}, {@code ProductRegistration}, ...), whose generated class has already
 * converted them ({@link Instant}, {@link LocalDate}, {@link BigDecimal}). Stateless and
 * thread-safe.
 */
public final class AvroJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final long MICROS_PER_SECOND = 1_000_000;

    private AvroJson() {
    }

    /**
     * @param record a generic or specific record
     * @return its fields, in the order of its schema, as a JSON object
     */
    public static ObjectNode of(GenericRecord record) {
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
            case UNION -> value(branch(schema, value), value);
            case RECORD -> of((GenericRecord) value);
            case ARRAY -> array(schema.getElementType(), (Collection<?>) value);
            case MAP -> map(schema.getValueType(), (Map<?, ?>) value);
            case BOOLEAN -> JSON.booleanNode((Boolean) value);
            case INT -> date(schema.getLogicalType(), value);
            case LONG -> timestamp(schema.getLogicalType(), value);
            case FLOAT, DOUBLE -> number(((Number) value).doubleValue());
            case BYTES -> value instanceof ByteBuffer buffer ? bytes(schema.getLogicalType(), AvroBytes.copyOf(buffer)) : converted(value);
            case FIXED -> value instanceof GenericData.Fixed fixed ? bytes(schema.getLogicalType(), fixed.bytes()) : converted(value);
            default -> JSON.textNode(value.toString());
        };
    }

    /**
     * The branch of a union a value was written with. An optional field ({@code ["null", T]}), the
     * usual union, is {@code T}: a specific record's converted values (an {@link Instant}) are not
     * Avro's own types, which is all that {@link GenericData#resolveUnion} knows.
     */
    private static Schema branch(Schema union, Object value) {
        List<Schema> types = union.getTypes().stream().filter(type -> type.getType() != Schema.Type.NULL).toList();
        return types.size() == 1 ? types.get(0) : union.getTypes().get(GenericData.get().resolveUnion(union, value));
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

    private static JsonNode date(LogicalType type, Object value) {
        if (value instanceof Integer days) {
            return type instanceof LogicalTypes.Date ? JSON.textNode(LocalDate.ofEpochDay(days).toString()) : JSON.numberNode(days);
        }
        return converted(value);
    }

    private static JsonNode timestamp(LogicalType type, Object value) {
        if (!(value instanceof Long number)) {
            return converted(value);
        }
        if (type instanceof LogicalTypes.TimestampMillis) {
            return JSON.textNode(Instant.ofEpochMilli(number).toString());
        }
        if (type instanceof LogicalTypes.TimestampMicros) {
            return JSON.textNode(Instant.ofEpochSecond(Math.floorDiv(number, MICROS_PER_SECOND),
                    Math.floorMod(number, MICROS_PER_SECOND) * 1_000).toString());
        }
        return JSON.numberNode(number);
    }

    /** A value a specific record's class converted: a decimal stays a number, any other (a time, a date) is its ISO-8601 text. */
    private static JsonNode converted(Object value) {
        return value instanceof BigDecimal decimal ? JSON.numberNode(decimal) : JSON.textNode(value.toString());
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
}
