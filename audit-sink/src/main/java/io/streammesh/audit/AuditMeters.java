package io.streammesh.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuditEventType;
import java.util.Locale;

/**
 * What audit-sink seals into {@code mesh.audit}, counted as it goes: events by type, and the
 * broker's authorizer decisions by outcome and principal (an AUTHORIZATION event carries how many
 * decisions it stands for: allowed ones are counted per second, denied ones one by one). A
 * principal is a mesh identity, as few as the products, never a record's value. Counted when
 * sealed, so a restart may count a batch twice; {@code mesh audit query} gives the exact numbers.
 */
final class AuditMeters {

    private final MeterRegistry meters;

    /** @param meters where the counters go */
    AuditMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * A probe is a permission Kafka checked and fell back from (its event carries the reason that
     * says so): not a refusal, so apart from {@code denied}, which counts requests refused.
     */
    private static String outcome(AuditEvent event) {
        return event.getReason() != null ? "probe" : event.getDecision().name().toLowerCase(Locale.ROOT);
    }

    /** @param event an event just sealed into the chain */
    void count(AuditEvent event) {
        Counter.builder("mesh.audit.events").description("events sealed into mesh.audit, by type")
                .tag("type", event.getType().name().toLowerCase(Locale.ROOT)).register(meters).increment();
        if (event.getType() == AuditEventType.AUTHORIZATION && event.getDecision() != null) {
            Counter.builder("mesh.authorizer.decisions")
                    .description("the broker authorizer's decisions, by outcome (allowed, denied, probe) and principal")
                    .tag("outcome", outcome(event)).tag("principal", event.getPrincipal())
                    .register(meters).increment(event.getCount());
        }
    }
}
