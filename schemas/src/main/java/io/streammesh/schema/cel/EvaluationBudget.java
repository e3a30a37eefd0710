package io.streammesh.schema.cel;

import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.parser.CelParser;
import dev.cel.parser.CelParserFactory;
import dev.cel.parser.CelStandardMacro;

/**
 * What one evaluation of a quality rule or view filter may cost, so that one domain's expression
 * cannot stall the producers and views it shares a process with. Two bounds:
 *
 * <ul>
 *   <li>at compile time (publishing), comprehensions ({@code all}, {@code exists},
 *       {@code exists_one}, {@code map}, {@code filter}) may be nested at most
 *       {@value #MAX_NESTING} deep, and the iterations they may make per record, estimated from
 *       the sizes of the list and map literals they range over multiplied through their nesting,
 *       may be at most {@value #MAX_ITERATIONS};</li>
 *   <li>at run time, every evaluation stops after {@value #MAX_ITERATIONS} iterations in all:
 *       a range read from the record (a list field) has no size until then.</li>
 * </ul>
 *
 * <p>The compile-time limits need the expression's syntax only, not the record schema, so that
 * catalog governance holds every registration to them, whoever wrote it ({@link #check(String)}).
 */
public final class EvaluationBudget {

    /** How deep comprehensions may sit inside one another's bodies. */
    public static final int MAX_NESTING = 2;
    /** Iterations per evaluation, over all of an expression's comprehensions. */
    public static final int MAX_ITERATIONS = 10_000;

    private static final CelParser PARSER = CelParserFactory.standardCelParserBuilder()
            .setOptions(RecordExpression.OPTIONS).setStandardMacros(CelStandardMacro.STANDARD_MACROS).build();

    private int deepest;
    private long iterations;

    private EvaluationBudget() {
    }

    /**
     * Holds an expression to the compile-time limits from its syntax alone.
     *
     * @param expression CEL source
     * @throws RecordExpression.InvalidExpressionException if it does not parse, naming where and why
     * @throws RecordExpression.OverBudgetException naming the limit it is over
     */
    public static void check(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new RecordExpression.InvalidExpressionException("expression is empty");
        }
        CelValidationResult parsed = PARSER.parse(expression);
        if (parsed.hasError()) {
            throw new RecordExpression.InvalidExpressionException(RecordExpression.describe(parsed.getErrors()));
        }
        try {
            check(parsed.getAst().getExpr());
        } catch (CelValidationException e) {
            throw new RecordExpression.InvalidExpressionException(e.getMessage());
        }
    }

    /**
     * @param checked a parsed or type-checked expression
     * @throws RecordExpression.OverBudgetException naming the limit the expression is over
     */
    static void check(CelExpr checked) {
        var budget = new EvaluationBudget();
        budget.walk(checked, 0, 1);
        if (budget.deepest > MAX_NESTING) {
            throw new RecordExpression.OverBudgetException("comprehensions (all, exists, exists_one, map, filter) are nested "
                    + budget.deepest + " deep; at most " + MAX_NESTING + " may be");
        }
        if (budget.iterations > MAX_ITERATIONS) {
            throw new RecordExpression.OverBudgetException("may iterate " + budget.iterations
                    + " times per record (its literal ranges multiplied through their nesting); at most " + MAX_ITERATIONS + " may be");
        }
    }

    /**
     * @param depth how many comprehension bodies enclose the expression
     * @param runs how many times it is evaluated per record, as far as literal ranges tell
     */
    private void walk(CelExpr expr, int depth, long runs) {
        switch (expr.getKind()) {
            case SELECT -> walk(expr.select().operand(), depth, runs);
            case CALL -> {
                expr.call().target().ifPresent(target -> walk(target, depth, runs));
                expr.call().args().forEach(arg -> walk(arg, depth, runs));
            }
            case LIST -> expr.list().elements().forEach(element -> walk(element, depth, runs));
            case MAP -> expr.map().entries().forEach(entry -> {
                walk(entry.key(), depth, runs);
                walk(entry.value(), depth, runs);
            });
            case STRUCT -> expr.struct().entries().forEach(entry -> walk(entry.value(), depth, runs));
            case COMPREHENSION -> comprehension(expr.comprehension(), depth + 1, runs);
            default -> {
                // constants and identifiers cost nothing to speak of
            }
        }
    }

    private void comprehension(CelExpr.CelComprehension loop, int depth, long runs) {
        deepest = Math.max(deepest, depth);
        long size = literalSize(loop.iterRange());
        long bodyRuns = saturatedProduct(runs, size);
        iterations = saturatedSum(iterations, bodyRuns);
        walk(loop.iterRange(), depth - 1, runs);
        walk(loop.accuInit(), depth - 1, runs);
        walk(loop.loopCondition(), depth, bodyRuns);
        walk(loop.loopStep(), depth, bodyRuns);
        walk(loop.result(), depth - 1, runs);
    }

    /** A range's size when the expression spells it out; otherwise it is known only at run time. */
    private static long literalSize(CelExpr range) {
        return switch (range.getKind()) {
            case LIST -> range.list().elements().size();
            case MAP -> range.map().entries().size();
            default -> 1;
        };
    }

    private static long saturatedProduct(long a, long b) {
        long product = a * b;
        return b != 0 && (product / b != a || product < 0) ? Long.MAX_VALUE : product;
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
