package io.streammesh.enforcer;

import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ViewState;
import io.streammesh.schema.ViewStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether one view keeps flowing, as one task of the enforcer sees it: a view that fails
 * {@value #DEGRADED_AFTER} records in a row (nothing going through in between) is DEGRADED with
 * the last reason, and OK again once a record goes through. It says when {@code mesh.view.status}
 * should hear of it: at once on the view's first record, then at most every
 * {@value #REPORT_EVERY_MS} ms while its state or failure count has changed since the last report
 * (a record at a time would let a tenant's bad records flood the topic; the enforcer asks again
 * every second, so the last change is reported even if no record follows).
 */
final class ViewHealth {

    /** Failures in a row that make a view degraded: one bad record is the record's, not the view's. */
    static final int DEGRADED_AFTER = 3;
    /** At most one report per view this often. */
    static final long REPORT_EVERY_MS = 2_000;

    private final ProductAddress address;
    private final String view;
    private ViewState state = ViewState.OK;
    private long failures;
    private String reason;
    private Instant lastFailureAt;
    private ViewStatus reported;

    ViewHealth(ProductAddress address, String view) {
        this.address = address;
        this.view = view;
    }

    /**
     * @param now the wall-clock time
     * @return the status to publish, if {@code mesh.view.status} should hear of it now
     */
    Optional<ViewStatus> passed(long now) {
        state = ViewState.OK;
        failures = 0;
        reason = null;
        return due(now);
    }

    /**
     * @param why the reason the view could not handle a record
     * @param now the wall-clock time
     * @return the status to publish, if {@code mesh.view.status} should hear of it now
     */
    Optional<ViewStatus> failed(String why, long now) {
        failures++;
        reason = why;
        lastFailureAt = Instant.ofEpochMilli(now);
        if (failures >= DEGRADED_AFTER) {
            state = ViewState.DEGRADED;
        }
        return due(now);
    }

    /**
     * @param now the wall-clock time
     * @return the status to publish, if it changed since the last report and that is long enough ago
     */
    Optional<ViewStatus> due(long now) {
        boolean unchanged = reported != null && reported.getState() == state
                && (state == ViewState.OK || reported.getFailures() == failures);
        if (unchanged || reported != null && now - reported.getUpdatedAt().toEpochMilli() < REPORT_EVERY_MS) {
            return Optional.empty();
        }
        reported = ViewStatus.newBuilder().setAddress(address.toString()).setView(view).setState(state)
                .setReason(state == ViewState.DEGRADED ? reason : null).setFailures(failures)
                .setLastFailureAt(lastFailureAt).setUpdatedAt(Instant.ofEpochMilli(now)).build();
        return Optional.of(reported);
    }
}
