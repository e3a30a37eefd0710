package io.streammesh.query;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;

/**
 * The one statement an audit query may run: a single query (SELECT, WITH … SELECT, a UNION of
 * SELECTs, VALUES), as Flink's own parser reads it. Anything else Flink runs, DDL that creates a
 * table over another connector (a file, a socket), INSERT, SET, several statements, is refused
 * before it runs. Inside the query, OPTIONS hints that would point a table at another connector
 * or topic are turned off by {@link #HINTS_OFF}, and no function can be added (that takes a
 * statement of its own), so a query reaches only the tables of {@link AuditTables}.
 */
final class AuditStatement {

    /** Flink's setting that refuses {@code /*+ OPTIONS(...) *}{@code /} table hints when false. */
    static final String HINTS_OFF = "table.dynamic-table-options.enabled";

    private static final String ONE_QUERY = "mesh audit query runs one SELECT (or WITH … SELECT, a UNION of SELECTs) and nothing else";
    /** Flink's parser says so (Preconditions.checkArgument) when the text holds more than one statement. */
    private static final String SEVERAL = "only single statement supported";
    private static final Pattern LEADING_WORDS = Pattern.compile("^\\s*([A-Za-z]+(?:\\s+[A-Za-z]+)?)");

    private AuditStatement() {
    }

    /**
     * @param tables the query's table environment
     * @param sql the text to run
     * @return the query it holds, parsed and validated
     * @throws AuditQuery.QueryException with a one-line reason if it is not exactly one query
     */
    static QueryOperation parse(TableEnvironment tables, String sql) {
        List<Operation> operations;
        try {
            // The parser is Flink's internal API: the public sqlQuery() says no more than "Unsupported SQL query".
            operations = ((TableEnvironmentInternal) tables).getParser().parse(sql);
        } catch (IllegalArgumentException e) {
            if (SEVERAL.equals(e.getMessage())) {
                throw new AuditQuery.QueryException(ONE_QUERY + "; this holds several statements", e);
            }
            throw new AuditQuery.QueryException(AuditQuery.oneLine(e), e);
        } catch (RuntimeException e) {
            throw new AuditQuery.QueryException(AuditQuery.oneLine(e), e);
        }
        if (operations.size() != 1) {
            throw new AuditQuery.QueryException(ONE_QUERY + "; this holds " + operations.size() + " statements", null);
        }
        Operation operation = operations.get(0);
        if (!(operation instanceof QueryOperation query) || operation instanceof ModifyOperation) {
            throw new AuditQuery.QueryException(ONE_QUERY + "; this is " + leadingWords(sql), null);
        }
        return query;
    }

    /**
     * Names the refused statement for the message only ("CREATE TABLE", "INSERT INTO", "SET"):
     * the parser decided, and Flink's operations do not all describe themselves.
     */
    private static String leadingWords(String sql) {
        Matcher words = LEADING_WORDS.matcher(sql);
        return words.find() ? words.group(1).replaceAll("\\s+", " ").toUpperCase(Locale.ROOT) : "not a query";
    }
}
