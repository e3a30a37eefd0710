package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.MeshTopics;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;

class PlatformAclsTest {

    @Test
    void aDomainCreatesAndReadsItsPrefixAndWritesOnlyItsOwnRegistrationsDecisionsAndErasures() {
        List<String> acls = describe(PlatformAcls.domain("orders"));

        assertThat(acls).contains(
                "User:orders CREATE TOPIC orders. PREFIXED",
                "User:orders READ TOPIC orders. PREFIXED",
                "User:orders DESCRIBE TOPIC orders. PREFIXED",
                "User:orders WRITE TOPIC mesh.registrations.orders LITERAL",
                "User:orders WRITE TOPIC mesh.decisions.orders LITERAL",
                "User:mesh-catalog READ TOPIC orders. PREFIXED",
                "User:mesh-enforcer READ TOPIC orders. PREFIXED");
        assertThat(acls).filteredOn(acl -> acl.startsWith("User:orders "))
                .allMatch(acl -> acl.contains(" orders. ") || acl.endsWith("mesh.registrations.orders LITERAL")
                        || acl.endsWith("mesh.decisions.orders LITERAL") || acl.endsWith("mesh.erasures.orders LITERAL"));
        assertThat(acls).as("only the gate writes products and dead-letter topics; ingest WRITE comes per product")
                .filteredOn(acl -> acl.startsWith("User:orders WRITE TOPIC"))
                .containsExactlyInAnyOrder("User:orders WRITE TOPIC mesh.registrations.orders LITERAL",
                        "User:orders WRITE TOPIC mesh.decisions.orders LITERAL", "User:orders WRITE TOPIC mesh.erasures.orders LITERAL");
    }

    @Test
    void anAuditorReadsTheAuditTrailCatalogAndGrantsWithItsOwnGroupsAndWritesNothing() {
        assertThat(describe(PlatformAcls.auditor(new MeshPrincipal("inspector", PrincipalKind.AUDITOR)))).containsExactlyInAnyOrder(
                "User:inspector READ TOPIC mesh.audit LITERAL", "User:inspector DESCRIBE TOPIC mesh.audit LITERAL",
                "User:inspector READ TOPIC mesh.catalog LITERAL", "User:inspector DESCRIBE TOPIC mesh.catalog LITERAL",
                "User:inspector READ TOPIC mesh.access.grants LITERAL", "User:inspector DESCRIBE TOPIC mesh.access.grants LITERAL",
                "User:inspector READ GROUP inspector. PREFIXED", "User:inspector DESCRIBE GROUP inspector. PREFIXED");
    }

    @Test
    void theRightsOfOldMeshesAreTheDomainsPrefixedWriteAndConfigChange() {
        assertThat(describe(PlatformAcls.domainRightsOfOldMeshes("orders")))
                .containsExactly("User:orders WRITE TOPIC orders. PREFIXED", "User:orders ALTER_CONFIGS TOPIC orders. PREFIXED");
        assertThat(PlatformAcls.domain("orders")).doesNotContainAnyElementsOf(PlatformAcls.domainRightsOfOldMeshes("orders"));
    }

    @Test
    void onlyTheEnforcerChangesTheConfigsOfADomainsTopics() {
        assertThat(describe(PlatformAcls.domain("orders"))).filteredOn(acl -> acl.contains(" ALTER_CONFIGS "))
                .containsExactly("User:mesh-enforcer ALTER_CONFIGS TOPIC orders. PREFIXED");
    }

    @Test
    void onlyTheEnforcerAddsPartitionsToADomainsTopics() {
        assertThat(describe(PlatformAcls.domain("orders"))).filteredOn(acl -> acl.contains(" ALTER TOPIC "))
                .containsExactly("User:mesh-enforcer ALTER TOPIC orders. PREFIXED");
    }

    @Test
    void theAuditMayReadProductsAndViewsToCountRecordsButWriteNone() {
        List<String> acls = new java.util.ArrayList<>(describe(PlatformAcls.domain("orders")));
        acls.addAll(describe(PlatformAcls.platformApp(PlatformApp.AUDIT)));

        assertThat(acls).contains("User:mesh-audit READ TOPIC orders. PREFIXED", "User:mesh-audit READ TOPIC mesh.view. PREFIXED");
        assertThat(acls).filteredOn(acl -> acl.startsWith("User:mesh-audit ") && (acl.contains(" orders. ") || acl.contains(" mesh.view. ")))
                .containsExactlyInAnyOrder("User:mesh-audit READ TOPIC orders. PREFIXED", "User:mesh-audit READ TOPIC mesh.view. PREFIXED");
    }

    @Test
    void theGateReadsTheCatalogAndErasuresKeepsTheKeysAndMovesADomainsRecordsFromIngestToItsProducts() {
        List<String> acls = new java.util.ArrayList<>(describe(PlatformAcls.domain("orders")));
        acls.addAll(describe(PlatformAcls.platformApp(PlatformApp.GATE)));

        assertThat(acls).filteredOn(acl -> acl.startsWith("User:mesh-gate ") && !acl.contains(" mesh-gate "))
                .containsExactlyInAnyOrder(
                        "User:mesh-gate READ TOPIC mesh.catalog LITERAL",
                        "User:mesh-gate DESCRIBE TOPIC mesh.catalog LITERAL",
                        "User:mesh-gate READ TOPIC mesh.keys.orders LITERAL",
                        "User:mesh-gate WRITE TOPIC mesh.keys.orders LITERAL",
                        "User:mesh-gate DESCRIBE TOPIC mesh.keys.orders LITERAL",
                        "User:mesh-gate READ TOPIC mesh.erasures.orders LITERAL",
                        "User:mesh-gate DESCRIBE TOPIC mesh.erasures.orders LITERAL",
                        "User:mesh-gate READ TOPIC orders. PREFIXED",
                        "User:mesh-gate WRITE TOPIC orders. PREFIXED",
                        "User:mesh-gate DESCRIBE TOPIC orders. PREFIXED",
                        "User:mesh-gate DELETE TOPIC orders. PREFIXED");
    }

    @Test
    void theKeyTopicOfADomainIsWrittenByTheGateAloneAndReadByTheGateTheEnforcerAndTheCatalogAlone() {
        List<String> onKeys = describe(PlatformAcls.domain("orders")).stream().filter(acl -> acl.contains(" mesh.keys.orders ")).toList();

        assertThat(onKeys).containsExactlyInAnyOrder(
                "User:mesh-gate READ TOPIC mesh.keys.orders LITERAL",
                "User:mesh-gate WRITE TOPIC mesh.keys.orders LITERAL",
                "User:mesh-gate DESCRIBE TOPIC mesh.keys.orders LITERAL",
                "User:mesh-enforcer READ TOPIC mesh.keys.orders LITERAL",
                "User:mesh-enforcer DESCRIBE TOPIC mesh.keys.orders LITERAL",
                "User:mesh-catalog READ TOPIC mesh.keys.orders LITERAL",
                "User:mesh-catalog DESCRIBE TOPIC mesh.keys.orders LITERAL");
    }

    @Test
    void aRequesterWritesOnlyItsOwnRequestTopic() {
        assertThat(describe(PlatformAcls.requester(new MeshPrincipal("analytics", PrincipalKind.TEAM)))).containsExactlyInAnyOrder(
                "User:analytics WRITE TOPIC mesh.access.requests.analytics LITERAL",
                "User:analytics DESCRIBE TOPIC mesh.access.requests.analytics LITERAL");
    }

    @Test
    void anApproverWritesAndReadsOnlyItsOwnDecisionTopic() {
        assertThat(describe(PlatformAcls.approver(new MeshPrincipal("security", PrincipalKind.TEAM)))).containsExactlyInAnyOrder(
                "User:security WRITE TOPIC mesh.decisions.security LITERAL",
                "User:security READ TOPIC mesh.decisions.security LITERAL",
                "User:security DESCRIBE TOPIC mesh.decisions.security LITERAL");
    }

    @Test
    void noOneButTheAdminWritesAnotherPrincipalsRequestsOrTheOldSharedRequestTopic() {
        List<String> acls = new java.util.ArrayList<>(describe(PlatformAcls.domain("orders")));
        for (PlatformApp app : PlatformApp.values()) {
            acls.addAll(describe(PlatformAcls.platformApp(app)));
        }

        assertThat(acls).filteredOn(acl -> acl.contains("mesh.access.requests")).allMatch(acl -> acl.contains(" READ ") || acl.contains(" DESCRIBE "));
        assertThat(acls).contains("User:mesh-catalog READ TOPIC mesh.access.requests. PREFIXED", "User:mesh-audit READ TOPIC mesh.access.requests. PREFIXED");
    }

    @Test
    void onlyTheEnforcerMayChangeAcls() {
        for (PlatformApp app : PlatformApp.values()) {
            boolean altersCluster = describe(PlatformAcls.platformApp(app)).stream().anyMatch(a -> a.contains("ALTER CLUSTER"));
            assertThat(altersCluster).as(app.name()).isEqualTo(app == PlatformApp.ENFORCER);
        }
    }

    @Test
    void theEnforcerWritesViewStatusAndTheCatalogOnlyReadsIt() {
        assertThat(describe(PlatformAcls.platformApp(PlatformApp.ENFORCER))).contains("User:mesh-enforcer WRITE TOPIC mesh.view. PREFIXED");
        assertThat(describe(PlatformAcls.platformApp(PlatformApp.CATALOG))).filteredOn(acl -> acl.contains("mesh.view.status"))
                .containsExactlyInAnyOrder("User:mesh-catalog READ TOPIC mesh.view.status LITERAL",
                        "User:mesh-catalog DESCRIBE TOPIC mesh.view.status LITERAL");
        assertThat(describe(PlatformAcls.domain("orders"))).noneMatch(acl -> acl.contains("mesh.view"));
    }

    @Test
    void theAuditAloneWritesConsumptionAndTheChainsStatusAndTheCatalogOnlyReadsThem() {
        for (String topic : List.of(MeshTopics.CONSUMPTION, MeshTopics.AUDIT_CHAIN)) {
            assertThat(describe(PlatformAcls.platformApp(PlatformApp.AUDIT))).filteredOn(acl -> acl.contains(" " + topic + " "))
                    .containsExactlyInAnyOrder("User:mesh-audit WRITE TOPIC " + topic + " LITERAL", "User:mesh-audit DESCRIBE TOPIC " + topic + " LITERAL");
            assertThat(describe(PlatformAcls.platformApp(PlatformApp.CATALOG))).filteredOn(acl -> acl.contains(" " + topic + " "))
                    .containsExactlyInAnyOrder("User:mesh-catalog READ TOPIC " + topic + " LITERAL", "User:mesh-catalog DESCRIBE TOPIC " + topic + " LITERAL");
            assertThat(describe(PlatformAcls.domain("orders"))).noneMatch(acl -> acl.contains(" " + topic + " "));
        }
    }

    @Test
    void theCatalogMayOnlyDescribeTheGatesGroupToMeasureItsLag() {
        assertThat(describe(PlatformAcls.platformApp(PlatformApp.CATALOG))).filteredOn(acl -> acl.contains(" GROUP mesh-gate"))
                .containsExactly("User:mesh-catalog DESCRIBE GROUP mesh-gate LITERAL");
    }

    private static List<String> describe(List<AclBinding> bindings) {
        return bindings.stream().map(b -> b.entry().principal() + " " + b.entry().operation() + " "
                + b.pattern().resourceType() + " " + b.pattern().name() + " " + b.pattern().patternType()).toList();
    }
}
