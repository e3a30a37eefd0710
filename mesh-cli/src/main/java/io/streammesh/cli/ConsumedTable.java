package io.streammesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Records {@code mesh consume} read, as a {@link Table} for people: partition, offset and key,
 * a column for each field of the Avro values, VALUE for values that are not Avro (marked
 * {@code (text)} or {@code (base64)}) and tombstones ({@code null}), and the rule, reason and
 * source of dead letters.
 */
final class ConsumedTable {

    private static final String DEAD_LETTER = "deadLetter";

    private ConsumedTable() {
    }

    /**
     * @param records records as {@link ConsumedRecords#json} shows them
     * @return them as one table, its columns those the records have
     */
    static Table of(List<ObjectNode> records) {
        Set<String> fields = new LinkedHashSet<>();
        boolean raw = false;
        boolean deadLetters = false;
        for (ObjectNode record : records) {
            if (record.path("value").isObject()) {
                record.path("value").fieldNames().forEachRemaining(fields::add);
            } else {
                raw = true;
            }
            deadLetters |= record.has(DEAD_LETTER);
        }
        List<String> header = new ArrayList<>(List.of("PARTITION", "OFFSET", "KEY"));
        header.addAll(fields);
        if (raw) {
            header.add("VALUE");
        }
        if (deadLetters) {
            header.addAll(List.of("RULE", "SOURCE", "REASON"));
        }
        var table = new Table(header.toArray(String[]::new));
        for (ObjectNode record : records) {
            table.row(row(record, fields, raw, deadLetters).toArray(String[]::new));
        }
        return table;
    }

    private static List<String> row(ObjectNode record, Set<String> fields, boolean raw, boolean deadLetters) {
        List<String> cells = new ArrayList<>(List.of(record.path("partition").asText(), record.path("offset").asText(),
                text(record.get("key")) + (record.has("keyFormat") ? " (" + record.path("keyFormat").asText() + ")" : "")));
        JsonNode value = record.path("value");
        fields.forEach(field -> cells.add(value.isObject() && value.has(field) ? text(value.get(field)) : ""));
        if (raw) {
            cells.add(value.isObject() ? "" : value.isNull() ? "null" : "(" + record.path("valueFormat").asText() + ") " + value.asText());
        }
        if (deadLetters) {
            JsonNode reasons = record.path(DEAD_LETTER);
            cells.add(reasons.path("rule").asText(""));
            cells.add(reasons.has("sourceOffset") ? reasons.path("sourcePartition").asText() + "/" + reasons.path("sourceOffset").asText() : "");
            cells.add(reasons.path("reason").asText(""));
        }
        return cells;
    }

    /** Text as it is, anything else (numbers, nested records, lists) as compact JSON. */
    private static String text(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        return node.isTextual() ? node.asText() : node.toString();
    }
}
