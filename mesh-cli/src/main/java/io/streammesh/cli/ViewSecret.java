package io.streammesh.cli;

import io.streammesh.schema.MeshException;
import io.streammesh.embedded.StateDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The embedded mesh's secret for hashed view fields ({@code <state-dir>/view.secret}, owner-only):
 * made once, kept across restarts so that a hashed value stays the same hash.
 */
final class ViewSecret {

    private static final int BYTES = 32;

    private ViewSecret() {
    }

    static byte[] of(StateDirectory state) {
        return of(state.root().resolve("view.secret"));
    }

    /**
     * @param file the secret's file, made if missing: every enforcer instance of a mesh must read the same one
     * @return the secret
     */
    static byte[] of(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] secret = new byte[BYTES];
                new SecureRandom().nextBytes(secret);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(file, secret);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new MeshException("cannot read or create the view secret " + file + ": " + e.getMessage(), e);
        }
    }
}
