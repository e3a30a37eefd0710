package io.streammesh.query;

import io.streammesh.client.MeshClientConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.SerializedThrowable;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * SQL over the audit trail with embedded Flink: tables {@code audit}, {@code catalog} and
 * {@code grants} (see {@link AuditTables}) read straight from the mesh's topics. By default a
 * query is a batch over everything up to now; {@link Scan} starts and stops the read by record
 * time, or follows the topics as a continuous query.
 *
 * <pre>{@code
 * AuditQuery.run(clientConfig, "SELECT principal, SUM(event_count) FROM audit WHERE decision = 'DENIED' GROUP BY principal",
 *         AuditQuery.Scan.everything(), sink);
 * }</pre>
 */
public final class AuditQuery {

    /**
     * Which records the tables hold.
     *
     * @param since read from records written at or after this time; null for the beginning
     * @param until stop at records written at this time; null for up to now (or for ever, following)
     * @param follow keep reading as records arrive: a continuous query that does not end
     */
    public record Scan(Instant since, Instant until, boolean follow) {
        /** @return everything up to now */
        public static Scan everything() {
            return new Scan(null, null, false);
        }
    }

    /** Receives a query's result. */
    public interface ResultSink {
        /** @param names the result's column names, before any row */
        void columns(List<String> names);

        /**
         * @param kind INSERT for a plain row; in a continuous aggregate also the retraction and
         *        update of an earlier row
         * @param values the row's values
         */
        void row(RowKind kind, List<Object> values);
    }

    private AuditQuery() {
    }

    /**
     * Runs a query and hands its result to the sink; for a followed scan, until the thread is
     * interrupted.
     *
     * @param clientConfig the acting principal's client config (Kafka, SASL, registry)
     * @param sql one query (SELECT, WITH … SELECT, a UNION of SELECTs); anything else is refused
     * @param scan which records the tables hold
     * @param sink where the result goes
     * @throws QueryException with a one-line reason if the statement is not one query, the
     *         engine's if it is not valid, "not authorised to read the audit trail" if the broker
     *         refuses the principal a table's topic, else the root cause of the failure
     */
    public static void run(MeshClientConfig clientConfig, String sql, Scan scan, ResultSink sink) {
        run(clientConfig, sql, scan, sink, new Configuration(), null);
    }

    /**
     * Runs a query as {@link #run(MeshClientConfig, String, Scan, ResultSink)} does, as a job of a
     * Flink session cluster: the same statement, planned here, the same rows.
     *
     * @param clientConfig the acting principal's client config; the job carries it to the cluster
     * @param sql one query, as for the embedded run
     * @param scan which records the tables hold
     * @param sink where the result goes
     * @param session the cluster's JobManager
     * @throws QueryException as the embedded run, and "the Flink cluster at host:port did not take
     *         the query: …" with the cause if the cluster cannot be reached or refuses the job
     */
    public static void run(MeshClientConfig clientConfig, String sql, Scan scan, ResultSink sink, FlinkSession session) {
        var configuration = new Configuration();
        session.configure(configuration);
        run(clientConfig, sql, scan, sink, configuration, session);
    }

    /** @param session the cluster the job is submitted to, null for the embedded engine */
    private static void run(MeshClientConfig clientConfig, String sql, Scan scan, ResultSink sink, Configuration configuration,
            FlinkSession session) {
        configuration.setString("parallelism.default", "1");
        configuration.setString("table.exec.resource.default-parallelism", "1");
        configuration.setString(AuditStatement.HINTS_OFF, "false");
        // A query is asked by a person waiting for it: a failure (a refused read) ends it with its
        // reason rather than being retried behind "Failed to fetch next result".
        configuration.setString("restart-strategy.type", "none");
        // The embedded engine's REST endpoint (which can list, cancel and read jobs) listens on
        // this host only: the portal runs queries inside a server, not only on a person's machine.
        if (session == null) {
            configuration.setString("rest.bind-address", "127.0.0.1");
            configuration.setString("rest.address", "127.0.0.1");
        }
        var settings = (scan.follow() ? EnvironmentSettings.newInstance().inStreamingMode() : EnvironmentSettings.newInstance().inBatchMode())
                .withConfiguration(configuration).build();
        TableEnvironment tables = TableEnvironment.create(settings);
        for (AuditTables.Table table : AuditTables.ALL) {
            tables.createTemporaryTable(table.name(), AuditTables.descriptor(table, clientConfig, scan));
        }
        tables.createTemporaryView(AuditTables.GRANTS_NOW, tables.sqlQuery(AuditTables.grantsNowQuery()));
        QueryOperation query = AuditStatement.parse(tables, sql);
        TableResult result;
        try {
            result = ((TableEnvironmentInternal) tables).executeInternal(query);
        } catch (RuntimeException e) {
            throw session == null ? failed(e, clientConfig) : notSubmitted(e, clientConfig, session);
        }
        sink.columns(result.getResolvedSchema().getColumnNames());
        try (CloseableIterator<Row> rows = result.collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                var values = new ArrayList<Object>(row.getArity());
                for (int i = 0; i < row.getArity(); i++) {
                    values.add(row.getField(i));
                }
                sink.row(row.getKind(), values);
            }
        } catch (Exception e) {
            throw failed(e, clientConfig);
        }
    }

    /**
     * A query that did not run to its end: the broker's refusal to let the principal read a
     * table's topic, else the root cause (Flink wraps it in "Failed to fetch next result", "Job
     * execution failed" and the like, which say nothing).
     */
    private static QueryException failed(Exception e, MeshClientConfig clientConfig) {
        Throwable root = e;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (isAuthorization(cause)) {
                return new QueryException("not authorised to read the audit trail: the broker refused "
                        + clientConfig.kafkaPrincipal() + " (" + oneLine(cause) + ")", e);
            }
            root = cause;
        }
        return new QueryException(oneLine(root), e);
    }

    /** The session cluster did not take the job (unreachable, refused the jars): say which cluster. */
    private static QueryException notSubmitted(Exception e, MeshClientConfig clientConfig, FlinkSession session) {
        QueryException failure = failed(e, clientConfig);
        if (failure.getMessage().startsWith("not authorised")) {
            return failure;
        }
        return new QueryException("the Flink cluster at " + session + " did not take the query: " + failure.getMessage(), e);
    }

    /** Failures from the job's tasks arrive serialized, as the name of their class. */
    private static boolean isAuthorization(Throwable failure) {
        if (failure instanceof AuthorizationException) {
            return true;
        }
        if (failure instanceof SerializedThrowable serialized) {
            try {
                return AuthorizationException.class.isAssignableFrom(Class.forName(serialized.getOriginalErrorClassName(), false,
                        AuditQuery.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
        return false;
    }

    /** The engine's own reason, without its stack or the SQL echoed back. */
    static String oneLine(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() != null && cause.getMessage().startsWith("SQL validation failed")) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.strip().lines().findFirst().orElse(message);
    }

    /** A query the engine refused or could not run. */
    public static final class QueryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QueryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
