package io.streammesh.catalog;

import io.streammesh.client.AuditSql;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshPrincipal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portal's audit queries: each runs on the engine of {@code mesh audit query} ({@link AuditSql},
 * found on the class path) as the signed-in principal, so the broker decides what it may read. A
 * query runs on a small pool of its own, never on a request thread: the page shows it running and
 * fills in when it is done. At most {@code running} queries run at once and {@code queued} wait;
 * past that a new one is refused. Each runs at most {@code maxRunTime} and keeps {@code maxRows}
 * rows; a finished one is kept {@code kept} for its page, then forgotten.
 */
final class AuditQueries implements AutoCloseable {

    /** Where a query stands. */
    enum State { RUNNING, DONE, FAILED }

    /**
     * One query of one principal.
     *
     * @param id random, the page's handle on it
     * @param owner who asked: only they see it
     * @param sql what they asked
     * @param startedAt when it was asked
     * @param state where it stands
     * @param result its rows once DONE
     * @param reason why it FAILED, one line
     */
    record Query(String id, MeshPrincipal owner, String sql, Instant startedAt, State state, AuditSql.Result result, String reason) {
        Query done(AuditSql.Result rows) {
            return new Query(id, owner, sql, startedAt, State.DONE, rows, null);
        }

        Query failed(String why) {
            return new Query(id, owner, sql, startedAt, State.FAILED, null, why);
        }

        boolean running() {
            return state == State.RUNNING;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(AuditQueries.class);
    private static final SecureRandom IDS = new SecureRandom();
    /** Running or waiting per principal (the page's two standing queries and two of the person's own), so others keep a share. */
    private static final int MAX_OPEN_PER_PRINCIPAL = 4;
    /** Answers kept per principal, so that one person cannot fill the memory with results. */
    private static final int MAX_KEPT_PER_PRINCIPAL = 20;

    private final Optional<AuditSql> engine;
    private final ThreadPoolExecutor pool;
    private final int maxRows;
    private final Duration maxRunTime;
    private final Duration kept;
    private final Clock clock;
    private final Map<String, Query> queries = new ConcurrentHashMap<>();

    /**
     * @param engine the query engine; empty when this process runs without audit-query
     * @param running queries run at once
     * @param queued queries waiting for a free runner
     * @param maxRows rows a query keeps
     * @param maxRunTime how long a query may run
     * @param kept how long a query is kept after it was asked
     * @param clock the time
     */
    AuditQueries(Optional<AuditSql> engine, int running, int queued, int maxRows, Duration maxRunTime, Duration kept, Clock clock) {
        this.engine = engine;
        var threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(running, running, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queued), runnable -> {
            var thread = new Thread(runnable, "portal-audit-query-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.maxRows = maxRows;
        this.maxRunTime = maxRunTime;
        this.kept = kept;
        this.clock = clock;
    }

    /** @return the engine of {@code mesh audit query} if this process has it on its class path */
    static Optional<AuditSql> installedEngine() {
        return ServiceLoader.load(AuditSql.class).findFirst();
    }

    /** @return how long a query is kept after it was asked */
    Duration kept() {
        return kept;
    }

    /** @return whether queries can run here at all */
    boolean available() {
        return engine.isPresent();
    }

    /**
     * Starts a query as the principal.
     *
     * @param principal the signed-in principal's client config (their own password)
     * @param owner who asks
     * @param sql the query
     * @return the query, RUNNING
     * @throws ApiError 503 without an engine or when the queue is full
     */
    Query start(MeshClientConfig principal, MeshPrincipal owner, String sql) {
        AuditSql sqlEngine = engine.orElseThrow(() -> new ApiError(503,
                "this catalog runs without the audit query engine (audit-query is not on its class path): use mesh audit query"));
        forgetOld();
        long open = queries.values().stream().filter(q -> q.owner().equals(owner) && q.running()).count();
        if (open >= MAX_OPEN_PER_PRINCIPAL) {
            throw new ApiError(503, "you have " + open + " audit queries running or waiting: try again when one has ended");
        }
        forgetOldestOf(owner);
        byte[] random = new byte[16];
        IDS.nextBytes(random);
        var query = new Query(HexFormat.of().formatHex(random), owner, sql, clock.instant(), State.RUNNING, null, null);
        queries.put(query.id(), query);
        try {
            pool.execute(() -> queries.put(query.id(), run(sqlEngine, principal, query)));
        } catch (RejectedExecutionException e) {
            queries.remove(query.id());
            throw new ApiError(503, "the portal runs " + pool.getMaximumPoolSize() + " audit queries at once and " + pool.getQueue().size()
                    + " are waiting: try again when one has ended");
        }
        return query;
    }

    private Query run(AuditSql sqlEngine, MeshClientConfig principal, Query query) {
        try {
            return query.done(sqlEngine.run(principal, query.sql(), maxRows, maxRunTime));
        } catch (AuditSql.Refused e) {
            return query.failed(e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // Not the query's fault (the engine broke, or a deeply nested statement): the page says
            // so in one line, the log keeps the rest; the query must not stay RUNNING for good.
            LOG.warn("Portal audit query of {} failed", query.owner().kafkaPrincipal(), e);
            return query.failed("the query engine failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")));
        }
    }

    /**
     * The principal's latest run of one of the page's standing queries, started again once it is
     * older than {@code fresh}: reloading the page does not start a query each time.
     *
     * @param principal the signed-in principal's client config
     * @param owner who asks
     * @param sql the standing query
     * @param fresh how long a run's answer stands
     * @return the run to show
     */
    Query standing(MeshClientConfig principal, MeshPrincipal owner, String sql, Duration fresh) {
        Instant since = clock.instant().minus(fresh);
        return queries.values().stream().filter(q -> q.owner().equals(owner) && q.sql().equals(sql))
                .filter(q -> q.running() || !q.startedAt().isBefore(since))
                .max(Comparator.comparing(Query::startedAt))
                .orElseGet(() -> startOrSayWhyNot(principal, owner, sql));
    }

    /** A busy engine costs the page one panel, not the page: the panel says why. */
    private Query startOrSayWhyNot(MeshClientConfig principal, MeshPrincipal owner, String sql) {
        try {
            return start(principal, owner, sql);
        } catch (ApiError e) {
            return new Query("", owner, sql, clock.instant(), State.FAILED, null, e.getMessage());
        }
    }

    /**
     * @param id a query's id
     * @param asker who asks
     * @return the query, if it is the asker's and still kept
     */
    Optional<Query> find(String id, MeshPrincipal asker) {
        return Optional.ofNullable(id == null ? null : queries.get(id)).filter(q -> q.owner().equals(asker));
    }

    /** Each principal keeps at most {@value #MAX_KEPT_PER_PRINCIPAL} answers: the oldest ended one goes first. */
    private void forgetOldestOf(MeshPrincipal owner) {
        List<Query> ended = queries.values().stream().filter(q -> q.owner().equals(owner) && !q.running())
                .sorted(Comparator.comparing(Query::startedAt)).toList();
        for (int i = 0; i <= ended.size() - MAX_KEPT_PER_PRINCIPAL; i++) {
            queries.remove(ended.get(i).id());
        }
    }

    private void forgetOld() {
        Instant oldest = clock.instant().minus(kept);
        queries.values().removeIf(q -> !q.running() && q.startedAt().isBefore(oldest));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
