package io.streammesh.schema.cel;

import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The shapes contract rules and view filters nearly always take — a record's top-level fields
 * compared with constants, joined with {@code &&}, {@code ||}, {@code !}, {@code in [...]},
 * {@code size}, {@code contains}, {@code startsWith}, {@code endsWith}, integer and double
 * arithmetic — evaluated straight on the Avro record from CEL's own checked AST, without the
 * interpreter's per-call bookkeeping (about half of a producer's time per record).
 *
 * <p>CEL stays the definition: an expression with any other shape is not compiled here, and
 * whenever an evaluation meets anything but the plain case (a null or missing field, mixed or
 * unexpected types, an overflow, an error in either branch of {@code &&}), it gives up with
 * {@link Fallback} and the caller asks CEL's interpreter, which decides.
 */
final class DirectEvaluation {

    /** One node of a compiled expression. */
    interface Node {
        /**
         * @param record the record
         * @return a Boolean, Long, Double or String
         * @throws Fallback when the interpreter must decide
         */
        Object eval(GenericRecord record);
    }

    /** This evaluation is for CEL's interpreter to make. */
    static final class Fallback extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Fallback INSTANCE = new Fallback();

        private Fallback() {
            super("left to the CEL interpreter", null, false, false);
        }
    }

    /** Beyond this, a long does not convert to a double exactly; comparing the two is left to CEL. */
    private static final long EXACT_IN_DOUBLE = 1L << 53;

    private DirectEvaluation() {
    }

    /**
     * @param expr a type-checked expression
     * @param variable the name the record goes by
     * @return the expression compiled, or empty if it has a shape left to the interpreter
     */
    static Optional<Node> compile(CelExpr expr, String variable) {
        try {
            return Optional.of(node(expr, variable));
        } catch (Unsupported e) {
            return Optional.empty();
        }
    }

    private static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported() {
            super(null, null, false, false);
        }
    }

    private static Node node(CelExpr expr, String variable) throws Unsupported {
        return switch (expr.getKind()) {
            case CONSTANT -> constant(expr.constant());
            case SELECT -> field(expr, variable);
            case CALL -> call(expr.call(), variable);
            default -> throw new Unsupported();
        };
    }

    private static Node constant(CelConstant constant) throws Unsupported {
        Object value = switch (constant.getKind()) {
            case BOOLEAN_VALUE -> constant.booleanValue();
            case INT64_VALUE -> constant.int64Value();
            case DOUBLE_VALUE -> constant.doubleValue();
            case STRING_VALUE -> constant.stringValue();
            default -> throw new Unsupported();
        };
        return record -> value;
    }

    /** A field's position in a schema. */
    private record FieldAt(Schema schema, int position) {
    }

    /** {@code record.field}: a top-level field, by position once the schema is known. */
    private static Node field(CelExpr expr, String variable) throws Unsupported {
        CelExpr.CelSelect select = expr.select();
        if (select.testOnly() || select.operand().getKind() != CelExpr.ExprKind.Kind.IDENT
                || !select.operand().ident().name().equals(variable)) {
            throw new Unsupported();
        }
        String name = select.field();
        return new Node() {
            /** The last schema seen and the field's position in it, one value: threads that share the expression may see two schemas at once. */
            private volatile FieldAt last;

            @Override
            public Object eval(GenericRecord record) {
                Schema current = record.getSchema();
                FieldAt at = last;
                if (at == null || at.schema() != current) {
                    Schema.Field field = current.getField(name);
                    if (field == null) {
                        throw Fallback.INSTANCE;
                    }
                    at = new FieldAt(current, field.pos());
                    last = at;
                }
                return scalar(record.get(at.position()));
            }
        };
    }

    /** The field's value as CEL sees it, for scalars only; a null is CEL's to judge. */
    private static Object scalar(Object avro) {
        Object value = avro == null ? AvroCelValues.NOT_SCALAR : AvroCelValues.scalar(avro);
        if (value == AvroCelValues.NOT_SCALAR) {
            throw Fallback.INSTANCE;
        }
        return value;
    }

    private static Node call(CelExpr.CelCall call, String variable) throws Unsupported {
        List<Node> args = new ArrayList<>();
        if (call.target().isPresent()) {
            args.add(node(call.target().get(), variable));
        }
        String function = call.function();
        if (function.equals("@in")) {
            return in(node(call.args().get(0), variable), call.args().get(1), variable);
        }
        for (CelExpr arg : call.args()) {
            args.add(node(arg, variable));
        }
        return switch (function + "/" + args.size()) {
            case "_&&_/2" -> and(args.get(0), args.get(1));
            case "_||_/2" -> or(args.get(0), args.get(1));
            case "!_/1" -> record -> !bool(args.get(0).eval(record));
            case "_?_:_/3" -> record -> bool(args.get(0).eval(record)) ? args.get(1).eval(record) : args.get(2).eval(record);
            case "_==_/2" -> record -> equal(args.get(0).eval(record), args.get(1).eval(record));
            case "_!=_/2" -> record -> !equal(args.get(0).eval(record), args.get(1).eval(record));
            case "_<_/2" -> record -> compare(args.get(0).eval(record), args.get(1).eval(record)) < 0;
            case "_<=_/2" -> record -> compare(args.get(0).eval(record), args.get(1).eval(record)) <= 0;
            case "_>_/2" -> record -> compare(args.get(0).eval(record), args.get(1).eval(record)) > 0;
            case "_>=_/2" -> record -> compare(args.get(0).eval(record), args.get(1).eval(record)) >= 0;
            case "_+_/2" -> record -> add(args.get(0).eval(record), args.get(1).eval(record));
            case "_-_/2" -> record -> subtract(args.get(0).eval(record), args.get(1).eval(record));
            case "_*_/2" -> record -> multiply(args.get(0).eval(record), args.get(1).eval(record));
            case "size/1" -> record -> {
                String text = string(args.get(0).eval(record));
                return (long) text.codePointCount(0, text.length());
            };
            case "contains/2" -> record -> string(args.get(0).eval(record)).contains(string(args.get(1).eval(record)));
            case "startsWith/2" -> record -> string(args.get(0).eval(record)).startsWith(string(args.get(1).eval(record)));
            case "endsWith/2" -> record -> string(args.get(0).eval(record)).endsWith(string(args.get(1).eval(record)));
            default -> throw new Unsupported();
        };
    }

    /** Either side failing is CEL's to judge: {@code false && error} is false there. */
    private static Node and(Node left, Node right) {
        return record -> bool(left.eval(record)) && bool(right.eval(record));
    }

    private static Node or(Node left, Node right) {
        return record -> bool(left.eval(record)) || bool(right.eval(record));
    }

    private static Node in(Node value, CelExpr list, String variable) throws Unsupported {
        if (list.getKind() != CelExpr.ExprKind.Kind.LIST || !list.list().optionalIndices().isEmpty()) {
            throw new Unsupported();
        }
        List<Node> elements = new ArrayList<>();
        for (CelExpr element : list.list().elements()) {
            elements.add(node(element, variable));
        }
        return record -> {
            Object candidate = value.eval(record);
            for (Node element : elements) {
                if (equal(candidate, element.eval(record))) {
                    return true;
                }
            }
            return false;
        };
    }

    private static boolean bool(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw Fallback.INSTANCE;
    }

    private static String string(Object value) {
        if (value instanceof String s) {
            return s;
        }
        throw Fallback.INSTANCE;
    }

    private static boolean equal(Object left, Object right) {
        if (left instanceof Long a && right instanceof Long b) {
            return a.longValue() == b.longValue();
        }
        if (left instanceof Number || right instanceof Number) {
            return compare(left, right) == 0;
        }
        if (left instanceof String || left instanceof Boolean) {
            if (left.getClass() != right.getClass()) {
                throw Fallback.INSTANCE;
            }
            return left.equals(right);
        }
        throw Fallback.INSTANCE;
    }

    /** Numbers only (CEL orders ints and doubles with each other here); text ordering is left to CEL. */
    private static int compare(Object left, Object right) {
        if (left instanceof Long a && right instanceof Long b) {
            return Long.compare(a, b);
        }
        double a = exactDouble(left);
        double b = exactDouble(right);
        return a < b ? -1 : a > b ? 1 : 0;
    }

    private static double exactDouble(Object value) {
        if (value instanceof Double d) {
            if (d.isNaN()) {
                throw Fallback.INSTANCE;
            }
            return d;
        }
        if (value instanceof Long l && Math.abs(l) <= EXACT_IN_DOUBLE) {
            return l;
        }
        throw Fallback.INSTANCE;
    }

    private static Object add(Object left, Object right) {
        if (left instanceof Long a && right instanceof Long b) {
            return exact(() -> Math.addExact(a, b));
        }
        if (left instanceof Double a && right instanceof Double b) {
            return a + b;
        }
        if (left instanceof String a && right instanceof String b) {
            return a + b;
        }
        throw Fallback.INSTANCE;
    }

    private static Object subtract(Object left, Object right) {
        if (left instanceof Long a && right instanceof Long b) {
            return exact(() -> Math.subtractExact(a, b));
        }
        if (left instanceof Double a && right instanceof Double b) {
            return a - b;
        }
        throw Fallback.INSTANCE;
    }

    private static Object multiply(Object left, Object right) {
        if (left instanceof Long a && right instanceof Long b) {
            return exact(() -> Math.multiplyExact(a, b));
        }
        if (left instanceof Double a && right instanceof Double b) {
            return a * b;
        }
        throw Fallback.INSTANCE;
    }

    private static long exact(java.util.function.LongSupplier operation) {
        try {
            return operation.getAsLong();
        } catch (ArithmeticException overflow) {
            throw Fallback.INSTANCE;
        }
    }
}
