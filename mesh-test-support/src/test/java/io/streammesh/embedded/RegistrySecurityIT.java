package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.MeshSerdes;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the schema registry: it needs a mesh principal for every call, a domain writes only
 * its own products' subjects, and rules, compatibility and deletes are the platform's.
 */
@MeshTest
class RegistrySecurityIT {

    private static final String V1 = """
            {"type":"record","name":"Parcel","namespace":"test","fields":[{"name":"id","type":"string"}]}""";
    private static final String INCOMPATIBLE = """
            {"type":"record","name":"Parcel","namespace":"test","fields":[
              {"name":"id","type":"string"},{"name":"carrier","type":"string"}]}""";
    private static final String ARTIFACTS = "/apis/registry/v2/groups/default/artifacts";
    private static final String CCOMPAT = "/apis/ccompat/v7";
    private static final String ANONYMOUS = "the registry needs a mesh principal: HTTP Basic with a name and password "
            + "as in <state-dir>/clients/<principal>.properties (apicurio.auth.username/password)";

    private RegistryHttp orders;
    private RegistryHttp admin;

    @BeforeEach
    void domains(EmbeddedMesh mesh) {
        mesh.onboarding().addDomain("orders");
        mesh.onboarding().addDomain("customers");
        orders = RegistryHttp.as(mesh, mesh.clientConfig("orders"));
        admin = RegistryHttp.as(mesh, mesh.clientConfig(MeshPrincipal.ADMIN.name()));
    }

    @Test
    void anonymousReadsAndWritesAreRefusedWithABasicChallenge(EmbeddedMesh mesh) throws Exception {
        var nobody = RegistryHttp.anonymous(mesh);

        for (var response : List.of(nobody.get(ARTIFACTS), nobody.get(CCOMPAT + "/subjects"), nobody.get("/ui/"),
                nobody.get("/apis/ibmcompat/v1/schemas"), nobody.createArtifact("orders.anonymous.v1-value", V1),
                nobody.post(CCOMPAT + "/subjects/orders.anonymous.v1-value/versions", ccompatSchema(V1)))) {
            assertThat(response.statusCode()).as("%s", response.uri()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"StreamMesh registry\", charset=\"UTF-8\"");
            assertThat(response.body()).contains("\"message\":\"" + ANONYMOUS + "\"");
        }
        assertThat(admin.get(ARTIFACTS + "/orders.anonymous.v1-value").statusCode()).isEqualTo(404);
    }

    @Test
    void aWrongPasswordOrAnUnknownPrincipalIsRefusedWith401(EmbeddedMesh mesh) throws Exception {
        var wrongPassword = RegistryHttp.withLogin(mesh, "orders", "not-the-password").get(ARTIFACTS);
        var unknown = RegistryHttp.withLogin(mesh, "nobody-here", "whatever").get(CCOMPAT + "/subjects");

        assertThat(wrongPassword.statusCode()).isEqualTo(401);
        assertThat(wrongPassword.body()).contains("\"message\":\"unknown principal or wrong password\"");
        assertThat(unknown.statusCode()).isEqualTo(401);
    }

    @Test
    void theHealthChecksTheMeshPollsStayOpen(EmbeddedMesh mesh) throws Exception {
        assertThat(RegistryHttp.anonymous(mesh).get("/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void aDomainRegistersAndEvolvesTheSchemasOfItsOwnProductsAndAnyPrincipalReadsThem(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("regsec-readers", PrincipalKind.TEAM);
        var team = RegistryHttp.as(mesh, mesh.clientConfig("regsec-readers"));

        assertThat(orders.createArtifact("orders.x.v1-value", V1).statusCode()).isEqualTo(200);
        assertThat(orders.post(CCOMPAT + "/subjects/orders.x-ccompat.v1-value/versions", ccompatSchema(V1)).statusCode()).isEqualTo(200);
        assertThat(orders.createArtifact("orders.x.v1.dlq-value", V1).statusCode()).isEqualTo(200);

        assertThat(team.get(ARTIFACTS + "/orders.x.v1-value").statusCode()).isEqualTo(200);
        assertThat(team.get(CCOMPAT + "/subjects/orders.x-ccompat.v1-value/versions/latest").statusCode()).isEqualTo(200);
    }

    @Test
    void aDomainMayNotWriteAnotherDomainsSubject(EmbeddedMesh mesh) throws Exception {
        var v2 = orders.createArtifact("customers.y.v1-value", V1);
        var ccompat = orders.post(CCOMPAT + "/subjects/customers.y.v1-value/versions", ccompatSchema(V1));
        var update = orders.put(ARTIFACTS + "/customers.y.v1-value", V1);

        assertForbidden(v2, "User:orders may not write subject 'customers.y.v1-value' in group 'default': a principal writes only "
                + "the schemas of topics it may write (orders.* products and its own mesh topics)");
        assertForbidden(ccompat, "User:orders may not write subject 'customers.y.v1-value' in group 'default'");
        assertForbidden(update, "User:orders may not write subject 'customers.y.v1-value' in group 'default'");
        assertThat(admin.get(ARTIFACTS + "/customers.y.v1-value").statusCode()).as("nothing registered").isEqualTo(404);
        String password = MeshSerdes.registryLogin(mesh.clientConfig("orders")).password();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Files.readString(mesh.state().logs().resolve("registry.log")))
                .contains("refused User:orders PUT /apis/registry/v2/groups/default/artifacts/customers.y.v1-value (HTTP 403): "
                        + "User:orders may not write subject 'customers.y.v1-value'")
                .doesNotContain(password));
    }

    @Test
    void aDomainMayNotLoosenRulesChangeCompatibilityOrDeleteEvenItsOwnSubject(EmbeddedMesh mesh) throws Exception {
        assertThat(orders.createArtifact("orders.guarded.v1-value", V1).statusCode()).isEqualTo(200);

        var rule = orders.post(ARTIFACTS + "/orders.guarded.v1-value/rules", "{\"type\":\"COMPATIBILITY\",\"config\":\"NONE\"}");
        var globalRule = orders.put("/apis/registry/v2/admin/rules/COMPATIBILITY", "{\"type\":\"COMPATIBILITY\",\"config\":\"NONE\"}");
        var ccompatConfig = orders.put(CCOMPAT + "/config/orders.guarded.v1-value", "{\"compatibility\":\"NONE\"}");
        var ccompatGlobal = orders.put(CCOMPAT + "/config", "{\"compatibility\":\"NONE\"}");
        var delete = orders.delete(ARTIFACTS + "/orders.guarded.v1-value");
        var ccompatDelete = orders.delete(CCOMPAT + "/subjects/orders.guarded.v1-value");

        assertForbidden(rule, "User:orders may not make the rules of orders.guarded.v1-value: only platform principals "
                + "change rules, compatibility or state, or delete");
        assertForbidden(globalRule, "User:orders may not make the admin API (global rules, export, import, role mappings)");
        assertForbidden(ccompatConfig, "User:orders may not make compatibility config");
        assertForbidden(ccompatGlobal, "User:orders may not make compatibility config");
        assertForbidden(delete, "User:orders may not make a delete");
        assertForbidden(ccompatDelete, "User:orders may not make a delete");
        assertThat(admin.get(ARTIFACTS + "/orders.guarded.v1-value").statusCode()).as("still there").isEqualTo(200);
        var incompatible = orders.post(ARTIFACTS + "/orders.guarded.v1-value/versions", INCOMPATIBLE);
        assertThat(incompatible.statusCode()).as("BACKWARD still holds").isEqualTo(409);
        assertThat(incompatible.body()).contains("Incompatible artifact");
    }

    @Test
    void thePlatformMaySetRulesAndDelete(EmbeddedMesh mesh) throws Exception {
        assertThat(orders.createArtifact("orders.retired.v1-value", V1).statusCode()).isEqualTo(200);

        var rule = admin.post(ARTIFACTS + "/orders.retired.v1-value/rules", "{\"type\":\"COMPATIBILITY\",\"config\":\"FULL\"}");
        var delete = admin.delete(ARTIFACTS + "/orders.retired.v1-value");

        assertThat(rule.statusCode()).isEqualTo(204);
        assertThat(delete.statusCode()).isEqualTo(204);
        assertThat(admin.get(ARTIFACTS + "/orders.retired.v1-value").statusCode()).isEqualTo(404);
    }

    @Test
    void theMeshsClientSaysWhoWasRefusedAndWhyInsteadOfBlamingTheNetwork(EmbeddedMesh mesh) {
        try (var registry = SchemaRegistry.connect(mesh.clientConfig("orders"))) {
            assertThatThrownBy(() -> registry.register("customers.z.v1-value", V1))
                    .isInstanceOf(MeshException.class).isNotInstanceOf(SchemaRegistry.Unreachable.class)
                    .hasMessage("the schema registry refused to let User:orders register the schema of customers.z.v1-value "
                            + "(HTTP 403): a domain writes only its own products' schemas; rules, compatibility and deletes are the platform's");
        }
        try (var registry = SchemaRegistry.connect(MeshClients.withPassword(mesh.clientConfig("orders"), "not-the-password"))) {
            assertThatThrownBy(() -> registry.latest("orders.x.v1-value"))
                    .isInstanceOf(MeshException.class).isNotInstanceOf(SchemaRegistry.Unreachable.class)
                    .hasMessage("the schema registry at " + mesh.endpoints().registryApiUrl() + " did not accept the login of "
                            + "User:orders (HTTP 401); check apicurio.auth.username and apicurio.auth.password in its client config");
        }
    }

    private static void assertForbidden(HttpResponse<String> response, String reason) {
        assertThat(response.statusCode()).as("%s %s", response.request().method(), response.uri()).isEqualTo(403);
        assertThat(response.body()).contains("\"message\":\"" + reason);
    }

    private static String ccompatSchema(String avro) {
        return "{\"schema\":\"" + avro.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "") + "\"}";
    }
}
