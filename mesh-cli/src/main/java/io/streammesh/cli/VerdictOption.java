package io.streammesh.cli;

import io.streammesh.client.CatalogBusyException;
import io.streammesh.client.CatalogClient;
import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshClientConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * How long a command waits for the platform's verdict on what it wrote ({@code --wait}, default
 * 30 s), or {@code --no-wait}: written is not yet accepted, so by default a command says only what
 * catalog-stream made of it.
 */
final class VerdictOption {

    /** Often enough to answer soon after catalog-stream does, seldom enough not to load the catalog API. */
    private static final Duration POLL = Duration.ofMillis(200);

    @Option(names = "--no-wait", description = "Return once written, without waiting for catalog-stream's verdict.")
    boolean noWait;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to wait for catalog-stream's verdict (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /**
     * @param catalog where the catalog API is
     * @param state the state directory
     * @param clientConfig who waits
     * @return the catalog API to wait on, or empty: {@code --no-wait}, or none known (say so with {@link #unwaited})
     */
    Optional<CatalogClient> catalog(CatalogOption catalog, StateDirOption state, MeshClientConfig clientConfig) {
        return noWait ? Optional.empty() : catalog.known(state, clientConfig);
    }

    /**
     * Says that the command did not wait, and how to look for the verdict.
     *
     * @param out standard output
     * @param followUp the command that shows the verdict
     */
    void unwaited(PrintWriter out, String followUp) {
        if (!noWait) {
            out.println("Not waiting for catalog-stream's verdict: no catalog API is known here (give --catalog-url).");
        }
        TerminalText.printf(out, "Follow it with: %s%n", followUp);
        out.flush();
    }

    /**
     * @param what what is awaited, for the message if it does not come, e.g. "request r-1"
     * @param followUp the command that shows the verdict later, for the same message
     * @param verdict asked again until it answers
     * @return the verdict
     * @throws MeshException if none comes within the wait, saying that it may still come and how to look
     */
    <T> T await(String what, String followUp, Supplier<Optional<T>> verdict) {
        Instant deadline = Instant.now().plus(timeout);
        String busy = "";
        while (true) {
            Optional<T> answer = Optional.empty();
            try {
                answer = verdict.get();
            } catch (CatalogBusyException e) {
                // Starting or rebalancing: the verdict is only later, not refused.
                busy = " (the catalog said: " + e.getMessage() + ")";
            }
            if (answer.isPresent()) {
                return answer.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new MeshException("no verdict from catalog-stream on " + what + " within " + timeout.toSeconds() + " s" + busy
                        + "; it may still come; look with: " + followUp);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while waiting for catalog-stream's verdict", e);
        }
    }
}
