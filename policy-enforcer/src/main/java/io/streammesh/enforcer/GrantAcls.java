package io.streammesh.enforcer;

import io.streammesh.schema.Grant;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** The broker ACLs a grant gives its principal: read and describe its topic, read with its consumer group; nothing else. */
final class GrantAcls {

    private GrantAcls() {
    }

    static List<AclBinding> of(Grant grant) {
        return List.of(
                allow(grant.getPrincipal(), ResourceType.TOPIC, grant.getTopic(), AclOperation.READ),
                allow(grant.getPrincipal(), ResourceType.TOPIC, grant.getTopic(), AclOperation.DESCRIBE),
                allow(grant.getPrincipal(), ResourceType.GROUP, grant.getConsumerGroup(), AclOperation.READ));
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
