package io.streammesh.schema.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.cel.RecordExpression.ExpressionFailure;
import io.streammesh.schema.cel.RecordExpression.OverBudgetException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
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
        EvaluationBudget.check("record.tags.all(a, record.tags.all(b, a + b >= 0))");
    }

    @Test
    void anExpressionOverTheIterationBudgetFailsFastForThatRecord() {
        RecordExpression cubic = RecordExpression.compile(CUBIC, SCHEMA, false);

        long started = System.nanoTime();
        assertThatThrownBy(() -> cubic.test(basket(0)))
                .isInstanceOf(ExpressionFailure.class)
                .hasMessage("'" + CUBIC + "' is over the evaluation budget of 10000 iterations per record");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
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
