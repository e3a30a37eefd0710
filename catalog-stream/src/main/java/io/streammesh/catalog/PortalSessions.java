package io.streammesh.catalog;

import io.streammesh.client.MeshClientConfig.Secret;
import io.streammesh.schema.MeshPrincipal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The server-side store of signed-in people, bounded: a session lives {@link #lifetime} at most,
 * one principal holds at most {@link #perPrincipal} sessions (signing in once more ends its
 * oldest), and the store holds at most {@link #capacity} (a sign-in beyond that is refused
 * rather than ending someone else's session). Ids and CSRF tokens are 256 random bits each; an
 * id the store did not issue, or one it ended, names no session, which is what defeats session
 * fixation: a cookie planted before sign-in is never adopted, sign-in always issues a new id.
 */
final class PortalSessions {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_BYTES = 32;

    private final Map<String, PortalSession> sessions = new LinkedHashMap<>();
    private final Duration lifetime;
    private final int capacity;
    private final int perPrincipal;
    private final Clock clock;

    PortalSessions(Duration lifetime, int capacity, int perPrincipal, Clock clock) {
        this.lifetime = lifetime;
        this.capacity = capacity;
        this.perPrincipal = perPrincipal;
        this.clock = clock;
    }

    Duration lifetime() {
        return lifetime;
    }

    /**
     * @param principal who signed in
     * @param password the password they proved it with (the portal writes to Kafka as them)
     * @return the new session, empty when the store is full of live sessions
     */
    synchronized Optional<PortalSession> open(MeshPrincipal principal, Secret password) {
        dropExpired();
        var own = sessions.values().stream().filter(s -> s.principal().equals(principal)).toList();
        if (own.size() >= perPrincipal) {
            own.stream().min(Comparator.comparing(PortalSession::expiresAt)).ifPresent(oldest -> sessions.remove(oldest.id()));
        }
        if (sessions.size() >= capacity) {
            return Optional.empty();
        }
        var session = new PortalSession(randomToken(), principal, randomToken(), clock.instant().plus(lifetime), password);
        sessions.put(session.id(), session);
        return Optional.of(session);
    }

    /**
     * @param id a cookie's value; null when the request has none
     * @return its live session; empty for an unknown, ended or expired id
     */
    synchronized Optional<PortalSession> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        PortalSession session = sessions.get(id);
        if (session != null && session.expiredAt(clock.instant())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.ofNullable(session);
    }

    /** @param id a session's id; nothing happens when it names none */
    synchronized void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private void dropExpired() {
        sessions.values().removeIf(s -> s.expiredAt(clock.instant()));
    }

    private static String randomToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
