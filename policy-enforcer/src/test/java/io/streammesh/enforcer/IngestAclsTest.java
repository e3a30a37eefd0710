package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.ProductStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestAclsTest {

    @Test
    void anActiveProductLetsItsDomainWriteAndDescribeItsIngestTopicOnlyLiterally() {
        DataProduct product = ViewAppITCatalog.product("orders.order-placed.v1", "orders", 1, Map.of());

        var acls = IngestAcls.of(product);

        assertThat(acls).extracting(a -> a.entry().principal() + " " + a.pattern().resourceType() + " " + a.pattern().patternType() + " "
                        + a.pattern().name() + " " + a.entry().operation())
                .containsExactly("User:orders TOPIC LITERAL orders.order-placed.v1.ingest WRITE",
                        "User:orders TOPIC LITERAL orders.order-placed.v1.ingest DESCRIBE");
        assertThat(acls).allSatisfy(acl -> assertThat(GrantAcls.fromKey(GrantAcls.key(acl))).isEqualTo(acl));
    }

    @Test
    void aRetiredProductLetsNobodyWriteItsIngestTopic() {
        DataProduct product = ViewAppITCatalog.product("orders.order-placed.v1", "orders", 1, Map.of());
        product.setStatus(ProductStatus.RETIRED);

        assertThat(IngestAcls.of(product)).isEmpty();
    }
}
