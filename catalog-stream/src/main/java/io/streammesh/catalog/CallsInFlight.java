package io.streammesh.catalog;

import io.javalin.http.Context;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;

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

    private final PrincipalShares inFlight;

    /** @param perPrincipal the most calls one principal may have in flight */
    CallsInFlight(int perPrincipal) {
        // no bound in all: the API's thread pool is that
        this.inFlight = new PrincipalShares(perPrincipal, Integer.MAX_VALUE);
    }

    /** The before-handler, after the caller is known: counts the call, or refuses it. */
    void enter(Context ctx) {
        MeshPrincipal caller = CallerAuthentication.caller(ctx);
        if (caller == null || caller.kind() == PrincipalKind.PLATFORM || ctx.path().startsWith(Portal.HEALTH_EVENTS)
                || ctx.path().contains(KeyService.PATH_PART)) {
            return;
        }
        if (!tryEnter(caller.kafkaPrincipal())) {
            throw new ApiError(429, caller.kafkaPrincipal() + " has " + inFlight.perPrincipal()
                    + " calls in flight, the most it may have at once; try again when one has answered");
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
        return inFlight.take(principal).isEmpty();
    }

    /** @param principal whose counted call ended */
    void leave(String principal) {
        inFlight.release(principal);
    }
}
