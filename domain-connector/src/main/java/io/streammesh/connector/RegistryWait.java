package io.streammesh.connector;

import io.streammesh.schema.MeshException;
import io.streammesh.client.SchemaRegistry;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the registry again, backing off, while it does not answer: an outage is a reason to
 * wait, never a verdict on a product or a record.
 */
final class RegistryWait {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryWait.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final String HINT = "; is the mesh running?";

    private RegistryWait() {
    }

    /**
     * @param wait how long to keep asking
     * @param call a call that needs the registry
     * @return its result, once the registry answered
     * @throws SchemaRegistry.Unreachable in one line, if it did not answer within {@code wait}
     */
    static <R> R until(Duration wait, Supplier<R> call) {
        long deadline = System.nanoTime() + wait.toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                return call.get();
            } catch (SchemaRegistry.Unreachable e) {
                if (System.nanoTime() + backoff.toNanos() > deadline) {
                    throw new SchemaRegistry.Unreachable(e.getMessage().replace(HINT, "")
                            + " and still did not after " + wait.toSeconds() + " s" + HINT, e);
                }
                LOG.warn("{}; asking again in {} ms", e.getMessage(), backoff.toMillis());
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static void pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while waiting for the schema registry", e);
        }
    }
}
