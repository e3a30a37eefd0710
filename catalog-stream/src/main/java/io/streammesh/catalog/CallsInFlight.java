package io.streammesh.catalog;

import io.javalin.http.Context;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API calls each principal has in flight: at most {@code perPrincipal} at once, a 429 past
 * that, so that no tenant holds the API's few threads ({@link CatalogApi}'s pool) from every
 * other tenant with many calls at once or slow ones. The platform's own calls (catalog instances
 * asking each other for their stores) are not counted; nor are the portal's live health streams,
 * which {@link HealthStreams} bounds, nor key fetches, which a team's consumers make many at once
 * and {@link KeyService} bounds itself (a refusal is cheap, a served key waits for its audit
 * report among a few). Thread-safe.
 */
final class CallsInFlight {

    /** Set on a call once counted, so that the after-handler lets go only of what the before-handler took. */
    private static final String COUNTED = "mesh.in-flight";

    private final int perPrincipal;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    /** @param perPrincipal the most calls one principal may have in flight */
    CallsInFlight(int perPrincipal) {
        this.perPrincipal = perPrincipal;
    }

    /** The before-handler, after the caller is known: counts the call, or refuses it. */
    void enter(Context ctx) {
        MeshPrincipal caller = CallerAuthentication.caller(ctx);
        if (caller == null || caller.kind() == PrincipalKind.PLATFORM || ctx.path().startsWith(Portal.HEALTH_EVENTS)
                || ctx.path().contains(KeyService.PATH_PART)) {
            return;
        }
        if (!tryEnter(caller.kafkaPrincipal())) {
            throw new ApiError(429, caller.kafkaPrincipal() + " has " + perPrincipal + " calls in flight, the most it may have at once; "
                    + "try again when one has answered");
        }
        ctx.attribute(COUNTED, caller.kafkaPrincipal());
    }

    /** The after-handler, which runs for every call, answered or failed. */
    void leave(Context ctx) {
        String counted = ctx.attribute(COUNTED);
        if (counted != null) {
            ctx.attribute(COUNTED, null);
            leave(counted);
        }
    }

    /** @return whether the principal's call is counted in flight: it had fewer than its bound */
    boolean tryEnter(String principal) {
        boolean[] entered = {false};
        inFlight.compute(principal, (p, calls) -> {
            int now = calls == null ? 0 : calls;
            if (now >= perPrincipal) {
                return calls;
            }
            entered[0] = true;
            return now + 1;
        });
        return entered[0];
    }

    /** @param principal whose counted call ended */
    void leave(String principal) {
        inFlight.computeIfPresent(principal, (p, calls) -> calls <= 1 ? null : calls - 1);
    }
}
