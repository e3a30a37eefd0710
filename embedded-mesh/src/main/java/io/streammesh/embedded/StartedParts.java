package io.streammesh.embedded;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start-up has started so far, stopped in reverse order: on a clean stop, and when a later
 * part cannot start, so that nothing is left running. A part that fails to stop is logged and the
 * others still stop.
 */
public final class StartedParts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StartedParts.class);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();

    /**
     * @param part something just started
     * @return it, stopped before everything started earlier
     */
    public <T extends AutoCloseable> T add(T part) {
        parts.push(part);
        return part;
    }

    /** @param part something to do after everything else has stopped */
    public void atEnd(AutoCloseable part) {
        parts.addLast(part);
    }

    /** @param part a part stopped already, by its owner */
    public void remove(AutoCloseable part) {
        parts.remove(part);
    }

    /** Stops every part, the last started first. */
    @Override
    public void close() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Could not stop {} cleanly: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
