package io.streammesh.keys;

/**
 * A subject's data key is not at hand yet: {@link PreparedKeys} is making it ready on a thread of
 * its own. No verdict on the record that needs it: it waits, and is tried again once
 * {@link PreparedKeys#prepared()} moved on. Thrown for every such record, so without a stack trace.
 */
public final class KeyNotReady extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeyNotReady(String domain) {
        super("a data key of domain " + domain + " is being made ready", null, false, false);
    }
}
