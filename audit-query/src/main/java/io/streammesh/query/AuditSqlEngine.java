package io.streammesh.query;

import io.streammesh.client.AuditSql;
import io.streammesh.client.MeshClientConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.types.RowKind;

/**
 * {@link AuditQuery} as the {@link AuditSql} engine other parts of the mesh find with
 * {@link java.util.ServiceLoader} (the catalog's portal): a batch over everything up to now, the
 * first rows kept, the run stopped at its time limit.
 */
public final class AuditSqlEngine implements AuditSql {

    /** One timer for every run's limit: it only interrupts the thread running the query. */
    private static final ScheduledExecutorService LIMITS = Executors.newSingleThreadScheduledExecutor(runnable -> {
        var thread = new Thread(runnable, "audit-sql-limits");
        thread.setDaemon(true);
        return thread;
    });

    /** For {@link java.util.ServiceLoader}. */
    public AuditSqlEngine() {
        // Stateless: every run has its own table environment.
    }

    @Override
    public Result run(MeshClientConfig principal, String sql, int maxRows, Duration maxRunTime) {
        var sink = new KeptRows(maxRows);
        Thread runner = Thread.currentThread();
        var stopped = new AtomicBoolean();
        var finished = new AtomicBoolean();
        // Under the lock the limit interrupts only a run not yet finished, so no interrupt outlives it.
        var limit = LIMITS.schedule(() -> {
            synchronized (finished) {
                if (!finished.get()) {
                    stopped.set(true);
                    runner.interrupt();
                }
            }
        }, maxRunTime.toMillis(), TimeUnit.MILLISECONDS);
        try {
            AuditQuery.run(principal, sql, AuditQuery.Scan.everything(), sink);
        } catch (AuditQuery.QueryException e) {
            if (stopped.get()) {
                throw overTime(maxRunTime, e);
            }
            if (!sink.full) {
                throw new Refused(e.getMessage(), e);
            }
        } finally {
            limit.cancel(false);
            synchronized (finished) {
                finished.set(true);
            }
            // An interrupt meant for this run must not reach the thread's next task.
            if (stopped.get()) {
                Thread.interrupted();
            }
        }
        if (stopped.get()) {
            // The interrupt came where the engine does not heed it: the run still went past its time.
            throw overTime(maxRunTime, null);
        }
        return new Result(sink.columns, sink.rows, sink.full);
    }

    private static Refused overTime(Duration maxRunTime, Throwable cause) {
        String limit = maxRunTime.toMillis() < 1000 ? maxRunTime.toMillis() + " ms" : maxRunTime.toSeconds() + " s";
        return new Refused("the query ran longer than " + limit + " and was stopped; narrow it down", cause);
    }

    /**
     * Keeps the first rows, each value cut at {@value #MAX_VALUE_CHARS} characters (a statement
     * such as {@code REPEAT('x', 100000000)} must not fill the memory of the process it shares
     * with the brokers); past the rows it ends the query (the engine then closes the job).
     */
    private static final class KeptRows implements AuditQuery.ResultSink {
        private static final int MAX_VALUE_CHARS = 2_000;
        private final int max;
        private List<String> columns = List.of();
        private final List<List<String>> rows = new ArrayList<>();
        private boolean full;

        KeptRows(int max) {
            this.max = max;
        }

        @Override
        public void columns(List<String> names) {
            columns = names;
        }

        @Override
        public void row(RowKind kind, List<Object> values) {
            if (rows.size() == max) {
                full = true;
                throw new IllegalStateException("more than " + max + " rows");
            }
            List<String> text = new ArrayList<>(values.size());
            values.forEach(v -> text.add(v == null ? null : cut(String.valueOf(v))));
            rows.add(text);
        }

        private static String cut(String value) {
            return value.length() <= MAX_VALUE_CHARS ? value : value.substring(0, MAX_VALUE_CHARS) + "… (cut at " + MAX_VALUE_CHARS + " characters)";
        }
    }
}
