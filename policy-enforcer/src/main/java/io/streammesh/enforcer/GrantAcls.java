package io.streammesh.enforcer;

import io.streammesh.schema.Grant;
import io.streammesh.schema.MeshNames;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The broker ACLs a grant gives its principal: read and describe its topic, read with its consumer
 * group; nothing else. The group only if it is one of the principal's own ({@link MeshNames#isGroupOf}):
 * the catalog has granted no other since the rule came, but a grant approved before it may name
 * another team's group, and READ on a group lets its holder join it and commit its offsets.
 */
final class GrantAcls {

    private GrantAcls() {
    }

    static List<AclBinding> of(Grant grant) {
        AclBinding read = allow(grant.getPrincipal(), ResourceType.TOPIC, grant.getTopic(), AclOperation.READ);
        AclBinding describe = allow(grant.getPrincipal(), ResourceType.TOPIC, grant.getTopic(), AclOperation.DESCRIBE);
        if (!ownGroup(grant)) {
            return List.of(read, describe);
        }
        return List.of(read, describe, allow(grant.getPrincipal(), ResourceType.GROUP, grant.getConsumerGroup(), AclOperation.READ));
    }

    /** @return whether the grant's consumer group is its principal's own, never the platform's */
    static boolean ownGroup(Grant grant) {
        String grantee = MeshNames.withoutKafkaPrefix(grant.getPrincipal());
        return MeshNames.isGroupOf(grant.getConsumerGroup(), grantee) && !MeshNames.isPlatformName(grantee);
    }

    /** @return a binding as the ledger keys it: principal, operation, resource type, name */
    static String key(AclBinding binding) {
        return binding.entry().principal() + "|" + binding.entry().operation() + "|" + binding.pattern().resourceType() + "|"
                + binding.pattern().name();
    }

    static AclBinding fromKey(String key) {
        String[] parts = key.split("\\|", 4);
        return allow(parts[0], ResourceType.valueOf(parts[2]), parts[3], AclOperation.valueOf(parts[1]));
    }

    private static AclBinding allow(String principal, ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }
}
