package io.streammesh.enforcer;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductStatus;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The broker ACLs a catalogued product gives its owning domain: WRITE and DESCRIBE on the
 * product's ingest topic, literal, so the domain writes records that the contract gate checks
 * before they become the product. Kafka ACLs cannot match a suffix, so each product gets its own;
 * a retired product gets none. The domain is the catalog's, which comes from the registration
 * topic only that domain may write, never from a field of the registration.
 */
final class IngestAcls {

    private IngestAcls() {
    }

    /**
     * @param product a catalog entry
     * @return the owning domain's right to write the product's ingest topic; none once retired
     */
    static List<AclBinding> of(DataProduct product) {
        if (product.getStatus() != ProductStatus.ACTIVE) {
            return List.of();
        }
        String principal = MeshNames.kafkaPrincipal(product.getDomain());
        String ingest = ProductAddress.parse(product.getAddress()).ingestTopic();
        return List.of(allow(principal, ingest, AclOperation.WRITE), allow(principal, ingest, AclOperation.DESCRIBE));
    }

    private static AclBinding allow(String principal, String topic, AclOperation operation) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }
}
