package io.streammesh.enforcer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streammesh.metrics.ProductGauge;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * What the enforcer has put in force, after each reconciliation: ACTIVE grants per product (as
 * broker ACLs) and the ACLs it manages in all; and how long full reconciliations take to read the broker.
 */
final class GrantMeters {

    private final ProductGauge activeGrants;
    private final AtomicInteger managedAcls = new AtomicInteger();
    private final Timer fullReconciliations;

    /** @param meters where the gauges go */
    GrantMeters(MeterRegistry meters) {
        this.activeGrants = new ProductGauge(meters, "mesh.grants.active", "ACTIVE grants of the product, in force as broker ACLs", null);
        Gauge.builder("mesh.enforcer.acls", managedAcls, AtomicInteger::get)
                .description("broker ACLs the policy-enforcer manages (grants and ingest WRITE)").register(meters);
        this.fullReconciliations = Timer.builder("mesh.enforcer.full.reconciliation")
                .description("time a full reconciliation takes to read every ACL and every product's topics from the broker").register(meters);
    }

    /** @param took how long a full reconciliation took to read the broker */
    void fullReconciliation(Duration took) {
        fullReconciliations.record(took);
    }

    /**
     * @param grants every grant as last read
     * @param products the catalog's ACTIVE products, which show 0 without a grant
     * @param acls how many ACLs the enforcer manages now
     */
    void record(Collection<Grant> grants, Set<String> products, int acls) {
        Map<String, Long> active = new TreeMap<>(grants.stream().filter(grant -> grant.getStatus() == GrantStatus.ACTIVE)
                .collect(Collectors.groupingBy(Grant::getProduct, Collectors.counting())));
        products.forEach(product -> active.putIfAbsent(product, 0L));
        active.forEach((product, count) -> activeGrants.set(product, count));
        activeGrants.products().stream().filter(product -> !active.containsKey(product)).forEach(activeGrants::remove);
        managedAcls.set(acls);
    }
}
