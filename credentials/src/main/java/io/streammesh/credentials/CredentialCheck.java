package io.streammesh.credentials;

import io.streammesh.schema.MeshPrincipal;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks an HTTP Basic login against the broker's credential file: a caller of an HTTP API of
 * the mesh (the catalog's REST API) logs in with the same principal and password it uses with
 * the broker. This is where that coupling lives: the API holds a check, not the file.
 */
public final class CredentialCheck {

    private final CredentialStore brokerCredentials;

    private CredentialCheck(CredentialStore brokerCredentials) {
        this.brokerCredentials = brokerCredentials;
    }

    /**
     * @param file the broker's credential file ({@code <state>/credentials} of a mesh), which its
     *        PLAIN login checks too; re-read when it changes, so a principal added while the API
     *        runs logs in at once
     * @return a check against it
     */
    public static CredentialCheck againstBrokerFile(Path file) {
        return new CredentialCheck(CredentialStore.at(file));
    }

    /**
     * @param login a principal name and password however they came (a Basic header, a sign-in form)
     * @return the principal they prove, empty when it is not in the file or the password is wrong
     */
    public Optional<MeshPrincipal> principalProvedBy(BasicLogin login) {
        return Optional.of(login).filter(l -> brokerCredentials.authenticate(l.name(), l.password()))
                .flatMap(l -> brokerCredentials.find(l.name()));
    }

    /**
     * @param login a principal name and password
     * @return the principal they proved before (no password hash derived now), empty otherwise
     */
    public Optional<MeshPrincipal> principalVerifiedBefore(BasicLogin login) {
        return Optional.of(login).filter(l -> brokerCredentials.verifiedBefore(l.name(), l.password()))
                .flatMap(l -> brokerCredentials.find(l.name()));
    }
}
