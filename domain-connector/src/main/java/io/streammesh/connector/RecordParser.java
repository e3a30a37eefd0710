package io.streammesh.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
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
        if (blank(text)) {
            throw new RecordParseException("empty line");
        }
        try {
            // From the bytes (no String of the whole value first), unless Jackson would take them for another encoding than
            // UTF-8: it reads bytes that start with a BOM or a NUL as UTF-16 or UTF-32, which a String of them never is.
            return fromJson(utf8Only(text) ? JSON.readTree(text) : JSON.readTree(new String(text, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new RecordParseException("not JSON: " + (e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage()),
                    "not JSON");
        }
    }

    /** @return whether Jackson reads these bytes as UTF-8: no byte-order mark and no NUL among the first four */
    private static boolean utf8Only(byte[] text) {
        if (text.length >= 3 && text[0] == (byte) 0xEF && text[1] == (byte) 0xBB && text[2] == (byte) 0xBF) {
            return false;
        }
        for (int i = 0; i < Math.min(4, text.length); i++) {
            if (text[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the text is only whitespace, as {@link String#isBlank} has it */
    private static boolean blank(byte[] text) {
        for (byte b : text) {
            if (b < 0) {
                // beyond ASCII before anything else: decoded, so that Unicode's spaces count as they did
                return new String(text, StandardCharsets.UTF_8).isBlank();
            }
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    GenericRecord fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new RecordParseException("expected a JSON object, got " + (json == null ? "nothing" : json.getNodeType().name().toLowerCase()));
        }
        return record(schema, json, "");
    }

    GenericRecord fromCsv(Map<String, String> row) {
        var record = new GenericData.Record(schema);
        Set<String> unknown = new HashSet<>(row.keySet());
        for (Schema.Field field : schema.getFields()) {
            unknown.remove(field.name());
            String cell = row.get(field.name());
            record.put(field.pos(), cell == null ? defaultOf(field, field.name()) : text(field.schema(), cell, field.name()));
        }
        if (!unknown.isEmpty()) {
            throw new RecordParseException("unknown column(s) " + String.join(", ", unknown.stream().sorted().toList())
                    + " (the schema has " + fieldNames(schema) + ")");
        }
        return record;
    }

    /**
     * @param header a CSV header row
     * @return the schema's fields that have no column and no default, which no row can fill
     */
    List<String> missingColumns(List<String> header) {
        return schema.getFields().stream().filter(f -> !header.contains(f.name()) && !f.hasDefaultValue())
                .map(Schema.Field::name).toList();
    }

    /**
     * The fields are counted rather than collected: the names of unknown ones are looked for only
     * when there are some, as a set of every record's names cost the gate a tenth of a JSON record.
     */
    private GenericRecord record(Schema recordSchema, JsonNode json, String path) {
        var record = new GenericData.Record(recordSchema);
        int known = 0;
        for (Schema.Field field : recordSchema.getFields()) {
            JsonNode value = json.get(field.name());
            String at = path.isEmpty() ? field.name() : path + field.name();
            if (value == null) {
                record.put(field.pos(), defaultOf(field, at));
                continue;
            }
            known++;
            record.put(field.pos(), json(field.schema(), value, at));
        }
        if (known != json.size()) {
            Set<String> unknown = new HashSet<>();
            json.fieldNames().forEachRemaining(unknown::add);
            recordSchema.getFields().forEach(field -> unknown.remove(field.name()));
            throw new RecordParseException("unknown field(s) " + String.join(", ", unknown.stream().sorted().map(f -> path + f).toList())
                    + " (the schema has " + fieldNames(recordSchema) + ")");
        }
        return record;
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
        long plain = plainUtcMillis(text);
        if (plain != NOT_PLAIN_UTC) {
            return plain;
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            String expected = "field " + at + ": expected epoch milliseconds or an ISO-8601 time (e.g. 2026-11-25T10:15:30Z)";
            throw new RecordParseException(expected + ", got '" + text + "'", expected);
        }
    }

    /** What {@link #plainUtcMillis} gives for text in any other form: no four-digit year's time. */
    static final long NOT_PLAIN_UTC = Long.MIN_VALUE;

    /**
     * An ISO-8601 time in the form most clients write, {@code 2026-11-25T10:15:30Z} with an optional
     * fraction of up to nine digits, read digit by digit: {@code Instant.parse}'s formatter cost the
     * gate more than all the rest of a JSON record. It reads the same instant as {@code Instant.parse};
     * every other form (offsets, lower case, leap seconds, other years) is left to it.
     *
     * @param text a time
     * @return its epoch milliseconds (the fraction truncated, as {@link Instant#toEpochMilli}), or {@link #NOT_PLAIN_UTC}
     */
    static long plainUtcMillis(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
            return NOT_PLAIN_UTC;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1
                || day > Month.of(month).length(Year.isLeap(year)) || hour > 23 || minute > 59 || second > 59) {
            return NOT_PLAIN_UTC;
        }
        int millis = 0;
        if (length > 20) {
            int fraction = length - 21;
            if (text.charAt(19) != '.' || fraction < 1 || fraction > 9 || digits(text, 20, fraction) < 0) {
                return NOT_PLAIN_UTC;
            }
            millis = digits(text, 20, Math.min(fraction, 3));
            for (int i = fraction; i < 3; i++) {
                millis *= 10;
            }
        }
        return LocalDate.of(year, month, day).toEpochDay() * 86_400_000L + hour * 3_600_000L + minute * 60_000L + second * 1_000L + millis;
    }

    /** @return the decimal number of {@code count} digits from {@code start}, or -1 if one is not a digit */
    private static int digits(String text, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
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

    /** @return a copy of a missing field's default, as Avro's record builder would give it */
    private static Object defaultOf(Schema.Field field, String at) {
        if (!field.hasDefaultValue()) {
            throw new RecordParseException("field " + at + " is missing (required: it has no default)");
        }
        try {
            return GenericData.get().deepCopy(field.schema(), GenericData.get().getDefaultValue(field));
        } catch (org.apache.avro.AvroRuntimeException e) {
            throw new RecordParseException(e.getMessage(), "not a record of the schema");
        }
    }

    private static String fieldNames(Schema schema) {
        return String.join(", ", schema.getFields().stream().map(Schema.Field::name).toList());
    }
}
