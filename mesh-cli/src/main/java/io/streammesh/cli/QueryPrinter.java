package io.streammesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.query.AuditQuery;
import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.types.RowKind;

/**
 * Prints a query's rows as they come, in the format asked for. Continuous aggregates also send
 * retractions and updates of earlier rows: they are marked ({@code -U}, {@code +U}, {@code -D})
 * rather than printed as if they were new rows. Times are UTC.
 */
abstract class QueryPrinter implements AuditQuery.ResultSink {

    protected final PrintWriter out;
    protected List<String> columns = List.of();

    QueryPrinter(PrintWriter out) {
        this.out = out;
    }

    static QueryPrinter of(OutputFormat format, PrintWriter out, boolean follow) {
        return switch (format) {
            case table -> follow ? new Delimited(out, "  ", TerminalText::escape) : new Tabular(out);
            case json -> new Json(out);
            case csv -> new Delimited(out, ",", cell -> Delimited.csvQuote(TerminalText.escape(cell)));
        };
    }

    @Override
    public void columns(List<String> names) {
        this.columns = List.copyOf(names);
    }

    /** Called once the result is complete. */
    void finish() {
        out.flush();
    }

    static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof LocalDateTime time) {
            return time + "Z";
        }
        if (value instanceof Object[] array) {
            return Arrays.stream(array).map(QueryPrinter::text).collect(Collectors.joining(","));
        }
        return value.toString();
    }

    static String marked(RowKind kind, String line) {
        return kind == RowKind.INSERT ? line : kind.shortString() + " " + line;
    }

    /** A table printed when the result is complete. */
    private static final class Tabular extends QueryPrinter {
        private final List<String[]> rows = new ArrayList<>();

        Tabular(PrintWriter out) {
            super(out);
        }

        @Override
        public void row(RowKind kind, List<Object> values) {
            rows.add(values.stream().map(QueryPrinter::text).toArray(String[]::new));
        }

        @Override
        void finish() {
            var table = new Table(columns.toArray(String[]::new));
            rows.forEach(table::row);
            table.print(out);
            out.printf("(%d row%s)%n", rows.size(), rows.size() == 1 ? "" : "s");
            out.flush();
        }
    }

    /**
     * A header line, then a line per row as it arrives: cells apart by two spaces (a followed
     * table) or commas (CSV, RFC 4180 quoting); control characters escaped in both, so a row is
     * always one line.
     */
    static final class Delimited extends QueryPrinter {
        private final String separator;
        private final UnaryOperator<String> cell;

        Delimited(PrintWriter out, String separator, UnaryOperator<String> cell) {
            super(out);
            this.separator = separator;
            this.cell = cell;
        }

        @Override
        public void columns(List<String> names) {
            super.columns(names);
            out.println(names.stream().map(cell).collect(Collectors.joining(separator)));
            out.flush();
        }

        @Override
        public void row(RowKind kind, List<Object> values) {
            out.println(marked(kind, values.stream().map(v -> cell.apply(text(v))).collect(Collectors.joining(separator))));
            out.flush();
        }

        static String csvQuote(String cell) {
            return cell.contains(",") || cell.contains("\"") || cell.contains("\n") ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
        }
    }

    /** One JSON object per row, for scripts. */
    private static final class Json extends QueryPrinter {
        private static final ObjectMapper JSON = new ObjectMapper();

        Json(PrintWriter out) {
            super(out);
        }

        @Override
        public void row(RowKind kind, List<Object> values) {
            ObjectNode object = JSON.createObjectNode();
            if (kind != RowKind.INSERT) {
                object.put("op", kind.shortString());
            }
            for (int i = 0; i < values.size(); i++) {
                Object value = values.get(i);
                if (value == null) {
                    object.putNull(columns.get(i));
                } else if (value instanceof Number || value instanceof Boolean) {
                    object.set(columns.get(i), JSON.valueToTree(value));
                } else if (value instanceof Object[] array) {
                    var items = object.putArray(columns.get(i));
                    Arrays.stream(array).forEach(item -> items.add(text(item)));
                } else {
                    object.put(columns.get(i), text(value));
                }
            }
            out.println(TerminalText.json(object, false));
            out.flush();
        }
    }
}
