package io.streammesh.keys;

/**
 * A subject's data key is not at hand yet: {@link PreparedKeys} is making it ready on a thread of
 * its own. No verdict on the record that needs it: it waits, and is tried again once the key is at
 * hand ({@link PreparedKeys#atHand}). Thrown for every such record, so without a stack trace.
 */
public final class KeyNotReady extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String subject;

    /**
     * @param domain the domain whose key it is
     * @param subject the subject whose key it is
     */
    public KeyNotReady(String domain, String subject) {
        super("a data key of domain " + domain + " is being made ready", null, false, false);
        this.subject = subject;
    }

    /** @return the subject whose key it is (never in the message: subject ids stay out of logs) */
    public String subject() {
        return subject;
    }
}
