package io.streammesh.enforcer;

import io.streammesh.client.IngestWriteAcls;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductStatus;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The broker ACLs a catalogued product gives its owning domain: {@link IngestWriteAcls} while
 * the product is active, none once retired.
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
        return IngestWriteAcls.of(ProductAddress.parse(product.getAddress()));
    }
}
