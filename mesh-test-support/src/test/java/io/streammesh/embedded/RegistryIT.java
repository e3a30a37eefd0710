package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@MeshTest
class RegistryIT {

    private static final String V1 = """
            {"type":"record","name":"Parcel","namespace":"test","fields":[
              {"name":"id","type":"string"}]}""";
    private static final String V2_COMPATIBLE = """
            {"type":"record","name":"Parcel","namespace":"test","fields":[
              {"name":"id","type":"string"},{"name":"weight","type":["null","double"],"default":null}]}""";
    private static final String V3_INCOMPATIBLE = """
            {"type":"record","name":"Parcel","namespace":"test","fields":[
              {"name":"id","type":"string"},{"name":"carrier","type":"string"}]}""";

    @Test
    void acceptsASchemaAndItsCompatibleEvolutionButRejectsABackwardIncompatibleOne(EmbeddedMesh mesh) throws Exception {
        var admin = RegistryHttp.as(mesh, mesh.clientConfig(MeshPrincipal.ADMIN.name()));
        String versions = "/apis/registry/v2/groups/default/artifacts/registry-it.parcel.v1-value/versions";

        var created = admin.createArtifact("registry-it.parcel.v1-value", V1);
        var evolved = admin.post(versions, V2_COMPATIBLE);
        var refused = admin.post(versions, V3_INCOMPATIBLE);

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(evolved.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("RuleViolationException", "Incompatible artifact", "carrier");
    }

    @Test
    void servesSchemasThroughTheConfluentCompatibleApi(EmbeddedMesh mesh) throws Exception {
        var admin = RegistryHttp.as(mesh, mesh.clientConfig(MeshPrincipal.ADMIN.name()));
        admin.createArtifact("registry-it.ccompat.v1-value", V1);

        var subjects = admin.get("/apis/ccompat/v7/subjects");

        assertThat(subjects.statusCode()).isEqualTo(200);
        assertThat(subjects.body()).contains("registry-it.ccompat.v1-value");
    }

    @Test
    void theSchemasOfPlatformTopicsAreRegisteredByTheMeshBeforeAnyClientWritesThem(EmbeddedMesh mesh) throws Exception {
        // no app runs here: whatever is registered, onboarding registered
        mesh.onboarding().addDomain("registry-it-shop");
        mesh.onboarding().ensurePrincipal("registry-it-team", PrincipalKind.TEAM);
        var admin = RegistryHttp.as(mesh, mesh.clientConfig(MeshPrincipal.ADMIN.name()));

        for (String topic : List.of(MeshTopics.CATALOG, MeshTopics.ACCESS_GRANTS, MeshTopics.AUDIT, MeshTopics.registrations("registry-it-shop"),
                MeshTopics.decisions("registry-it-shop"), MeshTopics.accessRequests("registry-it-shop"), MeshTopics.accessRequests("registry-it-team"))) {
            var meta = admin.get("/apis/registry/v2/groups/default/artifacts/" + topic + "-value/meta");
            assertThat(meta.statusCode()).as(topic).isEqualTo(200);
            assertThat(meta.body()).as(topic).contains("\"version\":\"1\"", "\"state\":\"ENABLED\"");
        }
        assertThat(admin.get("/apis/registry/v2/groups/default/artifacts/" + MeshTopics.accessRequests("registry-it-team") + "-value").body())
                .isEqualTo(AccessRequest.getClassSchema().toString());
    }

    /** The mesh start relies on this to pick another port instead of failing. */
    @Test
    void aPortTakenWhileTheRegistryStartsIsReportedAsSuch(@TempDir Path dir) throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            var registry = RegistryProcess.launch(RegistryProcess.locateJar(null), "127.0.0.1", taken.getLocalPort(),
                    dir, dir.resolve("registry.log"), dir.resolve("credentials"));
            try (registry) {
                assertThatThrownBy(() -> registry.awaitReady("no rules are set on a registry that cannot listen"))
                        .isInstanceOf(RegistryProcess.PortTaken.class)
                        .hasMessageContaining("port is in use");
            }
        }
    }
}
