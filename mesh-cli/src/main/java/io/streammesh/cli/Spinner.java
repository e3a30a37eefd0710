package io.streammesh.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A spinner on standard error while a command waits (an audit query runs for seconds), for a
 * person at a terminal; silent when standard error is not one (scripts, CI, pipes), so it never
 * mixes with what a command prints for a program. Java cannot tell whether standard error is a
 * terminal, so the {@code mesh} launcher says it in {@value #TERMINAL_PROPERTY}.
 */
final class Spinner implements AutoCloseable {

    /** The system property the launcher sets to {@code true} when standard error is a terminal. */
    static final String TERMINAL_PROPERTY = "mesh.stderr.terminal";

    private static final String FRAMES = "|/-\\";
    private static final Duration PERIOD = Duration.ofMillis(120);

    private final PrintWriter err;
    private final String label;
    private final Duration period;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private int width;

    private Spinner(PrintWriter err, String label, Duration period, boolean enabled) {
        this.err = err;
        this.label = label;
        this.period = period;
        this.thread = enabled ? new Thread(this::spin, "mesh-spinner") : null;
        if (thread != null) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * @param err standard error
     * @param label what is being waited for, e.g. "running the query"
     * @return a running spinner, or a silent one when standard error is not a terminal
     */
    static Spinner start(PrintWriter err, String label) {
        return new Spinner(err, label, PERIOD, Boolean.getBoolean(TERMINAL_PROPERTY));
    }

    /**
     * @param err where to spin
     * @param label what is being waited for
     * @param period how often the spinner turns
     * @return a running spinner, whatever standard error is
     */
    static Spinner startOn(PrintWriter err, String label, Duration period) {
        return new Spinner(err, label, period, true);
    }

    private void spin() {
        long started = System.nanoTime();
        int frame = 0;
        try {
            do {
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
                String line = FRAMES.charAt(frame++ % FRAMES.length()) + " " + label + " (" + seconds + " s)";
                width = Math.max(width, line.length());
                err.print("\r" + line);
                err.flush();
            } while (!stopped.await(period.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the spinner and blanks its line, so what follows starts on a clean line; idempotent. */
    @Override
    public void close() {
        if (thread == null || stopped.getCount() == 0) {
            return;
        }
        stopped.countDown();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.print("\r" + " ".repeat(width) + "\r");
        err.flush();
    }
}
