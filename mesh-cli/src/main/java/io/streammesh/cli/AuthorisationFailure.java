package io.streammesh.cli;

import java.util.Optional;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * A broker's refusal found anywhere in a failure's causes, said as "not authorised to …": a
 * refusal is the principal's rights, not a bug in the command.
 */
final class AuthorisationFailure {

    private AuthorisationFailure() {
    }

    /**
     * @param failure what a command threw
     * @return the one line saying what the principal may not do, if a broker refusal caused it
     */
    static Optional<String> describe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthorizationException refused) {
                return Optional.of("not authorised to " + what(refused) + " (ask the owner for a grant, or act as another principal with --as)");
            }
        }
        return Optional.empty();
    }

    private static String what(AuthorizationException refused) {
        if (refused instanceof TopicAuthorizationException topics && !topics.unauthorizedTopics().isEmpty()) {
            return "use topic(s) " + String.join(", ", topics.unauthorizedTopics().stream().sorted().toList());
        }
        if (refused instanceof GroupAuthorizationException group && group.groupId() != null) {
            return "use consumer group " + group.groupId();
        }
        if (refused instanceof TransactionalIdAuthorizationException) {
            return "use the transactional id: " + refused.getMessage();
        }
        if (refused instanceof ClusterAuthorizationException) {
            return "act on the cluster: " + refused.getMessage();
        }
        return "do that: " + refused.getMessage();
    }
}
