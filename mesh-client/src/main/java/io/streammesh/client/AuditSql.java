package io.streammesh.client;

import java.time.Duration;
import java.util.List;

/**
 * The engine of {@code mesh audit query}, for a part of the mesh that must not depend on it: the
 * catalog's portal runs auditors' SQL through it. audit-query provides it (its Flink world stays
 * in its own module); a process finds it with {@link java.util.ServiceLoader} when audit-query is
 * on its class path, and goes without it otherwise.
 */
public interface AuditSql {

    /**
     * A query's rows, as text.
     *
     * @param columns the column names
     * @param rows the rows, each value as text (null stays null)
     * @param truncated whether rows were left out past the limit asked for
     */
    record Result(List<String> columns, List<List<String>> rows, boolean truncated) {
        /** Copies the lists. */
        public Result {
            columns = List.copyOf(columns);
            rows = List.copyOf(rows);
        }
    }

    /** A query the engine refused, could not run or stopped; the message is its one-line reason. */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param reason one line
         * @param cause the engine's failure
         */
        public Refused(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /**
     * Runs one query over everything up to now, as the principal whose client config it is: the
     * broker decides which tables it may read.
     *
     * @param principal the acting principal's client config (Kafka, SASL, registry)
     * @param sql one query, as {@code mesh audit query} takes it
     * @param maxRows rows kept; the rest are left out and the result says so
     * @param maxRunTime how long the query may run before it is stopped
     * @return its rows
     * @throws Refused with a one-line reason (the engine's, the broker's refusal, or the time limit)
     */
    Result run(MeshClientConfig principal, String sql, int maxRows, Duration maxRunTime);
}
