package io.streammesh.credentials;

import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The principal name and password of an HTTP Basic {@code Authorization} header, as the catalog
 * REST API and the schema registry both read it before checking it against the
 * {@link CredentialStore}.
 *
 * @param name the bare principal name (valid by {@link MeshPrincipal}'s rules)
 * @param password the password as sent
 */
public record BasicLogin(String name, String password) {

    private static final String SCHEME = "Basic ";

    /**
     * @param header an {@code Authorization} header; null when there is none
     * @return the login it carries; empty when it is absent, not Basic, not Base64, has no
     *         password separator, or names no valid principal
     */
    public static Optional<BasicLogin> parse(String header) {
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(SCHEME.length()).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BasicLogin(MeshPrincipal.bareName(decoded.substring(0, colon)), decoded.substring(colon + 1)));
        } catch (MeshException e) {
            return Optional.empty();
        }
    }

    /** Never the password, should a login end up in a log line. */
    @Override
    public String toString() {
        return "BasicLogin[" + name + "]";
    }
}
