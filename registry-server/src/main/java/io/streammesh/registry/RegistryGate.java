package io.streammesh.registry;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.streammesh.credentials.BasicLogin;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.schema.MeshPrincipal;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.Optional;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The registry's door: every HTTP call (REST v2, ccompat, ibmcompat, UI, anything Apicurio
 * serves) needs HTTP Basic with a mesh principal, checked against the mesh's credential store,
 * the same file and PBKDF2 hashes the broker checks; then {@link RegistryPolicy} decides. Only
 * the health checks the mesh polls for readiness are open.
 *
 * <p>The store file is named by the system property {@value #CREDENTIALS}; without it the
 * registry refuses to start rather than run open.
 */
@ApplicationScoped
public class RegistryGate {

    /** System property naming the mesh's credential store file. */
    public static final String CREDENTIALS = "mesh.credentials";

    private static final Logger LOG = Logger.getLogger(RegistryGate.class);
    /** Before Apicurio's own handlers and any other filter. */
    private static final int PRIORITY = 1000;
    private static final String CHALLENGE = "Basic realm=\"StreamMesh registry\", charset=\"UTF-8\"";

    private CredentialStore credentials;

    void register(@Observes Filters filters) {
        String file = System.getProperty(CREDENTIALS);
        if (file == null || file.isBlank()) {
            throw new IllegalStateException("the registry needs -D" + CREDENTIALS
                    + "=<state-dir>/credentials to authenticate mesh principals; refusing to run open");
        }
        credentials = CredentialStore.at(Path.of(file));
        filters.register(this::handle, PRIORITY);
    }

    private void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        var call = new RegistryCall(request.method().name(), request.path(),
                request.getHeader("X-Registry-ArtifactId"),
                request.getHeader("X-HTTP-Method-Override") != null || request.getHeader("X-HTTP-Method") != null);
        if (call.isOpen()) {
            context.next();
            return;
        }
        Optional<BasicLogin> login = BasicLogin.parse(request.getHeader("Authorization"));
        if (login.isEmpty()) {
            refuse(context, 401, "anonymous", call, "the registry needs a mesh principal: HTTP Basic with a name and "
                    + "password as in <state-dir>/clients/<principal>.properties (apicurio.auth.username/password)");
            return;
        }
        // A first check derives a PBKDF2 key (tens of ms): off the event loop, with the body held back meanwhile.
        request.pause();
        context.vertx().<Optional<MeshPrincipal>>executeBlocking(
                promise -> promise.complete(authenticate(login.get())), false,
                result -> {
                    request.resume();
                    if (result.failed()) {
                        LOG.errorf(result.cause(), "could not check the credentials of %s", login.get().name());
                        refuse(context, 500, login.get().name(), call, "the registry could not check credentials: "
                                + result.cause().getMessage());
                    } else if (result.result().isEmpty()) {
                        refuse(context, 401, login.get().name(), call, "unknown principal or wrong password");
                    } else {
                        decide(context, result.result().get(), call);
                    }
                });
    }

    private Optional<MeshPrincipal> authenticate(BasicLogin login) {
        return credentials.authenticate(login.name(), login.password()) ? credentials.find(login.name()) : Optional.empty();
    }

    private static void decide(RoutingContext context, MeshPrincipal who, RegistryCall call) {
        Optional<String> refusal = RegistryPolicy.refusal(who, call);
        if (refusal.isPresent()) {
            refuse(context, 403, who.kafkaPrincipal(), call, refusal.get());
        } else {
            context.next();
        }
    }

    /** Logs the refusal (never the credentials) and answers in the registry's own error shape. */
    private static void refuse(RoutingContext context, int status, String who, RegistryCall call, String reason) {
        LOG.warnf("refused %s %s %s (HTTP %d): %s", who, call.method(), call.path(), status, reason);
        var response = context.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (status == 401) {
            response.putHeader("WWW-Authenticate", CHALLENGE);
        }
        response.end(new JsonObject().put("error_code", status).put("name", status == 401 ? "Unauthorized" : "Forbidden")
                .put("message", reason).encode());
    }
}
