package io.streammesh.embedded;

import io.streammesh.client.MeshClientConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** Who asked for access is proven by the broker: each principal writes only its own request topic. */
@MeshTest
class AccessRequestTopicsIT {

    @Test
    void aTeamWritesItsOwnRequestAndDecisionTopicsButNotAnotherPrincipalsNorTheOldSharedOne(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addPrincipal("asking-team", PrincipalKind.TEAM);
        mesh.onboarding().addDomain("asking-domain");
        MeshClientConfig team = mesh.clientConfig("asking-team");

        MeshClients.produce(team, "mesh.access.requests.asking-team", "r-1", "mine");
        MeshClients.produce(mesh.clientConfig("asking-domain"), "mesh.access.requests.asking-domain", "r-2", "a domain asks too");
        assertThatThrownBy(() -> MeshClients.produce(team, "mesh.access.requests.asking-domain", "r-3", "in another's name"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> MeshClients.produce(team, "mesh.access.requests", "r-4", "in anyone's name"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        MeshClients.produce(team, "mesh.decisions.asking-team", "r-5", "a team decides as a second-level approver");
        assertThatThrownBy(() -> MeshClients.produce(team, "mesh.decisions.asking-domain", "r-6", "in the owner's name"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void aSecondMeshUpMovesThePrincipalsOfAnOlderMeshToTheirOwnRequestAndDecisionTopics() throws Exception {
        Path stateDir = Files.createTempDirectory("request-topics-it-");
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            MeshPrincipal old = mesh.onboarding().addPrincipal("old-team", PrincipalKind.TEAM);
            // What a mesh from before per-principal request topics had: no topic of its own, and
            // every principal's WRITE on the shared topic.
            mesh.admin().deleteAcls(PlatformAcls.requester(old).stream().map(AclBinding::toFilter).toList()).all().get();
            mesh.admin().deleteTopics(List.of("mesh.access.requests.old-team")).all().get();
            // Nor, from before two-level approval, a team's decision topic.
            mesh.admin().deleteAcls(PlatformAcls.approver(old).stream().map(AclBinding::toFilter).toList()).all().get();
            mesh.admin().deleteTopics(List.of("mesh.decisions.old-team")).all().get();
            mesh.admin().createTopics(List.of(new NewTopic("mesh.access.requests", 3, (short) 1))).all().get();
            mesh.admin().createAcls(PlatformAcls.sharedRequestsOfOldMeshes()).all().get();
        }

        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(stateDir))) {
            MeshClientConfig team = mesh.clientConfig("old-team");

            MeshClients.produce(team, "mesh.access.requests.old-team", "r-1", "the new way");
            MeshClients.produce(team, "mesh.decisions.old-team", "r-0", "as a second-level approver");
            assertThatThrownBy(() -> MeshClients.produce(team, "mesh.access.requests", "r-2", "the old way"))
                    .hasRootCauseInstanceOf(TopicAuthorizationException.class);
            assertThat(mesh.admin().describeAcls(AclBindingFilter.ANY).values().get())
                    .noneMatch(acl -> acl.entry().principal().equals("User:*") && acl.pattern().name().equals("mesh.access.requests"));
        }
    }
}
