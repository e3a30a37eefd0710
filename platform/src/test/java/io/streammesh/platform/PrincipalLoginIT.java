package io.streammesh.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.platform.testing.MeshTest;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * Adding a principal returns only once its credentials work: KRaft applies a SCRAM credential
 * to the broker asynchronously, and a client that connected in that window was refused
 * ("invalid credentials"), which failed {@code mesh up --demo} and tests under load.
 */
@MeshTest
class PrincipalLoginIT {

    @Test
    void aPrincipalJustAddedLogsInAtOnceOverScramAndPlainTwentyTimesInARow(EmbeddedMesh mesh) throws Exception {
        for (int i = 0; i < 20; i++) {
            String name = "fresh-login-" + i;
            mesh.onboarding().addPrincipal(name, PrincipalKind.TEAM);
            Properties scram = mesh.clientConfig(name);

            assertThat(clusterIdSeenBy(scram)).as("SCRAM login of %s", name).isNotBlank();
            assertThat(clusterIdSeenBy(MeshClients.plain(scram))).as("PLAIN login of %s", name).isNotBlank();
        }
    }

    @Test
    void aDomainJustAddedLogsInAtOnceOverScram(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("fresh-domain");

        assertThat(clusterIdSeenBy(mesh.clientConfig("fresh-domain"))).isNotBlank();
    }

    /** One login, no retry: a refusal fails the test. */
    private static String clusterIdSeenBy(Properties config) throws Exception {
        var props = MeshClients.quick(config);
        props.put("reconnect.backoff.max.ms", "60000");
        try (Admin admin = Admin.create(props)) {
            return admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
        }
    }
}
