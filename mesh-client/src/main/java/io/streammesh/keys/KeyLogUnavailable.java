package io.streammesh.keys;

import io.streammesh.schema.MeshException;

/**
 * A domain's key log ({@code mesh.keys.<domain>}) could not be read or written, or a data key that
 * unwrapped before could not be unwrapped now (its KMS failed): an outage, never a verdict on the
 * record whose key was wanted. Whoever holds such a record waits and tries again
 * (the contract gate fails the task, which reprocesses it exactly once), as for a registry outage.
 */
public final class KeyLogUnavailable extends MeshException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what could not be done, one line
     * @param cause the client's failure, or null
     */
    public KeyLogUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
