package io.streammesh.embedded;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.IngestGrants;
import io.streammesh.testing.MeshTest;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

@MeshTest
class BrokerAuthorizationIT {

    @Test
    void aPrincipalWithoutAclsCannotWriteReadOrCreate(EmbeddedMesh mesh) throws Exception {
        mesh.admin().createTopics(List.of(new NewTopic("acl-test.records.v1", 1, (short) 1))).all().get();
        mesh.onboarding().addPrincipal("no-acl-team", PrincipalKind.TEAM);
        MeshClientConfig team = mesh.clientConfig("no-acl-team");

        assertThatThrownBy(() -> MeshClients.produce(team, "acl-test.records.v1", "k", "v"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> MeshClients.readAll(team, "acl-test.records.v1", "no-acl-team", 1))
                .isInstanceOfAny(TopicAuthorizationException.class, GroupAuthorizationException.class);
        assertThatThrownBy(() -> MeshClients.createTopic(team, "no-acl-team.mine.v1"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void aDomainCreatesItsOwnTopicsWritesOnlyTheIngestTopicsOfItsProductsAndNothingOfAnotherDomain(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("payments");
        mesh.onboarding().addDomain("shipping");
        MeshClientConfig payments = mesh.clientConfig("payments");
        MeshClientConfig shipping = mesh.clientConfig("shipping");
        MeshClients.createTopic(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), "shipping.parcel-sent.v1");
        ProductAddress product = ProductAddress.parse("payments.payment-made.v1");

        MeshClients.createTopic(payments, "payments.reconciler-state");
        MeshClients.createTopic(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), product.topic());
        MeshClients.createTopic(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), product.ingestTopic());
        IngestGrants.allow(mesh, product);
        MeshClients.produce(payments, product.ingestTopic(), "p-1", "paid");
        MeshClients.produce(MeshClients.plain(payments), product.ingestTopic(), "p-2", "paid over PLAIN");

        assertThat(MeshClients.readAll(payments, product.ingestTopic(), "payments.check", 2))
                .containsExactly("paid", "paid over PLAIN");
        assertThatThrownBy(() -> MeshClients.produce(payments, product.topic(), "p-3", "past the contract gate"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> MeshClients.createTopic(payments, "shipping.parcel-lost.v1"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> MeshClients.produce(payments, "shipping.parcel-sent.v1", "s-1", "forged"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> MeshClients.produce(payments, "mesh.registrations.shipping", "x", "forged"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void onlyThePlatformCreatesTopicsNamedAsAProductsAndEachRefusalIsAudited(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("squatter");
        MeshClientConfig squatter = mesh.clientConfig("squatter");
        List<String> named = List.of("squatter.junk.v1", "squatter.junk.v1.dlq", "squatter.junk.v1.ingest", "squatter.junk.v42");

        // The gate, the views and product health read these names by pattern for every domain: each would rebalance them all.
        for (String topic : named) {
            assertThatThrownBy(() -> MeshClients.createTopic(squatter, topic)).as(topic).hasRootCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> MeshClients.createTopic(MeshClients.plain(squatter), topic)).as(topic + " over PLAIN")
                    .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(mesh.admin().listTopics().names().get()).doesNotContainAnyElementsOf(named);
        var raw = AuditTopicReader.raw(mesh);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(raw.events(e -> e.getPrincipal().equals("User:squatter")
                && e.getOperation().equals("CREATE") && e.getDecision() == Decision.DENIED && !e.getProbe()))
                .extracting(AuthorizationEvent::getResourceName).containsAll(named));
        MeshClients.createTopic(squatter, "squatter.junk-app-changelog");
        MeshClients.createTopic(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), "squatter.junk.v1");

        // An operator's ACL of CREATE on the cluster would skip the per-topic check: the platform's alone.
        mesh.admin().createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                new AccessControlEntry("User:squatter", "*", AclOperation.CREATE, AclPermissionType.ALLOW)))).all().get();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mesh.admin().describeAcls(new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL), AccessControlEntryFilter.ANY))
                .values().get()).isNotEmpty());
        assertThatThrownBy(() -> MeshClients.createTopic(squatter, "squatter.junk.v2")).hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void aDomainWritesItsOwnRegistrationsAndDecisions(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("billing");
        MeshClientConfig billing = mesh.clientConfig("billing");

        MeshClients.produce(billing, "mesh.registrations.billing", "billing.invoice.v1", "claim");
        MeshClients.produce(billing, "mesh.decisions.billing", "request-1", "approve");
    }

    @Test
    void anyAuthenticatedPrincipalMayRequestAccessButNotWriteTheCatalog(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addPrincipal("requesting-team", PrincipalKind.TEAM);
        MeshClientConfig team = mesh.clientConfig("requesting-team");

        MeshClients.produce(team, "mesh.access.requests.requesting-team", "r-1", "please");
        assertThatThrownBy(() -> MeshClients.produce(team, "mesh.catalog", "x.y.v1", "forged"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> MeshClients.produce(team, "mesh.access.requests", "r-2", "in anyone's name"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void onboardingADomainTwiceIsHarmlessButAPrincipalCannotBeAddedTwice(EmbeddedMesh mesh) {
        mesh.onboarding().addDomain("twice");
        mesh.onboarding().addDomain("twice");

        assertThatThrownBy(() -> mesh.onboarding().addPrincipal("twice", PrincipalKind.TEAM))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("principal User:twice already exists (domain)");
        assertThatThrownBy(() -> mesh.onboarding().addDomain("Not_A_Domain"))
                .hasMessageContaining("domain name 'Not_A_Domain' must be lower-case kebab case");
    }

    /**
     * The platform apps' ACLs are prefixed by their application ids ({@code mesh-gate}, …): a
     * tenant named {@code mesh-gateway} would have its topics and groups under them, each app
     * given every right there and its acts left out of the audit.
     */
    @Test
    void noTenantMayTakeANameOfThePlatformsMeshOrMeshDash(EmbeddedMesh mesh) {
        assertThatThrownBy(() -> mesh.onboarding().addDomain("mesh-gateway")).isInstanceOf(MeshException.class)
                .hasMessageStartingWith("domain name 'mesh-gateway' is reserved");
        for (PrincipalKind kind : List.of(PrincipalKind.TEAM, PrincipalKind.AUDITOR)) {
            assertThatThrownBy(() -> mesh.onboarding().addPrincipal("mesh-catalogue", kind)).as("%s", kind)
                    .isInstanceOf(MeshException.class).hasMessageContaining("name 'mesh-catalogue' is reserved");
        }
        assertThat(mesh.onboarding().principals()).noneMatch(p -> p.name().startsWith("mesh-catalogue") || p.name().equals("mesh-gateway"));
    }
}
