package io.streammesh.cli;

import java.io.PrintWriter;

/** A one-line progress bar on a terminal; silent when output is not a terminal (scripts, CI). */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final long total;
    private final boolean enabled;

    ProgressBar(PrintWriter out, long total) {
        this.out = out;
        this.total = total;
        this.enabled = System.console() != null && total > 0;
    }

    void show(long done) {
        if (!enabled) {
            return;
        }
        int filled = (int) Math.min(WIDTH, WIDTH * done / total);
        out.printf("\r[%s%s] %,d/%,d lines", "#".repeat(filled), " ".repeat(WIDTH - filled), done, total);
        out.flush();
    }

    void done() {
        if (enabled) {
            out.println();
            out.flush();
        }
    }
}
