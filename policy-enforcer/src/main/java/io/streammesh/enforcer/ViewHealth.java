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
 * should hear of it: on its first record, on every change of state, and while degraded at most
 * every {@value #REPORT_EVERY_MS} ms with the count of failures (a record at a time would flood
 * the topic with what it already says).
 */
final class ViewHealth {

    /** Failures in a row that make a view degraded: one bad record is the record's, not the view's. */
    static final int DEGRADED_AFTER = 3;
    /** How often a degraded view's failure count is reported again. */
    static final long REPORT_EVERY_MS = 5_000;

    private final ProductAddress address;
    private final String view;
    private long failures;
    private String reason;
    private Instant lastFailureAt;
    private ViewState reported;
    private long reportedAt;

    ViewHealth(ProductAddress address, String view) {
        this.address = address;
        this.view = view;
    }

    /**
     * @param now the time of the record
     * @return the status to publish, if {@code mesh.view.status} should hear of it
     */
    Optional<ViewStatus> passed(long now) {
        failures = 0;
        reason = null;
        return report(ViewState.OK, now);
    }

    /**
     * @param why the reason the view could not handle a record
     * @param now the time of the record
     * @return the status to publish, if {@code mesh.view.status} should hear of it
     */
    Optional<ViewStatus> failed(String why, long now) {
        failures++;
        reason = why;
        lastFailureAt = Instant.ofEpochMilli(now);
        return report(failures >= DEGRADED_AFTER ? ViewState.DEGRADED : reported == null ? ViewState.OK : reported, now);
    }

    private Optional<ViewStatus> report(ViewState state, long now) {
        boolean changed = state != reported;
        boolean stale = state == ViewState.DEGRADED && now - reportedAt >= REPORT_EVERY_MS;
        if (!changed && !stale) {
            return Optional.empty();
        }
        reported = state;
        reportedAt = now;
        return Optional.of(ViewStatus.newBuilder().setAddress(address.toString()).setView(view).setState(state)
                .setReason(state == ViewState.DEGRADED ? reason : null).setFailures(failures)
                .setLastFailureAt(lastFailureAt).setUpdatedAt(Instant.ofEpochMilli(now)).build());
    }
}
