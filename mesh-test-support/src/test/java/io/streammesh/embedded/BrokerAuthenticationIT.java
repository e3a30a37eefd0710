package io.streammesh.embedded;

import io.streammesh.client.MeshClientConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

@MeshTest
class BrokerAuthenticationIT {

    @Test
    void aPrincipalAddedAtRuntimeAuthenticatesWithScramAndWithPlain(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addPrincipal("auth-team", PrincipalKind.TEAM);
        MeshClientConfig scram = mesh.clientConfig("auth-team");

        assertThat(scram.kafka().getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(clusterIdAs(scram)).isNotBlank();
        assertThat(clusterIdAs(MeshClients.plain(scram))).isNotBlank();
    }

    @Test
    void aWrongPasswordFailsWithAnAuthenticationErrorOnBothMechanisms(EmbeddedMesh mesh) {
        mesh.onboarding().addPrincipal("wrong-password-team", PrincipalKind.TEAM);
        MeshClientConfig wrong = MeshClients.withPassword(mesh.clientConfig("wrong-password-team"), "not-the-password");

        assertThatThrownBy(() -> clusterIdAs(wrong)).hasRootCauseInstanceOf(SaslAuthenticationException.class);
        assertThatThrownBy(() -> clusterIdAs(MeshClients.plain(wrong))).hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void anUnknownPrincipalIsRefused(EmbeddedMesh mesh) {
        MeshClientConfig unknown = MeshClients.withUser(mesh.clientConfig("mesh-admin"), "nobody");

        assertThatThrownBy(() -> clusterIdAs(unknown)).hasRootCauseInstanceOf(SaslAuthenticationException.class);
        assertThatThrownBy(() -> clusterIdAs(MeshClients.plain(unknown))).hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }

    private static String clusterIdAs(MeshClientConfig config) throws Exception {
        try (var admin = Admin.create(MeshClients.quick(config))) {
            return admin.describeCluster().clusterId().get();
        }
    }
}
