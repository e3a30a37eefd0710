package io.streammesh.schema.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelErrorCode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * A boolean CEL expression over one Avro record, compiled once and evaluated per record; thread
 * safe. Fields are typed from the schema: {@code string}/{@code enum} as string, {@code int} and
 * {@code long} (timestamps as epoch millis, dates as epoch days) as int, decimals as double, {@code float}/{@code double} as
 * double, nullable unions as dyn (compare with {@code null}); ints and doubles compare with each
 * other, so {@code record.amount > 0} works on a double field. What one evaluation may cost is
 * bounded, when compiled and when evaluated, by the {@link EvaluationBudget}.
 *
 * <pre>{@code
 * RecordExpression rule = RecordExpression.compile("record.amount > 0", schema);
 * boolean ok = rule.test(record);
 * }</pre>
 */
public final class RecordExpression {

    /** The variable an expression sees the record as. */
    public static final String VARIABLE = "record";

    static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .enableCompileTimeOverloadResolution(true)
            .comprehensionMaxIterations(EvaluationBudget.MAX_ITERATIONS)
            .build();

    /**
     * CEL's interpreter, built when the first expression needs it: building it costs a command
     * that writes one record a tenth of a second or more, and rules of the usual shapes only
     * need it for records that are not the plain case ({@link DirectEvaluation}).
     */
    private static final class Interpreter {
        static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
    }

    private final String source;
    private final CelAbstractSyntaxTree checked;
    private final DirectEvaluation.Node direct;
    private final Optional<Set<String>> fields;
    /** Built on first use when the expression evaluates directly; two threads may both build it, harmlessly. */
    private volatile CelRuntime.Program program;
    /** The fields read in records of the last schema seen: the budget check runs on every record. */
    private volatile RecordInputs.Reads reads;

    private RecordExpression(String source, CelAbstractSyntaxTree checked, Optional<DirectEvaluation.Node> direct,
                             Optional<Set<String>> fields) throws CelEvaluationException {
        this.source = source;
        this.checked = checked;
        this.direct = direct.orElse(null);
        this.fields = fields;
        if (this.direct == null) {
            // Every record goes to the interpreter: a program it cannot make is a compile error.
            this.program = Interpreter.RUNTIME.createProgram(checked);
        }
    }

    /**
     * Parses and type-checks an expression against a record schema.
     *
     * @param expression CEL source, e.g. {@code record.country != 'DE'}
     * @param schema the Avro record schema the expression reads
     * @return the compiled expression
     * @throws InvalidExpressionException naming the line, column and problem of each error
     * @throws OverBudgetException naming the {@link EvaluationBudget} limit it is over
     */
    public static RecordExpression compile(String expression, Schema schema) {
        return compile(expression, schema, true);
    }

    /**
     * @param withinBudget whether to refuse an expression over the compile-time limits of the
     *        {@link EvaluationBudget}; the run-time limit holds either way
     */
    static RecordExpression compile(String expression, Schema schema, boolean withinBudget) {
        return compilerFor(schema).compile(expression, withinBudget);
    }

    /** A record with a field of each kind rules mostly read, for {@link #prepare}. */
    private static final String PREPARED_SCHEMA = """
            {"type": "record", "name": "Prepared", "fields": [
              {"name": "text", "type": "string"}, {"name": "amount", "type": "double"}, {"name": "count", "type": "long"}]}""";

    /**
     * Loads and initialises CEL's parser and checker by compiling a typical rule (of a shape that
     * evaluates directly, so the interpreter is not built: {@link Interpreter}). The
     * first compilation in a JVM costs most of a short command's CPU (about 1,500 classes); a
     * caller that learns its expressions only after a network round trip runs this beside the
     * wait. Calling it again costs one small compilation.
     */
    public static void prepare() {
        compilerFor(new Schema.Parser().parse(PREPARED_SCHEMA))
                .allOf(List.of("size(record.text) > 0 && record.text.startsWith('a')", "record.amount >= 0.0", "record.count < 10"));
    }

    /**
     * A compiler of expressions over records of one schema. Building it (CEL's standard library,
     * the schema's types) is most of what compiling one expression costs, so a contract's rules
     * share one.
     *
     * @param schema the Avro record schema the expressions read
     * @return the compiler
     */
    public static Compiler compilerFor(Schema schema) {
        return new Compiler(CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setTypeProvider(AvroCelTypes.provider(schema))
                .addVar(VARIABLE, AvroCelTypes.of(schema))
                .setResultType(SimpleType.BOOL)
                .build());
    }

    /** Compiles expressions over records of the schema it was made for ({@link #compilerFor}); thread safe. */
    public static final class Compiler {

        private final CelCompiler cel;

        private Compiler(CelCompiler cel) {
            this.cel = cel;
        }

        /**
         * Parses and type-checks an expression.
         *
         * @param expression CEL source, e.g. {@code record.country != 'DE'}
         * @return the compiled expression
         * @throws InvalidExpressionException naming the line, column and problem of each error
         * @throws OverBudgetException naming the {@link EvaluationBudget} limit it is over
         */
        public RecordExpression compile(String expression) {
            return compile(expression, true);
        }

        /**
         * Compiles several expressions into one that is true when all of them are, as
         * {@link RecordExpression#allOf} does.
         *
         * @param expressions CEL sources, each of which compiles on its own
         * @return their conjunction, held to the run-time budget only
         */
        public RecordExpression allOf(List<String> expressions) {
            return compile(expressions.isEmpty() ? "true"
                    : expressions.stream().map(e -> "(" + e + ")").collect(Collectors.joining(" && ")), false);
        }

        RecordExpression compile(String expression, boolean withinBudget) {
            if (expression == null || expression.isBlank()) {
                throw new InvalidExpressionException("expression is empty");
            }
            CelValidationResult result = cel.compile(expression);
            if (result.hasError()) {
                throw new InvalidExpressionException(describe(result.getErrors()));
            }
            try {
                CelExpr checked = result.getAst().getExpr();
                if (withinBudget) {
                    EvaluationBudget.check(expression, result.getAst());
                }
                return new RecordExpression(expression, result.getAst(), DirectEvaluation.compile(checked, VARIABLE), fieldsRead(checked));
            } catch (CelValidationException | CelEvaluationException e) {
                throw new InvalidExpressionException(e.getMessage());
            }
        }
    }

    /**
     * @param record a record of the schema the expression was compiled for
     * @return the expression's value for it
     * @throws ExpressionFailure if it cannot be evaluated (a field missing, a null where a value
     *         is needed, an overflow, more iterations or a longer field value than the
     *         {@link EvaluationBudget} allows); the message says why
     */
    public boolean test(GenericRecord record) {
        withinInputBudget(record);
        if (direct != null) {
            try {
                if (direct.eval(record) instanceof Boolean bool) {
                    return bool;
                }
            } catch (DirectEvaluation.Fallback notThePlainCase) {
                // CEL's interpreter decides below: it defines the result, or the error
            }
        }
        return evaluate(record);
    }

    /** Both paths read only inputs within the budget, so that they agree on every record. */
    private void withinInputBudget(GenericRecord record) {
        RecordInputs.Reads known = reads;
        if (known == null || known.schema() != record.getSchema()) {
            known = RecordInputs.Reads.of(record.getSchema(), fields);
            reads = known;
        }
        RecordInputs.overBudget(record, known).ifPresent(reason -> {
            throw new ExpressionFailure("'" + source + "' is over the evaluation budget: " + reason);
        });
    }

    /**
     * Which of the record's fields the expression reads, so that a caller holding the record's
     * bytes can decode only those: {@link #test} gives the same answer for a record in which
     * every other field is unset.
     *
     * @return the names of the top-level fields read, or empty if the expression uses the record
     *         as a whole (compares it, passes it to a function, or shadows its name)
     */
    public Optional<Set<String>> fields() {
        return fields;
    }

    /** Every use of the variable must be a field selection; anything else needs the whole record. */
    private static Optional<Set<String>> fieldsRead(CelExpr expr) {
        Set<String> fields = new HashSet<>();
        for (CelNavigableExpr node : (Iterable<CelNavigableExpr>) CelNavigableExpr.fromExpr(expr).allNodes()::iterator) {
            if (node.getKind() != CelExpr.ExprKind.Kind.IDENT || !VARIABLE.equals(node.expr().ident().name())) {
                continue;
            }
            Optional<CelNavigableExpr> parent = node.parent();
            if (parent.isEmpty() || parent.get().getKind() != CelExpr.ExprKind.Kind.SELECT) {
                return Optional.empty();
            }
            fields.add(parent.get().expr().select().field());
        }
        return Optional.of(Set.copyOf(fields));
    }

    /** @return whether plain records skip CEL's interpreter (see {@link DirectEvaluation}) */
    boolean evaluatesDirectly() {
        return direct != null;
    }

    /** @return whether the interpreter's program for this expression exists yet */
    boolean interpreterReady() {
        return program != null;
    }

    /** What CEL's interpreter says; {@link #test} agrees with it on every record. */
    boolean interpret(GenericRecord record) {
        withinInputBudget(record);
        return evaluate(record);
    }

    private boolean evaluate(GenericRecord record) {
        try {
            // A resolver, not a map: CEL copies a map of variables into an activation on every call.
            Object recordValue = AvroCelValues.of(record);
            Object value = program().eval(name -> VARIABLE.equals(name) ? Optional.of(recordValue) : Optional.empty());
            if (value instanceof Boolean bool) {
                return bool;
            }
            throw new ExpressionFailure("'" + source + "' gave " + value + ", not true or false");
        } catch (CelEvaluationException e) {
            if (e.getErrorCode() == CelErrorCode.ITERATION_BUDGET_EXCEEDED) {
                throw new ExpressionFailure("'" + source + "' is over the evaluation budget of "
                        + EvaluationBudget.MAX_ITERATIONS + " iterations per record", e);
            }
            throw new ExpressionFailure("'" + source + "' cannot be evaluated: " + e.getMessage(), e);
        }
    }

    private CelRuntime.Program program() throws CelEvaluationException {
        CelRuntime.Program built = program;
        if (built == null) {
            built = Interpreter.RUNTIME.createProgram(checked);
            program = built;
        }
        return built;
    }

    /**
     * Compiles several expressions into one that is true when all of them are: one evaluation
     * instead of many for the common case of a record that passes every rule.
     *
     * @param expressions CEL sources, each of which compiles on its own against the schema (and
     *        so is within the compile-time budget alone; together they may not be, so the
     *        conjunction is held to the run-time budget only)
     * @param schema the record schema
     * @return their conjunction
     */
    public static RecordExpression allOf(List<String> expressions, Schema schema) {
        return compilerFor(schema).allOf(expressions);
    }

    /** @return the expression's source */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }

    /** Issues that only follow from an earlier one (their types show {@code *error*}) are left out. */
    static String describe(List<CelIssue> issues) {
        return issues.stream()
                .filter(issue -> !issue.getMessage().contains("*error*"))
                .map(issue -> "line " + issue.getSourceLocation().getLine() + ", column "
                        + (issue.getSourceLocation().getColumn() + 1) + ": " + issue.getMessage())
                .collect(Collectors.joining("; "));
    }

    /** The expression does not compile; the message names where and why. */
    public static final class InvalidExpressionException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidExpressionException(String message) {
            super(message);
        }
    }

    /** The expression compiles but may cost more per record than the {@link EvaluationBudget} allows. */
    public static final class OverBudgetException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        OverBudgetException(String message) {
            super(message);
        }
    }

    /** The expression could not be evaluated for one record. */
    public static final class ExpressionFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ExpressionFailure(String message) {
            super(message);
        }

        ExpressionFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
