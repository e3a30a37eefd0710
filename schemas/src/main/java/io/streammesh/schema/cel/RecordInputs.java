package io.streammesh.schema.cel;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * The run-time input bound of the {@link EvaluationBudget}: the fields an expression reads hold
 * no string or bytes longer than {@value EvaluationBudget#MAX_VALUE_LENGTH} and no list or map of
 * more than {@value EvaluationBudget#MAX_ITEMS} items, at any depth. Calls such as
 * {@code contains} cost the product of their operands' lengths; bounding the operands bounds the
 * call, outside comprehensions as inside.
 */
final class RecordInputs {

    private RecordInputs() {
    }

    /**
     * The top-level fields an expression reads in records of one schema that may hold a value
     * over the budget, found once per schema rather than per record: a number, a boolean or an
     * enum symbol never is, and checking them cost more than evaluating a rule over them.
     *
     * @param schema the records' schema, compared by identity
     * @param fields the fields, in schema order
     */
    record Reads(Schema schema, List<Schema.Field> fields) {

        /**
         * @param schema a record schema
         * @param names the top-level fields an expression reads, or empty for all of them
         * @return those of the schema's fields whose values may be over the budget
         */
        static Reads of(Schema schema, Optional<Set<String>> names) {
            return new Reads(schema, schema.getFields().stream()
                    .filter(field -> names.isEmpty() || names.get().contains(field.name()))
                    .filter(field -> !alwaysWithin(field.schema()))
                    .toList());
        }

        private static boolean alwaysWithin(Schema schema) {
            return switch (schema.getType()) {
                case NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, ENUM -> true;
                case UNION -> schema.getTypes().stream().allMatch(Reads::alwaysWithin);
                default -> false;
            };
        }
    }

    /**
     * @param record the record about to be evaluated
     * @param reads the fields the expression reads, for the record's schema
     * @return why the record is over the budget, naming the field, or empty if it is within it
     */
    static Optional<String> overBudget(GenericRecord record, Reads reads) {
        if (within(record, reads)) {
            return Optional.empty();
        }
        for (Schema.Field field : reads.fields()) {
            Optional<String> over = overBudget(() -> RecordExpression.VARIABLE + "." + field.name(), record.get(field.pos()));
            if (over.isPresent()) {
                return over;
            }
        }
        return Optional.empty();
    }

    /** The check alone, allocating nothing: it runs for every rule on every record, and nearly every record is within. */
    private static boolean within(GenericRecord record, Reads reads) {
        for (Schema.Field field : reads.fields()) {
            if (!within(record.get(field.pos()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean within(Object value) {
        if (value instanceof CharSequence text) {
            // Avro's Utf8 counts characters by decoding the whole string; its byte length is never less
            return text instanceof Utf8 utf8 && utf8.getByteLength() <= EvaluationBudget.MAX_VALUE_LENGTH
                    || text.length() <= EvaluationBudget.MAX_VALUE_LENGTH;
        }
        if (value instanceof ByteBuffer bytes) {
            return bytes.remaining() <= EvaluationBudget.MAX_VALUE_LENGTH;
        }
        if (value instanceof GenericFixed fixed) {
            return fixed.bytes().length <= EvaluationBudget.MAX_VALUE_LENGTH;
        }
        if (value instanceof GenericRecord nested) {
            for (Schema.Field field : nested.getSchema().getFields()) {
                if (!within(nested.get(field.pos()))) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Collection<?> items) {
            if (items.size() > EvaluationBudget.MAX_ITEMS) {
                return false;
            }
            for (Object item : items) {
                if (!within(item)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Map<?, ?> map) {
            if (map.size() > EvaluationBudget.MAX_ITEMS) {
                return false;
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!within(entry.getKey()) || !within(entry.getValue())) {
                    return false;
                }
            }
            return true;
        }
        return true;
    }

    /** Paths and sizes are put in words only for a value over the budget, found by {@link #within(Object)} first. */
    private static Optional<String> overBudget(Supplier<String> path, Object value) {
        if (value instanceof CharSequence text) {
            return over(path, () -> "a string of " + text.length() + " characters", text.length(), EvaluationBudget.MAX_VALUE_LENGTH);
        }
        if (value instanceof ByteBuffer bytes) {
            return over(path, () -> bytes.remaining() + " bytes", bytes.remaining(), EvaluationBudget.MAX_VALUE_LENGTH);
        }
        if (value instanceof GenericFixed fixed) {
            return over(path, () -> fixed.bytes().length + " bytes", fixed.bytes().length, EvaluationBudget.MAX_VALUE_LENGTH);
        }
        if (value instanceof GenericRecord nested) {
            for (Schema.Field field : nested.getSchema().getFields()) {
                Optional<String> over = overBudget(() -> path.get() + "." + field.name(), nested.get(field.pos()));
                if (over.isPresent()) {
                    return over;
                }
            }
            return Optional.empty();
        }
        if (value instanceof Collection<?> items) {
            Optional<String> over = over(path, () -> "a list of " + items.size() + " items", items.size(), EvaluationBudget.MAX_ITEMS);
            for (var item = items.iterator(); over.isEmpty() && item.hasNext();) {
                over = overBudget(() -> path.get() + "[]", item.next());
            }
            return over;
        }
        if (value instanceof Map<?, ?> map) {
            Optional<String> over = over(path, () -> "a map of " + map.size() + " items", map.size(), EvaluationBudget.MAX_ITEMS);
            for (var entry = map.entrySet().iterator(); over.isEmpty() && entry.hasNext();) {
                Map.Entry<?, ?> next = entry.next();
                Supplier<String> entryPath = () -> path.get() + "{}";
                over = overBudget(entryPath, next.getKey()).or(() -> overBudget(entryPath, next.getValue()));
            }
            return over;
        }
        return Optional.empty();
    }

    private static Optional<String> over(Supplier<String> path, Supplier<String> holds, int size, int limit) {
        return size <= limit ? Optional.empty()
                : Optional.of(path.get() + " holds " + holds.get() + "; at most " + limit + " may be read");
    }
}
