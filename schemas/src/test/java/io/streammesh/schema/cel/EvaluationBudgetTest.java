package io.streammesh.schema.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.common.CelErrorCode;
import dev.cel.runtime.CelEvaluationException;
import io.streammesh.schema.cel.RecordExpression.ExpressionFailure;
import io.streammesh.schema.cel.RecordExpression.OverBudgetException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class EvaluationBudgetTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Basket").fields()
            .requiredString("id").name("tags").type().array().items().longType().noDefault().endRecord();
    /** {@code [0, 1, …, 299]}, written out as an attacker would. */
    private static final String LIST_300 = literal(300);
    private static final String CUBIC = LIST_300 + ".all(a, " + LIST_300 + ".all(b, " + LIST_300 + ".all(c, a + b + c >= 0)))";

    @Test
    void comprehensionsNestedThreeDeepAreRefusedNamingTheLimit() {
        assertThatThrownBy(() -> RecordExpression.compile(CUBIC, SCHEMA))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("comprehensions (all, exists, exists_one, map, filter) are nested 3 deep; at most 2 may be");
    }

    @Test
    void literalRangesThatMultiplyPastTheIterationLimitAreRefused() {
        String square = LIST_300 + ".all(a, " + LIST_300 + ".all(b, a + b >= 0))";

        assertThatThrownBy(() -> RecordExpression.compile(square, SCHEMA))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("may iterate 90300 times per record (its literal ranges multiplied through their nesting); at most 10000 may be");
    }

    @Test
    void comprehensionsWithinTheLimitsCompile() {
        assertThat(RecordExpression.compile(literal(99) + ".all(a, " + literal(100) + ".all(b, a + b >= 0))", SCHEMA).test(basket(0))).isTrue();
        assertThat(RecordExpression.compile("record.tags.all(a, record.tags.exists(b, a == b))", SCHEMA).test(basket(10))).isTrue();
        assertThat(RecordExpression.compile("record.tags.map(t, t * 2).all(t, t >= 0) && [1, 2].exists(x, x == 2)", SCHEMA)
                .test(basket(10))).isTrue();
    }

    @Test
    void theCompileTimeLimitsHoldWithoutTheSchemaForGovernance() {
        assertThatThrownBy(() -> EvaluationBudget.check(CUBIC))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("comprehensions (all, exists, exists_one, map, filter) are nested 3 deep; at most 2 may be");
        assertThatThrownBy(() -> EvaluationBudget.check("record.tags.all(a,"))
                .isInstanceOf(RecordExpression.InvalidExpressionException.class)
                .hasMessageStartingWith("line 1, column 19: ");
        EvaluationBudget.check("record.tags.all(a, record.tags.all(b, a - b >= 0 || a == 0))");
    }

    @Test
    void anExpressionOverTheIterationBudgetIsStoppedByCelAtTheBudgetForThatRecord() {
        RecordExpression cubic = RecordExpression.compile(CUBIC, SCHEMA, false);

        assertThatThrownBy(() -> cubic.test(basket(0)))
                .isInstanceOf(ExpressionFailure.class)
                .hasMessage("'" + CUBIC + "' is over the evaluation budget of 10000 iterations per record")
                .cause().isInstanceOfSatisfying(CelEvaluationException.class,
                        stopped -> assertThat(stopped.getErrorCode()).isEqualTo(CelErrorCode.ITERATION_BUDGET_EXCEEDED));
    }

    @Test
    void theIterationBudgetCountsEveryIterationOfARecordOuterOnesIncluded() {
        String exactlyTheBudget = "record.tags.all(a, " + literal(99) + ".all(b, a + b >= 0))";
        RecordExpression rule = RecordExpression.compile(exactlyTheBudget, SCHEMA);

        assertThat(rule.test(basket(100))).as("100 + 100 × 99 = 10000 iterations").isTrue();
        assertThatThrownBy(() -> rule.test(basket(101))).as("101 + 101 × 99 = 10100 iterations")
                .isInstanceOf(ExpressionFailure.class)
                .hasMessage("'" + exactlyTheBudget + "' is over the evaluation budget of 10000 iterations per record");
        assertThat(rule.test(basket(100))).as("each record has a budget of its own").isTrue();
    }

    @Test
    void aListFieldTooLongForItsRuleFailsAtRunTimeAlthoughTheRuleCompiled() {
        String pairs = "record.tags.all(a, record.tags.all(b, a + b >= 0))";
        RecordExpression rule = RecordExpression.compile(pairs, SCHEMA);

        assertThat(rule.test(basket(90))).as("90 × 90 iterations and 90 more: within the budget").isTrue();
        assertThatThrownBy(() -> rule.test(basket(300)))
                .isInstanceOf(ExpressionFailure.class)
                .hasMessage("'" + pairs + "' is over the evaluation budget of 10000 iterations per record");
    }

    @Test
    void theFastPathLeavesComprehensionsToTheInterpreterSoBothHoldTheBudget() {
        String pairs = "record.tags.all(a, record.tags.all(b, a + b >= 0))";
        RecordExpression rule = RecordExpression.compile(pairs, SCHEMA);

        assertThat(rule.evaluatesDirectly()).isFalse();
        assertThatThrownBy(() -> rule.interpret(basket(300)))
                .hasMessage("'" + pairs + "' is over the evaluation budget of 10000 iterations per record");
    }

    @Test
    void theConjunctionOfRulesWithinTheBudgetCompilesAndIsHeldToTheRunTimeBudget() {
        String half = literal(70) + ".all(a, " + literal(80) + ".all(b, a + b >= 0))";
        RecordExpression both = RecordExpression.allOf(List.of(half, half), SCHEMA);

        assertThat(RecordExpression.compile(half, SCHEMA).test(basket(0))).isTrue();
        assertThatThrownBy(() -> both.test(basket(0))).isInstanceOf(ExpressionFailure.class)
                .hasMessageEndingWith(" is over the evaluation budget of 10000 iterations per record");
    }

    @Test
    void anExpressionLongerThanTwoThousandCharactersIsRefusedWhenCompiledAndByGovernance() {
        String longRule = "record.id != '" + "x".repeat(2_000) + "'";

        assertThatThrownBy(() -> RecordExpression.compile(longRule, SCHEMA))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("is 2015 characters long; at most 2000 may be");
        assertThatThrownBy(() -> EvaluationBudget.check(longRule))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("is 2015 characters long; at most 2000 may be");
    }

    @Test
    void concatenationInsideAComprehensionBodyIsRefusedSoNoEvaluationFillsTheHeap() {
        String strings = "size(" + literal(100) + ".map(a, " + literal(99) + ".map(b, record.id + record.id))) > 0";
        String literals = "record.tags.exists(t, 'abc' + 'def' == 'abcdef')";
        String lists = "record.tags.all(t, size(record.tags + record.tags) > 0)";

        for (String rule : List.of(strings, literals, lists)) {
            assertThatThrownBy(() -> RecordExpression.compile(rule, SCHEMA)).as(rule)
                    .isInstanceOf(OverBudgetException.class)
                    .hasMessage("+ on strings, bytes, lists or values of unknown type" + NOT_IN_A_BODY);
            assertThatThrownBy(() -> EvaluationBudget.check(rule)).as(rule)
                    .isInstanceOf(OverBudgetException.class)
                    .hasMessage("+ on anything but plain numbers (the schema is unknown here)" + NOT_IN_A_BODY);
        }
    }

    @Test
    void callsWhoseCostGrowsWithTheirInputsAreRefusedInsideAComprehensionBody() {
        for (String function : List.of("contains", "startsWith", "endsWith", "matches")) {
            String rule = "record.tags.exists(t, record.id." + function + "('x'))";
            assertThatThrownBy(() -> RecordExpression.compile(rule, SCHEMA)).as(rule)
                    .isInstanceOf(OverBudgetException.class)
                    .hasMessage(function + "()" + NOT_IN_A_BODY);
            assertThatThrownBy(() -> EvaluationBudget.check(rule)).as(rule).hasMessage(function + "()" + NOT_IN_A_BODY);
        }
    }

    @Test
    void containsAndMatchesTakeOnlyAStringLiteralAnywhereSoTheirCostIsBoundedByTheSource() {
        for (String rule : List.of("record.id.contains(record.id)", "record.id.matches(record.id)", "matches(record.id, record.id)")) {
            String function = rule.contains("contains") ? "contains" : "matches";
            assertThatThrownBy(() -> RecordExpression.compile(rule, SCHEMA)).as(rule)
                    .isInstanceOf(OverBudgetException.class)
                    .hasMessage(function + "() needs a string literal as its argument: its cost is the product of both lengths");
            assertThatThrownBy(() -> EvaluationBudget.check(rule)).as(rule)
                    .hasMessage(function + "() needs a string literal as its argument: its cost is the product of both lengths");
        }
    }

    @Test
    void inOverARecordsListEqualityOfListsAndListsBuiltPerIterationAreRefusedInsideAComprehensionBody() {
        assertThatThrownBy(() -> RecordExpression.compile("record.tags.exists(t, t in record.tags)", SCHEMA))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("'in' over anything but a list literal" + NOT_IN_A_BODY);
        assertThatThrownBy(() -> RecordExpression.compile("record.tags.exists(t, record.tags in [record.tags, record.tags])", SCHEMA))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("'in' of a list, map or record" + NOT_IN_A_BODY);
        assertThatThrownBy(() -> RecordExpression.compile("record.tags.exists(t, record.tags == record.tags)", SCHEMA))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("== on lists, maps or records" + NOT_IN_A_BODY);
        assertThatThrownBy(() -> EvaluationBudget.check("record.tags.exists(t, record.tags != t)"))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("!= between operands that are not plainly numbers or literals (the schema is unknown here)" + NOT_IN_A_BODY);
        assertThatThrownBy(() -> RecordExpression.compile("record.tags.exists(t, size([t, t, t]) > 2)", SCHEMA))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("a list literal" + NOT_IN_A_BODY);
        assertThatThrownBy(() -> EvaluationBudget.check("record.tags.exists(t, size({'a': t}) > 0)"))
                .isInstanceOf(OverBudgetException.class)
                .hasMessage("a map literal" + NOT_IN_A_BODY);
    }

    @Test
    void theCommonShapesOfRulesAndFiltersCompileAndPassGovernance() {
        Schema order = SchemaBuilder.record("Order").fields()
                .requiredDouble("amount").requiredString("country").requiredString("email")
                .name("tags").type().array().items().stringType().noDefault()
                .name("items").type().array().items(SchemaBuilder.record("Item").fields().requiredInt("qty").endRecord()).noDefault()
                .endRecord();
        GenericRecord item = new GenericData.Record(order.getField("items").schema().getElementType());
        item.put("qty", 2);
        GenericRecord record = new GenericData.Record(order);
        record.put("amount", 12.5);
        record.put("country", "FR");
        record.put("email", "a@example.com");
        record.put("tags", List.of("x", "y"));
        record.put("items", List.of(item));

        for (String rule : List.of("record.amount > 0", "record.country != 'DE'", "record.tags.exists(t, t == 'x')",
                "record.items.all(i, i.qty > 0)", "record.email.endsWith('@example.com')", "record.tags.all(t, t in ['x', 'y'])",
                "record.items.map(i, i.qty * 2).all(q, q > 1)", "size(record.items.filter(i, i.qty > 1)) == 1",
                "record.items.exists_one(i, i.qty == 2)", "[1, 2, 3].all(n, n + 1 > 0)")) {
            EvaluationBudget.check(rule);
            assertThat(RecordExpression.compile(rule, order).test(record)).as(rule).isTrue();
        }
    }

    @Test
    void withoutTheSchemaGovernanceRefusesEqualityInABodyThatOnlyTypesShowToBeBetweenScalars() {
        String pairs = "record.tags.all(a, record.tags.exists(b, a == b))";

        assertThat(RecordExpression.compile(pairs, SCHEMA).test(basket(3))).as("tags are longs: == compares scalars").isTrue();
        assertThatThrownBy(() -> EvaluationBudget.check(pairs))
                .hasMessage("== between operands that are not plainly numbers or literals (the schema is unknown here)" + NOT_IN_A_BODY);
    }

    @Test
    void aRecordWhoseFieldIsLongerThanTheInputLimitIsOverTheBudgetBeforeTheExpressionReadsIt() {
        Schema schema = SchemaBuilder.record("Note").fields().requiredString("id").requiredString("note")
                .name("tags").type().array().items().longType().noDefault().endRecord();
        GenericRecord record = new GenericData.Record(schema);
        record.put("id", "n-1");
        record.put("note", "a".repeat(1 << 20));
        record.put("tags", LongStream.range(0, 10_001).boxed().toList());
        RecordExpression contains = RecordExpression.compile("record.note.contains('x')", schema);
        RecordExpression size = RecordExpression.compile("size(record.tags) > 0", schema);

        assertThatThrownBy(() -> contains.test(record))
                .isInstanceOf(ExpressionFailure.class)
                .hasMessage("'record.note.contains('x')' is over the evaluation budget: record.note holds a string of 1048576 characters;"
                        + " at most 65536 may be read");
        assertThatThrownBy(() -> contains.interpret(record)).hasMessageContaining("is over the evaluation budget: record.note holds");
        assertThatThrownBy(() -> size.test(record))
                .hasMessage("'size(record.tags) > 0' is over the evaluation budget: record.tags holds a list of 10001 items;"
                        + " at most 10000 may be read");
        assertThat(RecordExpression.compile("record.id == 'n-1'", schema).test(record)).as("fields it does not read may be long").isTrue();
    }

    @Test
    void aStringAsAvroDecodesItIsMeasuredInCharactersNotBytes() {
        Schema schema = SchemaBuilder.record("Note").fields().requiredString("note").endRecord();
        RecordExpression contains = RecordExpression.compile("record.note.contains('x')", schema);
        GenericRecord twoBytesEach = new GenericData.Record(schema);
        twoBytesEach.put("note", new Utf8("é".repeat(40_000)));
        GenericRecord over = new GenericData.Record(schema);
        over.put("note", new Utf8("a".repeat(65_537)));

        assertThat(contains.test(twoBytesEach)).as("80,000 bytes, 40,000 characters: within").isFalse();
        assertThatThrownBy(() -> contains.test(over))
                .hasMessage("'record.note.contains('x')' is over the evaluation budget: record.note holds a string of 65537 characters;"
                        + " at most 65536 may be read");
    }

    private static final String NOT_IN_A_BODY = " is not allowed inside a comprehension body (all, exists, exists_one, map, filter):"
            + " only logic, ordering, arithmetic, == on scalars, size, has, field selection, indexing and 'in' over a list literal are";

    private static String literal(int size) {
        return LongStream.range(0, size).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Tags 0 to size - 1: every pair of them sums to 0 or more, so no {@code all} stops early. */
    private static GenericRecord basket(int tags) {
        GenericRecord basket = new GenericData.Record(SCHEMA);
        basket.put("id", "b-1");
        basket.put("tags", LongStream.range(0, tags).boxed().toList());
        return basket;
    }
}
