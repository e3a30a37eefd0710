package io.streammesh.catalog;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clock of the portal's live health charts: every {@code interval} each open stream gets a
 * push, written on a thread of a shared pool, at most one write in flight per stream. A server-sent
 * event is a blocking write; a client that stops reading blocks it once its socket's buffers are
 * full, until Jetty's idle timeout ends the connection. Such a stream holds one writer and skips
 * its pushes meanwhile; every other stream's charts go on. The pool grows to at most
 * {@code streams} writers, the most streams {@link HealthStreams} lets open, and shrinks when idle.
 */
final class HealthPushes implements AutoCloseable {

    private final Duration interval;
    private final ScheduledExecutorService clock;
    private final ThreadPoolExecutor writers;

    /**
     * @param interval how often each stream gets a push
     * @param streams the most streams open at once
     */
    HealthPushes(Duration interval, int streams) {
        this.interval = interval;
        this.clock = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "portal-health-clock"));
        var numbered = new AtomicInteger();
        this.writers = new ThreadPoolExecutor(0, streams, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                runnable -> daemon(runnable, "portal-health-events-" + numbered.incrementAndGet()));
    }

    /**
     * Starts a stream's pushes, the first at once.
     *
     * @param push writes one event to the stream; may block while its client does not read, and
     *        handles its own failures (the stream closing)
     * @return stops the stream's pushes; a write in flight still ends on its own
     */
    Runnable start(Runnable push) {
        var inFlight = new AtomicBoolean();
        ScheduledFuture<?> ticks = clock.scheduleAtFixedRate(() -> {
            if (!inFlight.compareAndSet(false, true)) {
                return;
            }
            try {
                writers.execute(() -> {
                    try {
                        push.run();
                    } finally {
                        inFlight.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                // every writer busy (streams closing while their writes hang) or the portal closing: this push is skipped
                inFlight.set(false);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return () -> ticks.cancel(false);
    }

    @Override
    public void close() {
        clock.shutdownNow();
        writers.shutdownNow();
    }

    private static Thread daemon(Runnable runnable, String name) {
        var thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
