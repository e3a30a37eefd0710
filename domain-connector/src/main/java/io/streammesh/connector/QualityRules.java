package io.streammesh.connector;

import io.streammesh.schema.MeshException;
import io.streammesh.schema.QualityRule;
import io.streammesh.schema.cel.RecordExpression;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * A published contract's quality rules, compiled once against the product's schema: the one
 * evaluation {@link ProductProducer} (on the client, for fast feedback) and the contract gate
 * (on the mesh, for every client) apply to a record, so both give the same verdict and reason.
 */
final class QualityRules {

    private record Rule(String name, RecordExpression expression) {
    }

    private final List<Rule> rules;
    /** All rules at once: one evaluation for a record that passes them all, the usual case. */
    private final RecordExpression allRules;

    private QualityRules(List<Rule> rules, RecordExpression.Compiler compiler) {
        this.rules = rules;
        this.allRules = compiler.allOf(rules.stream().map(r -> r.expression().source()).toList());
    }

    /**
     * @param rules the rules of a published registration
     * @param schema the product's registered schema
     * @return them, compiled
     * @throws MeshException naming a rule that does not compile or is over the CEL budget, or saying that the
     *         schema is not a record schema (a registration that did not come through the contract validator)
     */
    static QualityRules compile(List<QualityRule> rules, Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new MeshException("the product's registered schema is " + schema.getType().getName() + ", not an Avro record: "
                    + "a product's records are records, and its quality rules read their fields");
        }
        RecordExpression.Compiler compiler = RecordExpression.compilerFor(schema);
        return new QualityRules(rules.stream().map(r -> new Rule(r.getName(), compile(r, compiler))).toList(), compiler);
    }

    /**
     * @param record a record of the schema the rules were compiled against
     * @return the first rule it breaks, in the contract's order; a rule that fails to evaluate
     *         (a poison record) is broken too, with its failure as the reason
     */
    Optional<DeadLetterReason> check(GenericRecord record) {
        return check(record, true);
    }

    /**
     * @param record a record of the schema the rules were compiled against
     * @param quotesValues whether a failure's reason may quote the record's values (not for a
     *        product with encrypted fields: its dead-letter headers are cleartext)
     * @return the first rule it breaks, in the contract's order
     */
    Optional<DeadLetterReason> check(GenericRecord record, boolean quotesValues) {
        if (passes(record)) {
            return Optional.empty();
        }
        for (Rule rule : rules) {
            try {
                if (!rule.expression().test(record)) {
                    return Optional.of(new DeadLetterReason(rule.name(),
                            "quality rule '" + rule.name() + "' (" + rule.expression().source() + ") is false"));
                }
            } catch (RecordExpression.ExpressionFailure e) {
                return Optional.of(new DeadLetterReason(rule.name(), "quality rule '" + rule.name() + "' failed"
                        + (quotesValues ? ": " + e.getMessage() : " to evaluate")));
            }
        }
        return Optional.empty();
    }

    /**
     * @return the names of the top-level fields the rules read, or empty if one of them reads the
     *         record as a whole: {@link #check} gives the same verdict for a record in which only
     *         these fields are set
     */
    Optional<Set<String>> fieldsRead() {
        return allRules.fields();
    }

    private boolean passes(GenericRecord record) {
        try {
            return allRules.test(record);
        } catch (RecordExpression.ExpressionFailure e) {
            // one of the rules cannot be evaluated: checking them one by one names it
            return false;
        }
    }

    private static RecordExpression compile(QualityRule rule, RecordExpression.Compiler compiler) {
        try {
            return compiler.compile(rule.getRule());
        } catch (RecordExpression.OverBudgetException e) {
            throw new MeshException("quality rule '" + rule.getName() + "' of the published contract is over the CEL evaluation "
                    + "budget: " + e.getMessage() + "; publish a version with a cheaper rule", e);
        } catch (IllegalArgumentException e) {
            throw new MeshException("quality rule '" + rule.getName() + "' of the published contract does not compile against "
                    + "the registered schema: " + e.getMessage(), e);
        }
    }
}
