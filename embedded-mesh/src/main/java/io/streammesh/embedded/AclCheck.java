package io.streammesh.embedded;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourcePatternFilter;

/**
 * Waits until the broker enforces ACLs just created. The controller acknowledges
 * {@code createAcls} once it has committed them; the broker's authorizer applies them from the
 * metadata log a moment later, and a client of a domain just onboarded was refused its own
 * topics in that moment. The broker answers {@code describeAcls} from that same authorizer, so
 * once it lists them, they are enforced.
 */
final class AclCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    private AclCheck() {
    }

    /**
     * @param admin an Admin client allowed to describe ACLs
     * @param acls ACLs just created
     * @throws MeshException if the broker does not list them all within {@link #TIMEOUT}
     */
    static void awaitEnforced(Admin admin, List<AclBinding> acls) {
        Map<String, Set<AclBinding>> byPrincipal = acls.stream()
                .collect(Collectors.groupingBy(acl -> acl.entry().principal(), Collectors.toSet()));
        for (Map.Entry<String, Set<AclBinding>> principal : byPrincipal.entrySet()) {
            awaitEnforced(admin, principal.getKey(), principal.getValue());
        }
    }

    private static void awaitEnforced(Admin admin, String principal, Set<AclBinding> expected) {
        var filter = new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            Set<AclBinding> missing = new HashSet<>(expected);
            missing.removeAll(KafkaCalls.await(admin.describeAcls(filter).values(), "describe the ACLs of " + principal));
            if (missing.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new MeshException("the broker still does not enforce " + missing.size() + " new ACL(s) of " + principal
                        + " after " + TIMEOUT.toSeconds() + " s, e.g. " + missing.iterator().next());
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted while waiting for the broker to enforce the ACLs of " + principal, e);
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }
}
