package io.streammesh.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A plain text table for people: a header row, columns as wide as their widest cell (capped, but
 * the last column, usually a reason or a description, is never cut). Cells come from the data and
 * are {@linkplain TerminalText#escape(String) escaped}, so each row stays one line.
 */
final class Table {

    private static final int MAX_WIDTH = 60;

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(String... cells) {
        rows.add(Arrays.stream(cells).map(TerminalText::escape).toList());
        return this;
    }

    /**
     * @param out where to print
     * @param format table or csv (json is the caller's, from the data itself)
     */
    void print(PrintWriter out, OutputFormat format) {
        if (format == OutputFormat.csv) {
            out.println(header.stream().map(QueryPrinter.Delimited::csvQuote).collect(Collectors.joining(",")));
            rows.forEach(row -> out.println(row.stream().map(QueryPrinter.Delimited::csvQuote).collect(Collectors.joining(","))));
            out.flush();
            return;
        }
        print(out);
    }

    void print(PrintWriter out) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.min(MAX_WIDTH, Math.max(widths[i], row.get(i).length()));
            }
        }
        line(out, header, widths);
        rows.forEach(row -> line(out, row, widths));
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] widths) {
        var line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            boolean last = i == cells.size() - 1;
            String cell = !last && cells.get(i).length() > MAX_WIDTH ? cells.get(i).substring(0, MAX_WIDTH - 1) + "…" : cells.get(i);
            line.append(last ? cell : String.format("%-" + widths[i] + "s  ", cell));
        }
        out.println(line.toString().stripTrailing());
    }
}
