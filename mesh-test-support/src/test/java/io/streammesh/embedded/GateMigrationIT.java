package io.streammesh.embedded;

import io.streammesh.client.PlatformApp;
import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.testing.MeshTest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.junit.jupiter.api.Test;

/** A second {@code mesh up} brings the ACLs of a mesh from before the contract gate to it, and a third changes nothing. */
@MeshTest
class GateMigrationIT {

    @Test
    void theGateGetsItsAclsOnTheDomainsOfAnOlderMeshAndTheDomainLosesItsPrefixedWriteAndConfigChange(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("legacy");
        // What a mesh from before the gate had: a product without an ingest topic, no gate ACLs on the domain.
        mesh.admin().createTopics(List.of(new NewTopic("legacy.old-orders.v1", Optional.of(2), Optional.empty())
                .configs(Map.of("retention.ms", "604800000")))).all().get();
        List<AclBinding> gate = PlatformAcls.domain("legacy").stream()
                .filter(acl -> acl.entry().principal().equals(PlatformApp.GATE.principal().kafkaPrincipal())).toList();
        mesh.admin().deleteAcls(gate.stream().map(AclBinding::toFilter).toList()).all().get();
        // and the domain's WRITE and ALTER_CONFIGS on every topic of its prefix, products and dead-letter topics included.
        List<AclBinding> oldWrite = PlatformAcls.domainRightsOfOldMeshes("legacy");
        mesh.admin().createAcls(oldWrite).all().get();

        mesh.onboarding().ensurePlatform();
        mesh.onboarding().ensurePlatform();
        Set<AclBinding> afterSecondRun = aclsOfLegacy(mesh);
        mesh.onboarding().ensurePlatform();

        assertThat(afterSecondRun).doesNotContainAnyElementsOf(oldWrite).containsAll(PlatformAcls.domain("legacy"));
        assertThat(aclsOfLegacy(mesh)).as("a third run changes nothing")
                .isEqualTo(afterSecondRun);

        assertThat(mesh.admin().describeAcls(AclBindingFilter.ANY).values().get())
                .containsAll(gate);
        // The policy-enforcer creates a catalogued product's missing topics; mesh up creates none named as a product's, whose
        // name alone (a tenant's topic of an older mesh, say) would widen the gate for every domain.
        assertThat(mesh.admin().listTopics().names().get()).noneMatch(name -> name.endsWith(".ingest"));
    }

    /** The domain's own ACLs and everyone's on its topics: what nothing but {@code mesh up} changes here. */
    private static Set<AclBinding> aclsOfLegacy(EmbeddedMesh mesh) throws Exception {
        return mesh.admin().describeAcls(AclBindingFilter.ANY).values().get().stream()
                .filter(acl -> acl.entry().principal().equals("User:legacy") || acl.pattern().name().startsWith("legacy.")
                        || acl.pattern().name().endsWith(".legacy"))
                .collect(Collectors.toSet());
    }
}
