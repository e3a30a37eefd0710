package io.streammesh.client;

import io.streammesh.schema.MeshException;

/** The catalog API answered 503: it is starting or rebalancing, and the same question may be asked again in a moment. */
public final class CatalogBusyException extends MeshException {
    private static final long serialVersionUID = 1L;

    /** @param message the API's one-line error */
    public CatalogBusyException(String message) {
        super(message);
    }
}
