package io.streammesh.catalog;

import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequestState;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.RequestStatus;
import io.streammesh.schema.RuleViolation;
import java.util.Optional;

/**
 * Who may give the second decision on a request whose view names second-level approvers: one
 * of those principals, after the owning domain approved, and never the principal that gave the
 * first approval nor the one that asked (four eyes). Who decides is the principal of the decision topic Kafka read the decision on,
 * never its {@code decidedBy} field.
 */
final class SecondApproval {

    private SecondApproval() {
    }

    /**
     * @param writer the principal whose decision topic the decision was read on, {@code User:<name>}
     * @param decision the decision, asking (or inferred) to be the second level
     * @param state where the request stands
     * @return why the decision does not count, if it does not
     */
    static Optional<RuleViolation> problem(String writer, AccessDecision decision, AccessRequestState state) {
        String id = state.getRequest().getRequestId();
        if (decision.getDecision() == DecisionKind.REVOKED) {
            return violation("second-level-decides", "a second-level approver approves or denies request " + id
                    + "; only the owning domain revokes its grant; the decision is ignored");
        }
        if (state.getStatus() != RequestStatus.AWAITING_SECOND_APPROVAL) {
            return violation("request-awaits-second-approval", "request " + id + " is " + state.getStatus()
                    + ", not AWAITING_SECOND_APPROVAL" + (state.getStatus() == RequestStatus.PENDING ? ": domain " + state.getDomain()
                    + " decides first" : "") + "; the decision is ignored");
        }
        String owner = MeshNames.kafkaPrincipal(state.getDomain());
        boolean gaveFirst = writer.equals(owner) || state.getDecisions().stream().anyMatch(d -> d.getDecidedBy().equals(writer));
        if (gaveFirst) {
            return violation("second-approver-distinct", writer + " gave the first approval of request " + id
                    + "; the second must come from another principal: " + String.join(", ", state.getSecondLevelApprovers()));
        }
        if (writer.equals(state.getRequest().getPrincipal()) || writer.equals(state.getRequest().getRequestedBy())) {
            return violation("second-approver-not-requester", writer + " asked for request " + id
                    + " or reads with it; the second approval must come from another of: " + String.join(", ", state.getSecondLevelApprovers()));
        }
        if (!state.getSecondLevelApprovers().contains(writer)) {
            return violation("second-approver-named", writer + " is not a second-level approver of view '" + state.getRequest().getView()
                    + "' of " + state.getRequest().getProduct() + " (approvers: " + String.join(", ", state.getSecondLevelApprovers())
                    + "); the decision is ignored");
        }
        return Optional.empty();
    }

    private static Optional<RuleViolation> violation(String rule, String message) {
        return Optional.of(Governance.violation(rule, message));
    }
}
