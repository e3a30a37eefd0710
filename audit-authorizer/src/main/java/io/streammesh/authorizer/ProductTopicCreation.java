package io.streammesh.authorizer;

import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.server.authorizer.Action;

/**
 * The broker's rule that only the platform creates a product's topics ({@code <address>},
 * {@code <address>.dlq}, {@code <address>.ingest}): the policy-enforcer creates them once the
 * catalog has admitted the product, and the catalog bounds how many products and partitions a
 * domain holds. The contract gate, the views and product health read those names by pattern, one
 * task per partition number, for every domain at once: a topic a tenant created there would
 * rebalance and widen them all. A domain still creates other topics under its prefix (its own
 * apps' internal topics); Kafka's ACLs cannot say "not these names", so this rule does. CREATE on
 * the cluster, which lets a client create any topic without the per-topic check, is the
 * platform's alone too, whatever ACL an operator gave a tenant.
 */
final class ProductTopicCreation {

    private ProductTopicCreation() {
    }

    /**
     * @param principal who asks
     * @param action what it asks
     * @return whether the action is a tenant creating a topic named as a product's, or any topic
     *         by the cluster's CREATE
     */
    static boolean refuses(KafkaPrincipal principal, Action action) {
        if (action.operation() != AclOperation.CREATE || isPlatform(principal)) {
            return false;
        }
        ResourcePattern resource = action.resourcePattern();
        return resource.resourceType() == ResourceType.CLUSTER
                || resource.resourceType() == ResourceType.TOPIC && resource.patternType() == PatternType.LITERAL
                && MeshTopics.PRODUCT_FAMILY_TOPICS.matcher(resource.name()).matches();
    }

    private static boolean isPlatform(KafkaPrincipal principal) {
        return KafkaPrincipal.USER_TYPE.equals(principal.getPrincipalType()) && MeshNames.isPlatformName(principal.getName());
    }
}
