package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class AuthorisationFailureTest {

    @Test
    void aTopicRefusalDeepInTheCausesSaysWhichTopicsThePrincipalMayNotUse() {
        var failure = new IllegalStateException("send failed",
                new ExecutionException(new TopicAuthorizationException(Set.of("mesh.view.shop.orders.v1.full", "mesh.audit"))));

        assertThat(AuthorisationFailure.describe(failure)).hasValue("not authorised to use topic(s) mesh.audit, "
                + "mesh.view.shop.orders.v1.full (ask the owner for a grant, or act as another principal with --as)");
    }

    @Test
    void aGroupRefusalNamesTheGroup() {
        assertThat(AuthorisationFailure.describe(GroupAuthorizationException.forGroupId("analytics")))
                .hasValue("not authorised to use consumer group analytics (ask the owner for a grant, or act as another principal with --as)");
    }

    @Test
    void aFailureWithoutARefusalIsNotOne() {
        assertThat(AuthorisationFailure.describe(new IllegalStateException("boom", new RuntimeException("deeper")))).isEmpty();
    }
}
