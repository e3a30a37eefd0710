package io.streammesh.schema.cel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The direct path gives exactly what CEL's interpreter gives: the same value, or the same failure. */
class DirectEvaluationTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Order").fields()
            .requiredString("id")
            .requiredLong("count")
            .requiredInt("items")
            .requiredDouble("amount")
            .requiredBoolean("gift")
            .optionalString("note")
            .name("status").type().enumeration("Status").symbols("NEW", "PAID", "SHIPPED").noDefault()
            .endRecord();

    private static final List<String> EXPRESSIONS = List.of(
            "record.amount > 0",
            "record.amount >= 10 && record.items < 3",
            "record.count > 2 || record.gift",
            "!record.gift && record.count != 0",
            "record.id in ['a', 'b', 'ab', 'é']",
            "record.status in ['NEW', 'PAID']",
            "record.status == 'SHIPPED'",
            "record.items >= 1 && record.amount == 1.0",
            "record.count >= 1.0 && record.count <= 2.5",
            "record.count * 3 + 1 > record.items - 2",
            "record.count * 4611686018427387904 > 0",
            "record.amount * 2.0 - 1.5 < 100.0",
            "size(record.id) == 2 && record.id.startsWith('a')",
            "record.id.contains('b') || record.id.endsWith('é')",
            "record.count > 9007199254740993.0",
            "record.gift ? record.amount > 5 : record.items > 1",
            "record.id + 'x' == 'abx'",
            "record.note == null || record.note.contains('!')",
            "record.note != null && record.note.startsWith('h')",
            "record.id < 'b'",
            "has(record.note)",
            "record.id.matches('^a')");

    @Test
    void everyExpressionGivesTheInterpretersAnswerOnEveryRecord() {
        var random = new Random(11);
        List<GenericRecord> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            records.add(record(random));
        }
        int direct = 0;
        for (String source : EXPRESSIONS) {
            RecordExpression expression = RecordExpression.compile(source, SCHEMA);
            direct += expression.evaluatesDirectly() ? 1 : 0;
            for (GenericRecord record : records) {
                assertThat(outcome(() -> expression.test(record)))
                        .as("%s on %s", source, record)
                        .isEqualTo(outcome(() -> expression.interpret(record)));
            }
        }
        assertThat(direct).as("expressions evaluated directly").isGreaterThanOrEqualTo(EXPRESSIONS.size() - 4);
    }

    @Test
    void theDemoContractsRulesAreEvaluatedDirectly() {
        assertThat(RecordExpression.allOf(List.of("record.amount > 0", "record.status in ['NEW', 'PAID']", "record.items >= 1"), SCHEMA)
                .evaluatesDirectly()).isTrue();
        assertThat(RecordExpression.compile("has(record.note)", SCHEMA).evaluatesDirectly()).isFalse();
    }

    @Test
    void theInterpreterIsBuiltOnlyWhenAnExpressionFirstNeedsIt() {
        RecordExpression direct = RecordExpression.compile("record.count * 4611686018427387904 > 0", SCHEMA);
        assertThat(direct.interpreterReady()).as("after compiling a direct expression").isFalse();

        GenericRecord plain = record(new Random(3));
        plain.put("count", 1L);
        assertThat(direct.test(plain)).isTrue();
        assertThat(direct.interpreterReady()).as("after a plain record").isFalse();

        plain.put("count", 3L);
        assertThat(outcome(() -> direct.test(plain))).as("an overflow, which CEL's interpreter decides").startsWith("failure: ");
        assertThat(direct.interpreterReady()).as("after the interpreter decided").isTrue();
        assertThat(RecordExpression.compile("has(record.note)", SCHEMA).interpreterReady()).as("an expression only the interpreter evaluates").isTrue();
    }

    private static String outcome(java.util.function.BooleanSupplier evaluation) {
        try {
            return String.valueOf(evaluation.getAsBoolean());
        } catch (RecordExpression.ExpressionFailure e) {
            return "failure: " + e.getMessage();
        }
    }

    private static GenericRecord record(Random random) {
        String[] ids = {"a", "b", "ab", "é", "", "abé", "ba"};
        long[] counts = {0, 1, 2, 3, -1, Long.MAX_VALUE, Long.MIN_VALUE, 9_007_199_254_740_993L, 4};
        double[] amounts = {0.0, -0.0, 1.0, 5.5, 10.0, -3.25, Double.NaN, 1e300, Double.POSITIVE_INFINITY, 120.0};
        String[] notes = {null, "", "!", "hi!", "x"};
        var record = new GenericData.Record(SCHEMA);
        record.put("id", ids[random.nextInt(ids.length)]);
        record.put("count", counts[random.nextInt(counts.length)]);
        record.put("items", random.nextInt(6) - 1);
        record.put("amount", amounts[random.nextInt(amounts.length)]);
        record.put("gift", random.nextBoolean());
        record.put("note", notes[random.nextInt(notes.length)]);
        record.put("status", new GenericData.EnumSymbol(SCHEMA.getField("status").schema(), List.of("NEW", "PAID", "SHIPPED").get(random.nextInt(3))));
        return record;
    }
}
