package io.streammesh.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Logs records that could not be read, at most once per {@link #EVERY} per topic, with how many
 * more there were since: a topic a tenant writes may hold any number of them, and a line each
 * would let a tenant fill the platform's disks and bury every other message. The caller still
 * refuses each record (a dead letter, a rejection).
 */
final class UnreadableRecordLog {

    /** The least time between two lines about one topic. */
    static final Duration EVERY = Duration.ofMinutes(1);

    private final Consumer<String> log;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** @param log where each line goes (an error log) @param nanoTime a monotonic clock, in nanoseconds */
    UnreadableRecordLog(Consumer<String> log, LongSupplier nanoTime) {
        this.log = log;
        this.nanoTime = nanoTime;
    }

    /** @param topic where the record was read @param failure why it could not be */
    void report(String topic, RuntimeException failure) {
        long now = nanoTime.getAsLong();
        long unreported = windows.computeIfAbsent(topic, t -> new Window()).count(now);
        if (unreported >= 0) {
            log.accept("Cannot read a record of " + topic + ": " + failure
                    + (unreported == 0 ? "" : " (and " + unreported + " more unreadable record(s) of it in the last " + EVERY.toMinutes() + " min)"));
        }
    }

    /** One topic's records since its last line. */
    private static final class Window {
        private long loggedAt;
        private boolean logged;
        private long since;

        /** @return how many went unlogged before this one, if this one is to be logged; -1 if not */
        synchronized long count(long now) {
            if (logged && now - loggedAt < EVERY.toNanos()) {
                since++;
                return -1;
            }
            long unreported = since;
            logged = true;
            loggedAt = now;
            since = 0;
            return unreported;
        }
    }
}
