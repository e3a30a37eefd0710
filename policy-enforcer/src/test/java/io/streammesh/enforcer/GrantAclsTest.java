package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class GrantAclsTest {

    @Test
    void aGrantGivesReadAndDescribeOnItsTopicAndReadOnItsGroupOnly() {
        Grant grant = Grant.newBuilder().setGrantId("g-1").setRequestId("g-1").setPrincipal("User:analytics")
                .setProduct("orders.order-placed.v1").setView("analytics").setConsumerGroup("analytics")
                .setTopic("mesh.view.orders.order-placed.v1.analytics").setPurpose("p").setStatus(GrantStatus.ACTIVE)
                .setApprovedBy("User:orders").setGrantedAt(Instant.EPOCH).build();

        var acls = GrantAcls.of(grant);

        assertThat(acls).extracting(a -> a.pattern().resourceType() + " " + a.pattern().name() + " " + a.entry().operation())
                .containsExactly("TOPIC mesh.view.orders.order-placed.v1.analytics READ",
                        "TOPIC mesh.view.orders.order-placed.v1.analytics DESCRIBE", "GROUP analytics READ");
        assertThat(acls).allSatisfy(acl -> assertThat(GrantAcls.fromKey(GrantAcls.key(acl))).isEqualTo(acl));
        assertThat(GrantAcls.fromKey(GrantAcls.key(acls.get(2))).pattern().resourceType()).isEqualTo(ResourceType.GROUP);
        assertThat(acls.get(0).entry().operation()).isEqualTo(AclOperation.READ);
    }

    @Test
    void aGrantNamingAnotherPrincipalsOrThePlatformsGroupGivesItsTopicButNoGroup() {
        for (String group : List.of("fraud", "analyticsx", "mesh-catalog", "fraud.analytics")) {
            Grant grant = Grant.newBuilder().setGrantId("g-2").setRequestId("g-2").setPrincipal("User:analytics")
                    .setProduct("orders.order-placed.v1").setView("full").setConsumerGroup(group).setTopic("orders.order-placed.v1")
                    .setPurpose("p").setStatus(GrantStatus.ACTIVE).setApprovedBy("User:orders").setGrantedAt(Instant.EPOCH).build();

            assertThat(GrantAcls.of(grant)).as(group).extracting(a -> a.pattern().resourceType()).containsExactly(ResourceType.TOPIC, ResourceType.TOPIC);
        }
    }
}
