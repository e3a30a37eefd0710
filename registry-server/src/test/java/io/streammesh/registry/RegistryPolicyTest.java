package io.streammesh.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistryPolicyTest {

    private static final MeshPrincipal ORDERS = new MeshPrincipal("orders", PrincipalKind.DOMAIN);
    private static final MeshPrincipal ANALYTICS = new MeshPrincipal("analytics", PrincipalKind.TEAM);
    private static final MeshPrincipal CATALOG = new MeshPrincipal("mesh-catalog", PrincipalKind.PLATFORM);
    private static final String V2 = "/apis/registry/v2/groups/default/artifacts";

    @Test
    void aDomainCreatesAndEvolvesItsOwnProductsAndTheirDeadLetterSubjects() {
        assertThat(refusal(ORDERS, create("orders.order-placed.v1-value"))).isEmpty();
        assertThat(refusal(ORDERS, create("orders.order-placed.v2.dlq-value"))).isEmpty();
        assertThat(refusal(ORDERS, call("POST", V2 + "/orders.order-placed.v1-value/versions"))).isEmpty();
        assertThat(refusal(ORDERS, call("PUT", V2 + "/orders.order-placed.v1-value"))).isEmpty();
        assertThat(refusal(ORDERS, call("POST", "/apis/ccompat/v7/subjects/orders.order-placed.v1-value/versions"))).isEmpty();
        assertThat(refusal(ORDERS, create("mesh.registrations.orders-value"))).isEmpty();
        assertThat(refusal(ORDERS, create("mesh.decisions.orders-value"))).isEmpty();
    }

    @Test
    void anAuditorReadsButWritesNoSubjectNotEvenItsOwnRequests() {
        var auditor = new MeshPrincipal("inspector", PrincipalKind.AUDITOR);

        assertThat(refusal(auditor, call("GET", V2 + "/mesh.audit-value"))).isEmpty();
        assertThat(refusal(auditor, create("mesh.access.requests.inspector-value")))
                .hasValue("User:inspector may not write subject 'mesh.access.requests.inspector-value' in group 'default': an auditor only reads");
        assertThat(refusal(auditor, create("mesh.decisions.inspector-value"))).isPresent();
        assertThat(refusal(auditor, create("mesh.audit-value"))).isPresent();
    }

    @Test
    void aDomainWritesNoOtherSubject() {
        assertThat(refusal(ORDERS, create("customers.profile.v1-value"))).hasValue("User:orders may not write subject "
                + "'customers.profile.v1-value' in group 'default': a principal writes only the schemas of topics it may write "
                + "(orders.* products and its own mesh topics)");
        assertThat(refusal(ORDERS, create("mesh.decisions.customers-value"))).isPresent();
        assertThat(refusal(ORDERS, create("mesh.catalog-value"))).isPresent();
        assertThat(refusal(ORDERS, create("mesh.view.orders.order-placed.v1.full-value"))).isPresent();
        assertThat(refusal(ORDERS, create("orders.order-placed.v1.other-value"))).isPresent();
        assertThat(refusal(ORDERS, create("orders.order-placed.v1"))).as("not a value subject").isPresent();
        assertThat(refusal(ORDERS, call("POST", "/apis/registry/v2/groups/other/artifacts", "orders.order-placed.v1-value")))
                .as("another group").isPresent();
    }

    @Test
    void anEncodedOrDoubledPathIsJudgedAsTheRegistryWillReadIt() {
        assertThat(refusal(ORDERS, call("PUT", V2 + "/customers%2Dprofile.v1-value"))).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("User:orders may not write subject 'customers-profile.v1-value'"));
        for (String path : new String[] {"/apis/registry/v2//admin/export", "/apis/registry/v2/./admin/export",
                "/apis/registry/v2/groups/default/artifacts/customers.y.v1-value/../orders.x.v1-value",
                "/apis/registry/v2/groups/default/artifacts/orders.x.v1-value%2F..%2Fcustomers.y.v1-value",
                "/apis/registry/v2/groups/default/artifacts/%2E%2E/%2E%2E/%2E%2E/admin/export",
                "/apis/registry/v2/admin;x/export", "/apis/registry/v2/groups;x/default/artifacts/customers.y.v1-value"}) {
            assertThat(refusal(ANALYTICS, call("GET", path))).as(path)
                    .hasValue("User:analytics may not make a call with empty, dot or encoded path separators: "
                            + "only platform principals change rules, compatibility or state, or delete");
            assertThat(refusal(ORDERS, call("PUT", path))).as(path).isPresent();
        }
    }

    /** The registry's router reads {@code %61dmin} as {@code admin}: the admin API's export, role mappings and config. */
    @Test
    void anAdminPathWithEncodedLettersIsTheAdminApi() {
        assertThat(refusal(ANALYTICS, call("GET", "/apis/registry/v2/%61dmin/export"))).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("User:analytics may not make the admin API (global rules, export, import, role mappings)"));
        assertThat(refusal(ANALYTICS, call("GET", "/apis/registry/v2/ad%6Din/roleMappings"))).isPresent();
        assertThat(refusal(ANALYTICS, call("GET", "/apis/registry/v2/%61dmin/export%zz"))).hasValueSatisfying(reason ->
                assertThat(reason).contains("a call with a malformed percent-escape"));
    }

    @Test
    void rulesConfigStateDeletesAndUnknownWritesArePlatformOnly() {
        for (RegistryCall call : new RegistryCall[] {
                call("POST", V2 + "/orders.x.v1-value/rules"), call("PUT", V2 + "/orders.x.v1-value/rules/COMPATIBILITY"),
                call("PUT", V2 + "/orders.x.v1-value/state"), call("DELETE", V2 + "/orders.x.v1-value"),
                call("PUT", "/apis/ccompat/v7/config/orders.x.v1-value"), call("PUT", "/apis/ccompat/v7/mode"),
                call("POST", "/apis/registry/v2/admin/import"), call("POST", "/apis/ibmcompat/v1/schemas"),
                call("POST", V2), call("PATCH", "/anything"),
                new RegistryCall("GET", V2 + "/orders.x.v1-value", null, true)}) {
            assertThat(refusal(ORDERS, call)).as("%s %s", call.method(), call.path()).isPresent();
            assertThat(refusal(CATALOG, call)).as("%s %s", call.method(), call.path()).isEmpty();
        }
    }

    @Test
    void anyPrincipalReadsLooksUpTestsAndRequestsAccess() {
        assertThat(refusal(ANALYTICS, call("GET", V2 + "/orders.x.v1-value"))).isEmpty();
        assertThat(refusal(ANALYTICS, call("POST", V2 + "/orders.x.v1-value/meta"))).isEmpty();
        assertThat(refusal(ANALYTICS, call("PUT", V2 + "/orders.x.v1-value/test"))).isEmpty();
        assertThat(refusal(ANALYTICS, call("POST", "/apis/ccompat/v7/subjects/orders.x.v1-value"))).isEmpty();
        assertThat(refusal(ANALYTICS, call("POST", "/apis/ccompat/v7/compatibility/subjects/orders.x.v1-value/versions/latest"))).isEmpty();
        assertThat(refusal(ANALYTICS, create("mesh.access.requests.analytics-value"))).isEmpty();
        assertThat(refusal(ANALYTICS, create("mesh.access.requests.orders-value"))).isPresent();
        assertThat(refusal(ANALYTICS, create("mesh.access.requests-value"))).isPresent();
        assertThat(refusal(ANALYTICS, create("orders.x.v1-value"))).isPresent();
    }

    @Test
    void aTeamRegistersTheSchemaOfItsOwnDecisionTopicAloneForItMayBeASecondLevelApprover() {
        assertThat(refusal(ANALYTICS, create("mesh.decisions.analytics-value"))).isEmpty();
        assertThat(refusal(ANALYTICS, create("mesh.decisions.orders-value"))).isPresent();
    }

    @Test
    void onlyTheHealthChecksAreOpen() {
        assertThat(call("GET", "/health/ready").isOpen()).isTrue();
        assertThat(call("GET", "/health").isOpen()).isTrue();
        assertThat(call("POST", "/health/ready").isOpen()).isFalse();
        assertThat(call("GET", "/health/../apis/registry/v2/admin/export").isOpen()).isFalse();
        assertThat(call("GET", "/ui/").isOpen()).isFalse();
    }

    private static Optional<String> refusal(MeshPrincipal who, RegistryCall call) {
        return RegistryPolicy.refusal(who, call);
    }

    private static RegistryCall create(String artifactId) {
        return call("POST", V2, artifactId);
    }

    private static RegistryCall call(String method, String path) {
        return call(method, path, null);
    }

    private static RegistryCall call(String method, String path, String artifactId) {
        return new RegistryCall(method, path, artifactId, false);
    }
}
