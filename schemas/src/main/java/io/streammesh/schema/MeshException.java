package io.streammesh.schema;

/**
 * A failure an operator can act on: the message is one line saying what went wrong and how to
 * fix it, and is shown as is (no stack trace) by the CLI.
 */
public class MeshException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and how to fix it, one line */
    public MeshException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and how to fix it, one line
     * @param cause the underlying failure, kept for logs
     */
    public MeshException(String message, Throwable cause) {
        super(message, cause);
    }
}
