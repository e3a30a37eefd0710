package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.ProductAddress;
import org.junit.jupiter.api.Test;

class IngestWriteAclsTest {

    @Test
    void theOwningDomainMayWriteAndDescribeTheProductsIngestTopicOnlyLiterally() {
        assertThat(IngestWriteAcls.of(ProductAddress.parse("orders.order-placed.v1")))
                .extracting(a -> a.entry().principal() + " " + a.entry().host() + " " + a.entry().permissionType() + " "
                        + a.pattern().resourceType() + " " + a.pattern().patternType() + " " + a.pattern().name() + " " + a.entry().operation())
                .containsExactly("User:orders * ALLOW TOPIC LITERAL orders.order-placed.v1.ingest WRITE",
                        "User:orders * ALLOW TOPIC LITERAL orders.order-placed.v1.ingest DESCRIBE");
    }
}
