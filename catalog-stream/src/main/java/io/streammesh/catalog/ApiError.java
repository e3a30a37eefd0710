package io.streammesh.catalog;

/** A client error or unavailability with its HTTP status; the catalog API answers it as its one-line JSON error. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
