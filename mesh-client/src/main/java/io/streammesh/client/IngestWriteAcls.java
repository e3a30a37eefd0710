package io.streammesh.client;

import io.streammesh.schema.MeshNames;
import io.streammesh.schema.ProductAddress;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The one rule for who may write a product's ingest topic: its owning domain, WRITE and
 * DESCRIBE on {@code <address>.ingest}, literal, so the domain writes records that the contract
 * gate checks before they become the product. Kafka ACLs cannot match a suffix, so each product
 * gets its own. The domain is the address's: the catalog admits an address only from its own
 * domain's registration topic. The policy-enforcer grants these for a catalogued, active product;
 * tests that run no enforcer grant the same.
 */
public final class IngestWriteAcls {

    private IngestWriteAcls() {
    }

    /**
     * @param address a product
     * @return the ACLs that let its domain write its ingest topic
     */
    public static List<AclBinding> of(ProductAddress address) {
        String principal = MeshNames.kafkaPrincipal(address.domain());
        return List.of(allow(principal, address.ingestTopic(), AclOperation.WRITE), allow(principal, address.ingestTopic(), AclOperation.DESCRIBE));
    }

    private static AclBinding allow(String principal, String topic, AclOperation operation) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }
}
