package io.streammesh.catalog;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.router.JavalinDefaultRouting;
import io.streammesh.client.MeshClientConfig.Secret;
import io.streammesh.credentials.BasicLogin;
import io.streammesh.credentials.CredentialCheck;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshPrincipal;
import java.util.Map;
import java.util.Optional;

/**
 * Sign-in for people: {@code GET /login} serves the form, {@code POST /login} (fields
 * {@code principal}, {@code password}, checked like HTTP Basic against the broker's credentials)
 * opens a {@link PortalSession} and sets its cookie, {@code GET /session} tells the signed-in page
 * who it is and its CSRF token, {@code POST /logout} ends the session. A failed or throttled
 * sign-in is reported for the audit like a refused REST call.
 */
final class SignIn {

    static final String LOGIN_PATH = "/login";
    static final String LOGOUT_PATH = "/logout";
    static final String SESSION_PATH = "/session";

    /** Where the form sends a person after sign-in; a form without it (a script) is sent to {@link #SESSION_PATH}. */
    private static final String NEXT_FIELD = "next";

    private final CredentialCheck credentials;
    private final PortalSessions sessions;
    private final SignInThrottle throttle;
    private final RestAccessLog accessLog;
    private final PortalTemplates templates;

    SignIn(CredentialCheck credentials, PortalSessions sessions, SignInThrottle throttle, RestAccessLog accessLog, PortalTemplates templates) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.throttle = throttle;
        this.accessLog = accessLog;
        this.templates = templates;
    }

    /** @param path a request's path @return whether it is one of sign-in's, which may be posted to */
    static boolean owns(String path) {
        return path.equals(LOGIN_PATH) || path.equals(LOGOUT_PATH) || path.equals(SESSION_PATH);
    }

    void routes(JavalinDefaultRouting router) {
        router.get(LOGIN_PATH, this::form);
        router.post(LOGIN_PATH, this::signIn);
        router.get(SESSION_PATH, this::session);
        router.post(LOGOUT_PATH, this::signOut);
    }

    private void form(Context ctx) {
        form(ctx, 200, "");
    }

    /** The form is the one page a framing site could use to catch a password: like every page, it may not be framed, nor post elsewhere. */
    private void form(Context ctx, int status, String error) {
        templates.render(ctx, status, "login.jte", Map.of("page", new PortalPage("Sign in", "", "", "", false, Map.of()), "error", error));
    }

    private void signIn(Context ctx) {
        if (ctx.formParam(NEXT_FIELD) == null) {
            signInOrRefuse(ctx);
            return;
        }
        // A person at the form sees a refusal on the form again, not the API's JSON.
        try {
            signInOrRefuse(ctx);
        } catch (ApiError e) {
            form(ctx, e.status(), e.getMessage());
        }
    }

    private void signInOrRefuse(Context ctx) {
        String client = CallerAuthentication.clientAddress(ctx);
        Optional<BasicLogin> login = login(ctx.formParam("principal"), ctx.formParam("password"));
        String named = login.map(l -> MeshNames.kafkaPrincipal(l.name())).orElse(MeshNames.kafkaPrincipal("ANONYMOUS"));
        throttle.refusal(named, client).ifPresent(reason -> {
            accessLog.record(named, client, LOGIN_PATH, false);
            throw new ApiError(429, reason);
        });
        Optional<MeshPrincipal> principal = login.flatMap(credentials::principalProvedBy);
        if (principal.isEmpty()) {
            throttle.failed(named, client);
            accessLog.record(named, client, LOGIN_PATH, false);
            throw new ApiError(401, "sign-in refused: unknown principal or wrong password");
        }
        // A cookie the browser brought is never kept, whoever it names: sign-in always starts a new session (no fixation).
        sessions.end(ctx.cookie(CallerAuthentication.SESSION_COOKIE));
        PortalSession session = sessions.open(principal.get(), new Secret(login.get().password()))
                .orElseThrow(() -> new ApiError(503, "too many people are signed in to the catalog; try again later"));
        accessLog.record(principal.get().kafkaPrincipal(), client, LOGIN_PATH, true);
        ctx.res().addHeader("Set-Cookie", cookie(ctx, session.id(), sessions.lifetime().toSeconds()));
        noStore(ctx);
        // Only the portal's own start page, never a URL from the form: no open redirect.
        ctx.redirect(ctx.formParam(NEXT_FIELD) == null ? SESSION_PATH : Portal.CATALOG, HttpStatus.SEE_OTHER);
    }

    private void session(Context ctx) {
        PortalSession session = CallerAuthentication.session(ctx)
                .orElseThrow(() -> new ApiError(400, "no session: this request was authenticated by HTTP Basic; sign in at " + LOGIN_PATH));
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("principal", session.principal().kafkaPrincipal())
                .put("csrfToken", session.csrfToken()).put("expiresAt", session.expiresAt().toString());
        noStore(ctx);
        CatalogApi.respond(ctx, 200, node);
    }

    private void signOut(Context ctx) {
        PortalSession session = CallerAuthentication.session(ctx)
                .orElseThrow(() -> new ApiError(400, "no session to end: this request was authenticated by HTTP Basic"));
        sessions.end(session.id());
        ctx.res().addHeader("Set-Cookie", cookie(ctx, "", 0));
        ctx.redirect(LOGIN_PATH, HttpStatus.SEE_OTHER);
    }

    /** The session cookie: out of scripts' reach, never sent by another site's page, for the whole server, bounded. */
    private static String cookie(Context ctx, String value, long maxAgeSeconds) {
        return CallerAuthentication.SESSION_COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
                + (ctx.req().isSecure() ? "; Secure" : "");
    }

    private static Optional<BasicLogin> login(String name, String password) {
        if (name == null || password == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BasicLogin(MeshPrincipal.bareName(name), password));
        } catch (MeshException e) {
            return Optional.empty();
        }
    }

    private static void noStore(Context ctx) {
        ctx.header("Cache-Control", "no-store");
    }
}
