package io.streammesh.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;

/**
 * Turns plain JSON objects and CSV rows into Avro records of a product's schema, with errors
 * that name the field: nullable fields take {@code null} (or an empty CSV cell), timestamps take
 * epoch millis or ISO-8601 text, missing fields take the schema's default, unknown ones are refused.
 */
final class RecordParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Schema schema;

    RecordParser(Schema schema) {
        this.schema = schema;
    }

    /** A line that cannot become a record of the schema; the message names the field. */
    static final class RecordParseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The message without any of the line's values. */
        private final String valueFree;

        /** @param message what is wrong, quoting none of the line's values */
        RecordParseException(String message) {
            this(message, message);
        }

        /**
         * @param message what is wrong, with the offending value
         * @param valueFree what is wrong, naming the field and what it must be but none of the line's values
         */
        RecordParseException(String message, String valueFree) {
            super(message);
            this.valueFree = valueFree;
        }

        /** @return what is wrong without any of the line's values, for a product whose values may be secret */
        String valueFree() {
            return valueFree;
        }
    }

    /**
     * One JSON Lines line or one record value, as {@code mesh produce} and the contract gate take
     * them: UTF-8 text holding a JSON object of the schema's fields.
     *
     * @param text the bytes
     * @return the record
     * @throws RecordParseException saying what is wrong, in one line
     */
    GenericRecord fromJsonText(byte[] text) {
        String problem = Utf8Lines.problem(text);
        if (problem != null) {
            throw new RecordParseException(problem);
        }
        String line = new String(text, StandardCharsets.UTF_8);
        if (line.isBlank()) {
            throw new RecordParseException("empty line");
        }
        try {
            return fromJson(JSON.readTree(line));
        } catch (JsonProcessingException e) {
            throw new RecordParseException("not JSON: " + e.getOriginalMessage(), "not JSON");
        }
    }

    GenericRecord fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new RecordParseException("expected a JSON object, got " + (json == null ? "nothing" : json.getNodeType().name().toLowerCase()));
        }
        return record(schema, json, "");
    }

    GenericRecord fromCsv(Map<String, String> row) {
        var builder = new GenericRecordBuilder(schema);
        Set<String> unknown = new HashSet<>(row.keySet());
        for (Schema.Field field : schema.getFields()) {
            unknown.remove(field.name());
            String cell = row.get(field.name());
            if (cell == null) {
                requireDefault(field, field.name());
                continue;
            }
            builder.set(field, text(field.schema(), cell, field.name()));
        }
        if (!unknown.isEmpty()) {
            throw new RecordParseException("unknown column(s) " + String.join(", ", unknown.stream().sorted().toList())
                    + " (the schema has " + fieldNames(schema) + ")");
        }
        return build(builder);
    }

    /**
     * @param header a CSV header row
     * @return the schema's fields that have no column and no default, which no row can fill
     */
    List<String> missingColumns(List<String> header) {
        return schema.getFields().stream().filter(f -> !header.contains(f.name()) && !f.hasDefaultValue())
                .map(Schema.Field::name).toList();
    }

    private GenericRecord record(Schema recordSchema, JsonNode json, String path) {
        var builder = new GenericRecordBuilder(recordSchema);
        Set<String> unknown = new HashSet<>();
        json.fieldNames().forEachRemaining(unknown::add);
        for (Schema.Field field : recordSchema.getFields()) {
            unknown.remove(field.name());
            JsonNode value = json.get(field.name());
            String at = path + field.name();
            if (value == null) {
                requireDefault(field, at);
                continue;
            }
            builder.set(field, json(field.schema(), value, at));
        }
        if (!unknown.isEmpty()) {
            throw new RecordParseException("unknown field(s) " + String.join(", ", unknown.stream().sorted().map(f -> path + f).toList())
                    + " (the schema has " + fieldNames(recordSchema) + ")");
        }
        return build(builder);
    }

    private Object json(Schema type, JsonNode value, String at) {
        if (type.getType() == Schema.Type.UNION) {
            if (value.isNull()) {
                if (type.getTypes().stream().noneMatch(s -> s.getType() == Schema.Type.NULL)) {
                    throw new RecordParseException("field " + at + ": must not be null");
                }
                return null;
            }
            RecordParseException last = null;
            for (Schema branch : type.getTypes()) {
                if (branch.getType() == Schema.Type.NULL) {
                    continue;
                }
                try {
                    return json(branch, value, at);
                } catch (RecordParseException e) {
                    last = e;
                }
            }
            throw last == null ? new RecordParseException("field " + at + ": no type of the union fits") : last;
        }
        if (value.isNull()) {
            throw new RecordParseException("field " + at + ": must not be null");
        }
        return switch (type.getType()) {
            case STRING -> textual(value, at, "text");
            case ENUM -> symbol(type, textual(value, at, "one of " + type.getEnumSymbols()), at);
            case INT -> {
                if (!value.canConvertToInt() || !value.isIntegralNumber()) {
                    throw expected(at, "a whole number within int range", value);
                }
                yield value.intValue();
            }
            case LONG -> timestamp(type) && value.isTextual() ? instant(value.asText(), at) : longValue(value, at);
            case FLOAT, DOUBLE -> {
                if (!value.isNumber()) {
                    throw expected(at, "a number", value);
                }
                yield type.getType() == Schema.Type.FLOAT ? (Object) value.floatValue() : (Object) value.doubleValue();
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    throw expected(at, "true or false", value);
                }
                yield value.booleanValue();
            }
            case BYTES -> ByteBuffer.wrap(textual(value, at, "text").getBytes(StandardCharsets.UTF_8));
            case RECORD -> {
                if (!value.isObject()) {
                    throw expected(at, "an object", value);
                }
                yield record(type, value, at + ".");
            }
            case ARRAY -> {
                if (!value.isArray()) {
                    throw expected(at, "a list", value);
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < value.size(); i++) {
                    items.add(json(type.getElementType(), value.get(i), at + "[" + i + "]"));
                }
                yield items;
            }
            case MAP -> {
                if (!value.isObject()) {
                    throw expected(at, "an object", value);
                }
                Map<String, Object> map = new LinkedHashMap<>();
                value.fields().forEachRemaining(e -> map.put(e.getKey(), json(type.getValueType(), e.getValue(), at + "." + e.getKey())));
                yield map;
            }
            default -> throw new RecordParseException("field " + at + ": Avro type " + type.getType().getName() + " is not supported in files");
        };
    }

    private Object text(Schema type, String cell, String at) {
        if (type.getType() == Schema.Type.UNION) {
            boolean nullable = type.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
            if (nullable && cell.isEmpty()) {
                return null;
            }
            RecordParseException last = null;
            for (Schema branch : type.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    try {
                        return text(branch, cell, at);
                    } catch (RecordParseException e) {
                        last = e;
                    }
                }
            }
            throw last == null ? new RecordParseException("column " + at + ": no type of the union fits") : last;
        }
        try {
            return switch (type.getType()) {
                case STRING -> cell;
                case ENUM -> symbol(type, cell, at);
                case INT -> Integer.parseInt(cell.strip());
                case LONG -> timestamp(type) && !cell.strip().matches("-?\\d+") ? instant(cell.strip(), at) : Long.parseLong(cell.strip());
                case FLOAT -> Float.parseFloat(cell.strip());
                case DOUBLE -> Double.parseDouble(cell.strip());
                case BOOLEAN -> {
                    String b = cell.strip().toLowerCase();
                    if (!b.equals("true") && !b.equals("false")) {
                        throw new RecordParseException("column " + at + ": expected true or false, got '" + cell + "'",
                                "column " + at + ": expected true or false");
                    }
                    yield Boolean.parseBoolean(b);
                }
                case BYTES -> ByteBuffer.wrap(cell.getBytes(StandardCharsets.UTF_8));
                default -> throw new RecordParseException("column " + at + ": Avro type " + type.getType().getName()
                        + " cannot be written in a CSV cell; use JSON Lines");
            };
        } catch (NumberFormatException e) {
            String expected = "column " + at + ": expected " + (type.getType() == Schema.Type.INT || type.getType() == Schema.Type.LONG
                    ? "a whole number" : "a number");
            throw new RecordParseException(expected + ", got '" + cell + "'", expected);
        }
    }

    private static boolean timestamp(Schema type) {
        return type.getLogicalType() instanceof LogicalTypes.TimestampMillis || type.getLogicalType() instanceof LogicalTypes.LocalTimestampMillis;
    }

    private static long instant(String text, String at) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            String expected = "field " + at + ": expected epoch milliseconds or an ISO-8601 time (e.g. 2026-11-25T10:15:30Z)";
            throw new RecordParseException(expected + ", got '" + text + "'", expected);
        }
    }

    private static long longValue(JsonNode value, String at) {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw expected(at, "a whole number", value);
        }
        return value.longValue();
    }

    private static String textual(JsonNode value, String at, String what) {
        if (!value.isTextual()) {
            throw expected(at, what, value);
        }
        return value.asText();
    }

    private static GenericData.EnumSymbol symbol(Schema type, String symbol, String at) {
        if (!type.hasEnumSymbol(symbol)) {
            throw new RecordParseException("field " + at + ": '" + symbol + "' is not one of " + type.getEnumSymbols(),
                    "field " + at + ": not one of " + type.getEnumSymbols());
        }
        return new GenericData.EnumSymbol(type, symbol);
    }

    private static RecordParseException expected(String at, String what, JsonNode value) {
        return new RecordParseException("field " + at + ": expected " + what + ", got " + value, "field " + at + ": expected " + what);
    }

    private static void requireDefault(Schema.Field field, String at) {
        if (!field.hasDefaultValue()) {
            throw new RecordParseException("field " + at + " is missing (required: it has no default)");
        }
    }

    private static GenericRecord build(GenericRecordBuilder builder) {
        try {
            return builder.build();
        } catch (org.apache.avro.AvroRuntimeException e) {
            throw new RecordParseException(e.getMessage(), "not a record of the schema");
        }
    }

    private static String fieldNames(Schema schema) {
        return String.join(", ", schema.getFields().stream().map(Schema.Field::name).toList());
    }
}
