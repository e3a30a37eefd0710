package io.streammesh.catalog;

import io.streammesh.client.MeshClientConfig.Secret;
import io.streammesh.schema.MeshPrincipal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;

/**
 * A person signed in to the catalog through the sign-in form: who, until when, and the token a
 * state-changing request authenticated by this session's cookie must carry (CSRF).
 *
 * @param id the session cookie's value; random, issued by {@link PortalSessions} only
 * @param principal the mesh principal that signed in
 * @param csrfToken the session's CSRF token; random, never derived from the id
 * @param expiresAt when the session ends whatever happens
 * @param password the password the person signed in with, held in memory only: the portal writes
 *        their access requests and decisions to Kafka as them, so the broker's ACLs and the
 *        catalog's "a topic's writer is its principal" rule hold for the portal as for the CLI
 */
record PortalSession(String id, MeshPrincipal principal, String csrfToken, Instant expiresAt, Secret password) {

    /**
     * @param token the token a request carries; null when it carries none
     * @return whether it is this session's, compared in constant time so that timing tells nothing of the token
     */
    boolean acceptsCsrfToken(String token) {
        return token != null && MessageDigest.isEqual(csrfToken.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** Never the id or the token, should a session end up in a log line. */
    @Override
    public String toString() {
        return "PortalSession[" + principal.kafkaPrincipal() + " until " + expiresAt + "]";
    }
}
