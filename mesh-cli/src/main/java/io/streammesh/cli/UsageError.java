package io.streammesh.cli;

/**
 * A command line that names something wrongly in a way only the command can tell (a product
 * address, who acts): printed as one line like any {@code MeshException}, but exits
 * {@value Mesh#USAGE}, as a wrong option does.
 */
final class UsageError extends RuntimeException {

    /** @param message what is wrong and how to write it */
    UsageError(String message) {
        super(message);
    }
}
