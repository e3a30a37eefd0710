package io.streammesh.connector.contract;

import java.io.IOException;

/** Where a contract's {@code schema:} file is read from: beside the descriptor, or on the classpath. */
@FunctionalInterface
public interface SchemaSource {

    /**
     * @param name the {@code schema:} value, relative to the descriptor
     * @return the file's text
     * @throws IOException if it cannot be read (a missing file included)
     */
    String read(String name) throws IOException;
}
