package io.streammesh.catalog;

import io.javalin.http.Context;
import io.streammesh.credentials.BasicLogin;
import io.streammesh.credentials.CredentialCheck;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshPrincipal;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.util.URIUtil;

/**
 * Says who calls, before any route runs: HTTP Basic when the request carries an
 * {@code Authorization} header (REST clients, the CLI, other instances; a wrong one is refused
 * even if a session cookie comes with it), else the session cookie of a person signed in at
 * {@code /login}. A request authenticated by the cookie that could change state (any method but
 * GET and HEAD) must also carry its session's CSRF token: a browser sends the cookie on its own,
 * the token only a page of ours can add. Every decision is reported for the audit; a refusal
 * answers 401 (with {@code WWW-Authenticate}), 403 or 429 and ends the request.
 *
 * <p>A wrong Basic password costs a PBKDF2 derivation (tens of milliseconds of CPU): a principal
 * whose Basic logins failed too often from one address is, from that address, let in only with a
 * password verified before (no derivation), else refused unchecked (429) until its failures leave
 * the window. So no tenant can keep the catalog's threads deriving hashes, and failing as another
 * principal locks out neither that principal's verified password nor any other address (behind a
 * shared address, such as the ingest API's, a password not yet verified waits the window out).
 */
final class CallerAuthentication {

    /** The name of the session cookie. */
    static final String SESSION_COOKIE = "mesh-session";
    /** Where a request carries the CSRF token: this header, or the form field {@link #CSRF_FIELD}. */
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CSRF_FIELD = "csrf";

    private static final String CALLER = "mesh.caller";
    private static final String SESSION = "mesh.session";
    private static final Set<String> OPEN_PATHS = Set.of("/health", SignIn.LOGIN_PATH);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");

    private final CredentialCheck credentials;
    private final PortalSessions sessions;
    private final SignInThrottle basicFailures;
    private final RestAccessLog accessLog;

    /**
     * @param credentials checks Basic logins
     * @param sessions the portal's sessions
     * @param basicFailures counts failed Basic logins per principal and address
     * @param accessLog where every decision is reported
     */
    CallerAuthentication(CredentialCheck credentials, PortalSessions sessions, SignInThrottle basicFailures, RestAccessLog accessLog) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.basicFailures = basicFailures;
        this.accessLog = accessLog;
    }

    /** The before-handler: sets the caller or refuses the request. */
    void check(Context ctx) {
        if (OPEN_PATHS.contains(ctx.path()) || Portal.isAsset(ctx.path())) {
            return;
        }
        String resource = resource(ctx);
        String client = clientAddress(ctx);
        String authorization = ctx.header("Authorization");
        Optional<PortalSession> session = authorization == null ? sessions.find(ctx.cookie(SESSION_COOKIE)) : Optional.empty();
        Optional<MeshPrincipal> principal = authorization == null ? session.map(PortalSession::principal)
                : basic(authorization, client, resource);
        if (principal.isEmpty()) {
            accessLog.record(BasicLogin.parse(authorization).map(BasicLogin::name).map(MeshNames::kafkaPrincipal)
                    .orElse(MeshNames.kafkaPrincipal("ANONYMOUS")), client, resource, false);
            ctx.header("WWW-Authenticate", "Basic realm=\"StreamMesh catalog\"");
            throw new ApiError(401, "authenticate with your mesh principal and password (HTTP Basic)");
        }
        if (session.isPresent() && !SAFE_METHODS.contains(ctx.method().name())) {
            csrfRefusal(ctx, session.get()).ifPresent(reason -> {
                accessLog.record(principal.get().kafkaPrincipal(), client, resource, false);
                throw new ApiError(403, reason);
            });
        }
        accessLog.record(principal.get().kafkaPrincipal(), client, resource, true);
        ctx.attribute(CALLER, principal.get());
        session.ifPresent(s -> ctx.attribute(SESSION, s));
    }

    /** @return the principal a Basic login proves; empty if it proves none */
    private Optional<MeshPrincipal> basic(String authorization, String client, String resource) {
        Optional<BasicLogin> login = BasicLogin.parse(authorization);
        if (login.isEmpty()) {
            return Optional.empty();
        }
        String named = MeshNames.kafkaPrincipal(login.get().name());
        Optional<String> refusal = basicFailures.refusal(named, client);
        if (refusal.isPresent()) {
            Optional<MeshPrincipal> known = credentials.principalVerifiedBefore(login.get());
            if (known.isEmpty()) {
                accessLog.record(named, client, resource, false);
                throw new ApiError(429, refusal.get());
            }
            return known;
        }
        Optional<MeshPrincipal> proved = credentials.principalProvedBy(login.get());
        if (proved.isEmpty()) {
            basicFailures.failed(named, client);
        }
        return proved;
    }

    /** @return the caller {@link #check} found; only routes behind it ask */
    static MeshPrincipal caller(Context ctx) {
        return ctx.attribute(CALLER);
    }

    /** @return the session the request was authenticated by; empty for HTTP Basic */
    static Optional<PortalSession> session(Context ctx) {
        return Optional.ofNullable(ctx.attribute(SESSION));
    }

    /** @return the path and query as the audit names the resource, e.g. {@code /api/products?q=orders} */
    static String resource(Context ctx) {
        return path(ctx) + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
    }

    /** @return the request's path, percent-decoded */
    static String path(Context ctx) {
        return URIUtil.decodePath(ctx.path());
    }

    /** @return the connection's address; never a forwarding header, which any client can set */
    static String clientAddress(Context ctx) {
        return ctx.req().getRemoteAddr();
    }

    private static Optional<String> csrfRefusal(Context ctx, PortalSession session) {
        String token = Optional.ofNullable(ctx.header(CSRF_HEADER)).orElseGet(() -> formToken(ctx));
        if (token == null) {
            return Optional.of("a request signed in by the session cookie that changes state needs the session's CSRF token (header "
                    + CSRF_HEADER + " or form field " + CSRF_FIELD + ")");
        }
        return session.acceptsCsrfToken(token) ? Optional.empty()
                : Optional.of("the CSRF token is not this session's (header " + CSRF_HEADER + " or form field " + CSRF_FIELD + ")");
    }

    private static String formToken(Context ctx) {
        String type = ctx.contentType();
        return type != null && type.startsWith("application/x-www-form-urlencoded") ? ctx.formParam(CSRF_FIELD) : null;
    }
}
