package io.streammesh.connector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.schema.ProductAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The contract gate's record counts, {@value #NAME}{product, outcome, rule}: per product, the
 * records accepted ({@code outcome=accepted, rule=none}) and those rejected by the rule the
 * dead-letter headers name ({@code outcome=rejected, rule=schema|size|tombstone|product|<quality
 * rule>}).
 *
 * <p>Counters are at-least-once: a record processed again after a task failure or a rebalance,
 * in a transaction that was aborted, is counted again. The product and dead-letter topics are the
 * exact counts (exactly-once v2); the counters show rates and reasons.
 */
final class GateCounters {

    /** The meter's name. */
    static final String NAME = "mesh.gate.records";
    /** The {@code rule} tag of accepted records. */
    static final String NO_RULE = "none";

    private final MeterRegistry meters;
    /** By product, then by outcome and rule: the registry's own lookup builds an id per call. */
    private final Map<ProductAddress, Map<String, Counter>> counters = new HashMap<>();

    GateCounters(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * @param product a product
     * @return the counter of its accepted records, for the gate to keep with the product's
     *         contract: looked up for nearly every record, it is looked up once per contract look-up instead
     */
    Counter accepted(ProductAddress product) {
        return counter(product, "accepted", NO_RULE);
    }

    void rejected(ProductAddress product, String rule) {
        counter(product, "rejected", rule).increment();
    }

    private Counter counter(ProductAddress product, String outcome, String rule) {
        return counters.computeIfAbsent(product, p -> new HashMap<>()).computeIfAbsent(outcome + '|' + rule,
                key -> Counter.builder(NAME)
                        .description("Records the contract gate wrote to the product (accepted) or its dead-letter topic "
                                + "(rejected, by rule); at-least-once")
                        .tag("product", product.toString()).tag("outcome", outcome).tag("rule", rule)
                        .register(meters));
    }
}
