package io.streammesh.catalog;

import io.streammesh.schema.Classification;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.RuleViolation;
import io.streammesh.schema.ViewAccess;
import io.streammesh.schema.cel.EvaluationBudget;
import io.streammesh.schema.cel.RecordExpression;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** Checks a registration against the global rules; returns one violation per broken rule. */
public final class Governance {

    /** Classifications whose every view must mask PII, not only the views anyone may read ({@code access: auto}). */
    private static final Set<Classification> OPEN_CLASSIFICATIONS = EnumSet.of(Classification.PUBLIC, Classification.INTERNAL);
    /** What only the running mesh knows: the registry's id for the schema, and the products in the catalog. */
    private static final Set<String> ONLINE_RULES = Set.of("schema-registered", "lineage-inputs-exist");

    private final GovernancePolicy policy;

    /** @param policy the global rules, e.g. {@link GovernancePolicy#defaults()} (the catalog's own governance.yaml) */
    public Governance(GovernancePolicy policy) {
        this.policy = policy;
    }

    /**
     * The global rules as a contract can be checked against them before it is published, by the
     * same code the catalog runs: all but {@code schema-registered} and {@code lineage-inputs-exist},
     * which need the registry and the catalog.
     *
     * @param registration the registration the contract would publish
     * @return every broken rule that can be checked offline
     */
    public List<RuleViolation> checkOffline(ProductRegistration registration) {
        return check(registration.getAddress(), registration, registration.getDomain(), input -> true).stream()
                .filter(violation -> !ONLINE_RULES.contains(violation.getRule())).toList();
    }

    /**
     * @param key the record's key
     * @param registration the registration
     * @param domain the domain of the topic it arrived on
     * @param inCatalog whether an address is in the catalog
     * @return every broken rule, empty if it may enter the catalog
     */
    List<RuleViolation> check(String key, ProductRegistration registration, String domain, Predicate<String> inCatalog) {
        List<RuleViolation> violations = new ArrayList<>();
        ProductAddress address = null;
        try {
            address = ProductAddress.parse(registration.getAddress());
        } catch (IllegalArgumentException e) {
            violations.add(violation("naming", e.getMessage()));
        }
        if (address != null) {
            if (!address.domain().equals(domain)) {
                violations.add(violation("domain-matches-topic", "address " + address + " belongs to domain " + address.domain()
                        + ", but it was registered on mesh.registrations." + domain + "; only a domain registers its own products"));
            } else if (!domain.equals(registration.getDomain())) {
                violations.add(violation("domain-matches-topic", "the registration claims domain '" + registration.getDomain()
                        + "', but it was registered on mesh.registrations." + domain));
            }
            if (!address.toString().equals(key)) {
                violations.add(violation("key-matches-address", "record key '" + key + "' is not the address " + address));
            }
        }
        // Not a policy to switch off: the topic says which domain published, and the owner is that domain.
        var owner = registration.getOwner();
        if (owner != null && owner.getPrincipal() != null && !owner.getPrincipal().equals(MeshNames.kafkaPrincipal(domain))) {
            violations.add(violation("owner-matches-topic", "the owner principal must be " + MeshNames.kafkaPrincipal(domain) + ", got " + owner.getPrincipal()
                    + "; it was registered on mesh.registrations." + domain));
        }
        if (policy.ownerPresent()) {
            owner(registration, violations);
        }
        String description = registration.getDescription();
        if (policy.descriptionMinLength() > 0 && (description == null || description.strip().length() < policy.descriptionMinLength())) {
            violations.add(violation("description", "a description of at least " + policy.descriptionMinLength()
                    + " characters is required (people find products by it)"));
        }
        boolean classified = Classification.declaredBy(registration).isPresent();
        if (policy.classificationDeclared() && !classified) {
            violations.add(violation("classification", "classification must be one of " + Classification.labels() + "; got "
                    + registration.getClassification()));
        }
        classificationAgrees(registration, violations);
        if (policy.piiMasked()) {
            piiMasked(registration, violations);
        }
        if (policy.piiEncrypted()) {
            piiEncrypted(registration, violations);
        }
        if (policy.sloDeclared() && registration.getFreshnessMs() == null) {
            violations.add(violation("slo-declared", "a freshness SLO is required (slo: {freshness: 5m})"));
        }
        viewNames(registration, violations);
        celWithinBudget(registration, violations);
        partitionsWithinBounds(registration, violations);
        secondLevelApprovers(registration, domain, violations);
        if (registration.getSchemaContentId() == null) {
            violations.add(violation("schema-registered", "the registration names no registered schema (schemaContentId)"));
        }
        if (policy.lineageInputsExist()) {
            for (String input : registration.getLineageInputs()) {
                if (!inCatalog.test(input)) {
                    violations.add(violation("lineage-inputs-exist", "lineage input " + input + " is not in the catalog"));
                }
            }
        }
        return violations;
    }

    /**
     * What a registration of a product already in the catalog may not change, always: Kafka
     * cannot remove partitions, and records already on the topic were written with the fields the
     * catalogued version encrypts, so a later version that stopped encrypting them would show
     * their new records in cleartext beside the old (a new major version is a new product).
     *
     * @param registration the registration
     * @param current the catalogued registration of the same address
     * @return every broken rule, empty if the registration may replace the current one
     */
    List<RuleViolation> checkEvolution(ProductRegistration registration, ProductRegistration current) {
        List<RuleViolation> violations = new ArrayList<>();
        if (registration.getPartitions() < current.getPartitions()) {
            violations.add(violation("partitions", "partitions must not be fewer than the product's current " + current.getPartitions()
                    + " (Kafka cannot remove partitions), got " + registration.getPartitions()));
        }
        List<String> dropped = encryptedFields(current).stream().filter(f -> !encryptedFields(registration).contains(f)).toList();
        if (!dropped.isEmpty()) {
            violations.add(violation("encryption-kept", "field(s) " + String.join(", ", dropped) + " were encrypted in version "
                    + current.getVersion() + " and must stay in encryption.fields; only a new major version may stop encrypting them"));
        }
        return violations;
    }

    private static List<String> encryptedFields(ProductRegistration registration) {
        return registration.getEncryption() == null ? List.of() : registration.getEncryption().getFields();
    }

    /**
     * Within the mesh's partition bound, always: a registration need not come through the
     * contract validator, and the platform widens the product's topics, and with them the tasks
     * every domain shares in the gate and the views, to what the catalog admits.
     */
    private static void partitionsWithinBounds(ProductRegistration registration, List<RuleViolation> violations) {
        int partitions = registration.getPartitions();
        if (partitions < 1 || partitions > MeshTopics.MAX_PARTITIONS) {
            violations.add(violation("partitions", "partitions must be between 1 and " + MeshTopics.MAX_PARTITIONS + ", got " + partitions));
        }
    }

    /**
     * Every view named as a topic's last part may be ({@code mesh.view.<address>.<view>}), and
     * once, always: a domain may write its registrations topic with any client, past
     * {@code mesh product publish}'s checks, and a name the enforcer cannot make a topic of would
     * fail the view task every other domain's products share.
     */
    private static void viewNames(ProductRegistration registration, List<RuleViolation> violations) {
        Set<String> named = new HashSet<>();
        for (ProductView view : registration.getViews()) {
            try {
                ProductAddress.checkName("view", view.getName());
            } catch (IllegalArgumentException e) {
                violations.add(violation("naming", e.getMessage()));
                continue;
            }
            if (!named.add(view.getName())) {
                violations.add(violation("naming", "view '" + view.getName() + "' is declared more than once"));
            }
        }
    }

    /**
     * Every quality rule and view filter within the CEL evaluation budget, always: a registration
     * need not come through the contract validator, and one domain's expression must not stall
     * the views of all (the schema is the registry's, so the type check is left to publishing).
     */
    private static void celWithinBudget(ProductRegistration registration, List<RuleViolation> violations) {
        registration.getQualityRules().forEach(rule -> celWithinBudget("quality rule '" + rule.getName() + "'", rule.getRule(), violations));
        registration.getViews().stream().filter(view -> view.getFilter() != null)
                .forEach(view -> celWithinBudget("view '" + view.getName() + "' filter", view.getFilter(), violations));
    }

    /**
     * Second-level approvers are principals other than the owner, on views the owner approves,
     * always: a registration need not come through the contract validator, and an approver that
     * can never decide would leave requests awaiting for good.
     */
    private static void secondLevelApprovers(ProductRegistration registration, String domain, List<RuleViolation> violations) {
        for (ProductView view : registration.getViews()) {
            for (String approver : view.getSecondLevelApprovers()) {
                if (!MeshNames.isKafkaPrincipal(approver)) {
                    violations.add(violation("second-level-approvers", "view '" + view.getName() + "' names second-level approver '"
                            + approver + "', which is not a mesh principal (User:<name>)"));
                } else if (approver.equals(MeshNames.kafkaPrincipal(domain))) {
                    violations.add(violation("second-level-approvers", "view '" + view.getName() + "' names its owner " + approver
                            + " as second-level approver; the owner gives the first approval, another principal the second"));
                }
            }
            if (!view.getSecondLevelApprovers().isEmpty() && view.getAccess() == ViewAccess.AUTO) {
                violations.add(violation("second-level-approvers", "view '" + view.getName() + "' is access: auto, granted at once; "
                        + "second-level approvers need access: owner-approval"));
            }
        }
    }

    private static void celWithinBudget(String what, String expression, List<RuleViolation> violations) {
        try {
            EvaluationBudget.check(expression);
        } catch (RecordExpression.OverBudgetException e) {
            violations.add(violation("cel-within-budget", what + " is over the CEL evaluation budget: " + e.getMessage()));
        } catch (RecordExpression.InvalidExpressionException e) {
            violations.add(violation("cel-within-budget", what + " is not CEL: " + e.getMessage()));
        }
    }

    private static void owner(ProductRegistration registration, List<RuleViolation> violations) {
        var owner = registration.getOwner();
        if (owner == null || blank(owner.getTeam()) || blank(owner.getContact())) {
            violations.add(violation("owner-present", "an owner with a team and a contact is required"));
        }
    }

    /**
     * Not a policy to switch off: readers older than the enum (and SQL over the catalog) go by the
     * label, so a registration whose label says less than its level would show them less care.
     */
    private static void classificationAgrees(ProductRegistration registration, List<RuleViolation> violations) {
        String label = registration.getClassification();
        if (registration.getClassificationLevel() != null && label != null
                && !Classification.declaredBy(registration).map(Classification::label).orElseThrow().equals(label)) {
            violations.add(violation("classification", "classification '" + label + "' disagrees with classificationLevel "
                    + registration.getClassificationLevel() + "; write both from the contract's classification"));
        }
    }

    private static void piiMasked(ProductRegistration registration, List<RuleViolation> violations) {
        Optional<Classification> classification = Classification.declaredBy(registration);
        boolean open = classification.filter(OPEN_CLASSIFICATIONS::contains).isPresent();
        for (ProductView view : registration.getViews()) {
            if (!open && view.getAccess() != ViewAccess.AUTO) {
                continue;
            }
            List<String> exposed = registration.getPiiFields().stream().filter(f -> !view.getMasks().containsKey(f)).toList();
            if (!exposed.isEmpty()) {
                violations.add(violation("pii-masked", "view '" + view.getName() + "' exposes PII field(s) " + String.join(", ", exposed)
                        + (open ? " of a " + classification.orElseThrow() + " product" : " without the owner's approval (access: auto)")
                        + "; mask them"));
            }
        }
    }

    private static void piiEncrypted(ProductRegistration registration, List<RuleViolation> violations) {
        boolean open = Classification.of(registration.getClassification()).filter(OPEN_CLASSIFICATIONS::contains).isPresent();
        if (open || registration.getPiiFields().isEmpty()) {
            return;
        }
        List<String> encrypted = registration.getEncryption() == null ? List.of() : registration.getEncryption().getFields();
        List<String> clear = registration.getPiiFields().stream().filter(f -> !encrypted.contains(f)).toList();
        if (!clear.isEmpty()) {
            violations.add(violation("pii-encrypted", "PII field(s) " + String.join(", ", clear) + " of a "
                    + registration.getClassification() + " product must be encrypted: list them in encryption.fields"
                    + " with the subject field (encryption: {subject: <field>, fields: [...]})"));
        }
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    static RuleViolation violation(String rule, String message) {
        return RuleViolation.newBuilder().setRule(rule).setMessage(message).build();
    }
}
