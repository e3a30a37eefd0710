package io.streammesh.schema.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import dev.cel.parser.CelParser;
import dev.cel.parser.CelParserFactory;
import dev.cel.parser.CelStandardMacro;
import java.util.HashSet;
import java.util.Set;

/**
 * What one evaluation of a quality rule or view filter may cost, so that one domain's expression
 * cannot stall the producers and views it shares a process with, nor fill their memory. These
 * bounds:
 *
 * <ul>
 *   <li>at compile time (publishing), an expression may be at most {@value #MAX_SOURCE_LENGTH}
 *       characters long;</li>
 *   <li>at compile time, comprehensions ({@code all}, {@code exists},
 *       {@code exists_one}, {@code map}, {@code filter}) may be nested at most
 *       {@value #MAX_NESTING} deep, and the iterations they may make per record, estimated from
 *       the sizes of the list and map literals they range over multiplied through their nesting,
 *       may be at most {@value #MAX_ITERATIONS};</li>
 *   <li>at compile time, a comprehension's body (its condition, step and the bodies of the
 *       comprehensions inside it) runs only constant-cost operations, since it may run
 *       {@value #MAX_ITERATIONS} times: logic ({@code &&}, {@code ||}, {@code !}, {@code ?:}),
 *       ordering ({@code < <= > >=}), arithmetic ({@code - * / %}, and {@code +} on numbers),
 *       {@code ==} and {@code !=} on scalars or with a literal, {@code size}, {@code int},
 *       {@code uint}, {@code double}, {@code has}, field selection, indexing, {@code in} over a
 *       list literal (of literals, or of anything with a scalar), and comprehensions (counted
 *       above). Refused there: {@code +} on strings,
 *       bytes or lists (each iteration's result can be kept, e.g. by {@code map}), every other
 *       function ({@code contains}, {@code startsWith}, {@code endsWith}, {@code matches}, …),
 *       {@code ==} on lists, maps or records, {@code in} over anything but a list literal, and
 *       list, map or message literals other than a comprehension's range. Without the schema
 *       ({@link #check(String)}) types are unknown, so there {@code +} needs operands that are
 *       plainly numbers (number literals, arithmetic, {@code size}, variables ranging over a list
 *       of number literals) and {@code ==} needs one such operand or a literal;</li>
 *   <li>at compile time, anywhere, {@code contains} and {@code matches} take a string literal as
 *       their argument (substring or pattern): their cost is the product of both lengths, and a
 *       literal's length is bounded by the source's;</li>
 *   <li>at run time, every evaluation stops after {@value #MAX_ITERATIONS} iterations in all:
 *       a range read from the record (a list field) has no size until then;</li>
 *   <li>at run time, a record is not evaluated when a field the expression reads holds a
 *       string or bytes longer than {@value #MAX_VALUE_LENGTH} or a list or map of more than
 *       {@value #MAX_ITEMS} items, at any depth, so that calls outside comprehensions
 *       ({@code contains} is O(n·m)) are bounded too ({@link RecordInputs}).</li>
 * </ul>
 *
 * <p>The compile-time limits need the expression's syntax only, not the record schema, so that
 * catalog governance holds every registration to them, whoever wrote it ({@link #check(String)});
 * there they are stricter where only types could tell a cheap operation from an expensive one.
 */
public final class EvaluationBudget {

    /** How deep comprehensions may sit inside one another's bodies. */
    public static final int MAX_NESTING = 2;
    /** Iterations per evaluation, over all of an expression's comprehensions. */
    public static final int MAX_ITERATIONS = 10_000;
    /** Characters of CEL source per expression. */
    public static final int MAX_SOURCE_LENGTH = 2_000;
    /** Characters of a string (as Avro holds it) or bytes of a bytes value an expression may read. */
    public static final int MAX_VALUE_LENGTH = 65_536;
    /** Items of a list or map an expression may read. */
    public static final int MAX_ITEMS = 10_000;

    private static final String CONSTANT_COST = " is not allowed inside a comprehension body (all, exists, exists_one, map, filter):"
            + " only logic, ordering, arithmetic, == on scalars, size, has, field selection, indexing and 'in' over a list literal are";
    /** Calls whose cost does not depend on the size of their operands (bounded as those are). */
    private static final Set<String> CONSTANT_COST_CALLS = Set.of("_&&_", "_||_", "!_", "_?_:_", "@not_strictly_false",
            "_<_", "_<=_", "_>_", "_>=_", "_-_", "_*_", "_/_", "_%_", "-_", "_[_]", "size", "int", "uint", "double");
    /** Calls whose cost is the product of their operands' lengths, unless one of them is in the source. */
    private static final Set<String> PRODUCT_COST_CALLS = Set.of("contains", "matches");
    /** Calls whose result is plainly a number whatever their operands are. */
    private static final Set<String> NUMERIC_CALLS = Set.of("_-_", "_*_", "_/_", "_%_", "-_", "size", "int", "uint", "double");
    private static final Set<CelKind> SCALARS = Set.of(CelKind.BOOL, CelKind.BYTES, CelKind.DOUBLE, CelKind.DURATION,
            CelKind.INT, CelKind.NULL_TYPE, CelKind.STRING, CelKind.TIMESTAMP, CelKind.UINT);

    private static final CelParser PARSER = CelParserFactory.standardCelParserBuilder()
            .setOptions(RecordExpression.OPTIONS).setStandardMacros(CelStandardMacro.STANDARD_MACROS).build();

    /** The expression; its types, when it is checked, tell cheap operations from expensive ones. */
    private final CelAbstractSyntaxTree ast;
    /** Iteration variables in scope that range over a list of number literals. */
    private final Set<String> numericVariables = new HashSet<>();
    /** The variables the enclosing comprehensions collect their results in. */
    private final Set<String> accumulators = new HashSet<>();
    private int deepest;
    private long iterations;
    /** Why the first operation found too costly is (for where it runs, or for its operands). */
    private String notConstantCost;

    private EvaluationBudget(CelAbstractSyntaxTree ast) {
        this.ast = ast;
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
            check(expression, parsed.getAst());
        } catch (CelValidationException e) {
            throw new RecordExpression.InvalidExpressionException(e.getMessage());
        }
    }

    /**
     * @param source the expression's CEL source
     * @param ast it parsed or type-checked; its types, when checked, tell cheap operations in
     *        comprehension bodies from expensive ones
     * @throws RecordExpression.OverBudgetException naming the limit the expression is over (the
     *         first of nesting, iterations, source length and operations in comprehension bodies)
     */
    static void check(String source, CelAbstractSyntaxTree ast) {
        var budget = new EvaluationBudget(ast);
        budget.walk(ast.getExpr(), 0, 1);
        if (budget.deepest > MAX_NESTING) {
            throw new RecordExpression.OverBudgetException("comprehensions (all, exists, exists_one, map, filter) are nested "
                    + budget.deepest + " deep; at most " + MAX_NESTING + " may be");
        }
        if (budget.iterations > MAX_ITERATIONS) {
            throw new RecordExpression.OverBudgetException("may iterate " + budget.iterations
                    + " times per record (its literal ranges multiplied through their nesting); at most " + MAX_ITERATIONS + " may be");
        }
        if (source.length() > MAX_SOURCE_LENGTH) {
            throw new RecordExpression.OverBudgetException("is " + source.length() + " characters long; at most "
                    + MAX_SOURCE_LENGTH + " may be");
        }
        if (budget.notConstantCost != null) {
            throw new RecordExpression.OverBudgetException(budget.notConstantCost);
        }
    }

    private void refuse(String reason) {
        if (notConstantCost == null) {
            notConstantCost = reason;
        }
    }

    private void refuseInBody(String operation) {
        refuse(operation + CONSTANT_COST);
    }

    /**
     * @param depth how many comprehension bodies enclose the expression
     * @param runs how many times it is evaluated per record, as far as literal ranges tell
     */
    private void walk(CelExpr expr, int depth, long runs) {
        switch (expr.getKind()) {
            case SELECT -> walk(expr.select().operand(), depth, runs);
            case CALL -> call(expr, depth, runs);
            case LIST -> {
                if (depth > 0 && !expr.list().elements().isEmpty()) {
                    refuseInBody("a list literal");
                }
                elements(expr, depth, runs);
            }
            case MAP -> {
                if (depth > 0 && !expr.map().entries().isEmpty()) {
                    refuseInBody("a map literal");
                }
                entries(expr, depth, runs);
            }
            case STRUCT -> {
                if (depth > 0) {
                    refuseInBody("a message literal");
                }
                expr.struct().entries().forEach(entry -> walk(entry.value(), depth, runs));
            }
            case COMPREHENSION -> comprehension(expr.comprehension(), depth + 1, runs);
            default -> {
                // constants and identifiers cost nothing to speak of
            }
        }
    }

    private void elements(CelExpr list, int depth, long runs) {
        list.list().elements().forEach(element -> walk(element, depth, runs));
    }

    private void entries(CelExpr map, int depth, long runs) {
        map.map().entries().forEach(entry -> {
            walk(entry.key(), depth, runs);
            walk(entry.value(), depth, runs);
        });
    }

    /** Outside comprehension bodies every call runs once per record, on inputs of bounded size. */
    private void call(CelExpr expr, int depth, long runs) {
        CelExpr.CelCall call = expr.call();
        if (depth > 0) {
            constantCost(expr);
        }
        if (PRODUCT_COST_CALLS.contains(call.function()) && !stringLiteral(call.args().get(call.args().size() - 1))) {
            refuse(call.function() + "() needs a string literal as its argument: its cost is the product of both lengths");
        }
        call.target().ifPresent(target -> walk(target, depth, runs));
        for (int i = 0; i < call.args().size(); i++) {
            CelExpr arg = call.args().get(i);
            boolean literalOperand = i == call.args().size() - 1 && arg.getKind() == CelExpr.ExprKind.Kind.LIST
                    && (call.function().equals("@in") || call.function().equals("_+_"));
            if (literalOperand) {
                // the list of an 'in', or the single item a macro appends: sized by the source
                elements(arg, depth, runs);
            } else {
                walk(arg, depth, runs);
            }
        }
    }

    /** A call in a comprehension body may run {@value #MAX_ITERATIONS} times: its cost must not grow with its inputs. */
    private void constantCost(CelExpr expr) {
        CelExpr.CelCall call = expr.call();
        String function = call.function();
        if (CONSTANT_COST_CALLS.contains(function)) {
            return;
        }
        switch (function) {
            case "_+_" -> {
                if (!accumulates(call) && !sum(expr)) {
                    refuseInBody(ast.isChecked() ? "+ on strings, bytes, lists or values of unknown type"
                            : "+ on anything but plain numbers (the schema is unknown here)");
                }
            }
            case "_==_", "_!=_" -> {
                if (!scalarComparison(call)) {
                    refuseInBody(function.charAt(1) + (ast.isChecked() ? "= on lists, maps or records"
                            : "= between operands that are not plainly numbers or literals (the schema is unknown here)"));
                }
            }
            case "@in" -> {
                if (call.args().get(1).getKind() != CelExpr.ExprKind.Kind.LIST) {
                    refuseInBody("'in' over anything but a list literal");
                } else if (!scalarMembership(call)) {
                    refuseInBody("'in' of a list, map or record");
                }
            }
            default -> refuseInBody(function + "()");
        }
    }

    /**
     * The step a macro writes to collect its result: {@code map} and {@code filter} append one
     * item, {@code exists_one} counts; both are bounded by the iterations.
     */
    private boolean accumulates(CelExpr.CelCall call) {
        CelExpr left = call.args().get(0);
        CelExpr right = call.args().get(1);
        return left.getKind() == CelExpr.ExprKind.Kind.IDENT && accumulators.contains(left.ident().name())
                && (right.getKind() == CelExpr.ExprKind.Kind.LIST && right.list().elements().size() == 1
                        || right.getKind() == CelExpr.ExprKind.Kind.CONSTANT && right.constant().getKind() == CelConstant.Kind.INT64_VALUE);
    }

    private boolean scalarComparison(CelExpr.CelCall call) {
        CelExpr left = call.args().get(0);
        CelExpr right = call.args().get(1);
        if (left.getKind() == CelExpr.ExprKind.Kind.CONSTANT || right.getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
            return true;
        }
        return ast.isChecked() ? scalar(left) && scalar(right) : numeric(left) || numeric(right);
    }

    /** Each comparison {@code in} makes is as cheap as an {@code ==} between scalars or with a literal. */
    private boolean scalarMembership(CelExpr.CelCall call) {
        CelExpr candidate = call.args().get(0);
        return call.args().get(1).list().elements().stream().allMatch(e -> e.getKind() == CelExpr.ExprKind.Kind.CONSTANT)
                || (ast.isChecked() ? scalar(candidate) : numeric(candidate));
    }

    private boolean scalar(CelExpr expr) {
        return ast.getType(expr.id()).map(type -> SCALARS.contains(type.kind())).orElse(false);
    }

    /** Whether a {@code +} adds numbers, or a duration to a timestamp or duration: no concatenation. */
    private boolean sum(CelExpr expr) {
        return ast.isChecked()
                ? ast.getType(expr.id()).map(type -> type.kind() == CelKind.TIMESTAMP || type.kind() == CelKind.DURATION).orElse(false)
                        || numeric(expr)
                : numeric(expr);
    }

    /** From the checked types, or else from the syntax: whether the expression is a number. */
    private boolean numeric(CelExpr expr) {
        if (ast.isChecked()) {
            return ast.getType(expr.id())
                    .map(type -> type.kind() == CelKind.INT || type.kind() == CelKind.UINT || type.kind() == CelKind.DOUBLE)
                    .orElse(false);
        }
        return switch (expr.getKind()) {
            case CONSTANT -> numberLiteral(expr);
            case IDENT -> numericVariables.contains(expr.ident().name());
            case CALL -> NUMERIC_CALLS.contains(expr.call().function())
                    || expr.call().function().equals("_+_") && expr.call().args().stream().allMatch(this::numeric);
            default -> false;
        };
    }

    private static boolean stringLiteral(CelExpr expr) {
        return expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT && expr.constant().getKind() == CelConstant.Kind.STRING_VALUE;
    }

    private static boolean numberLiteral(CelExpr expr) {
        if (expr.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
            return false;
        }
        CelConstant.Kind kind = expr.constant().getKind();
        return kind == CelConstant.Kind.INT64_VALUE || kind == CelConstant.Kind.UINT64_VALUE || kind == CelConstant.Kind.DOUBLE_VALUE;
    }

    private void comprehension(CelExpr.CelComprehension loop, int depth, long runs) {
        deepest = Math.max(deepest, depth);
        long size = literalSize(loop.iterRange());
        long bodyRuns = saturatedProduct(runs, size);
        iterations = saturatedSum(iterations, bodyRuns);
        if (loop.iterRange().getKind() == CelExpr.ExprKind.Kind.LIST) {
            // a literal range is built once per run of the enclosing body, and counted above
            elements(loop.iterRange(), depth - 1, runs);
        } else {
            walk(loop.iterRange(), depth - 1, runs);
        }
        walk(loop.accuInit(), depth - 1, runs);
        boolean numericRange = loop.iterRange().getKind() == CelExpr.ExprKind.Kind.LIST
                && loop.iterRange().list().elements().stream().allMatch(EvaluationBudget::numberLiteral);
        boolean wasNumeric = numericVariables.contains(loop.iterVar());
        if (numericRange) {
            numericVariables.add(loop.iterVar());
        } else {
            numericVariables.remove(loop.iterVar());
        }
        boolean outerAccumulator = !accumulators.add(loop.accuVar());
        walk(loop.loopCondition(), depth, bodyRuns);
        walk(loop.loopStep(), depth, bodyRuns);
        if (!outerAccumulator) {
            accumulators.remove(loop.accuVar());
        }
        if (wasNumeric) {
            numericVariables.add(loop.iterVar());
        } else {
            numericVariables.remove(loop.iterVar());
        }
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
