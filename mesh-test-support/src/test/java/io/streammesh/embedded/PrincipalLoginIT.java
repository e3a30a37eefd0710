package io.streammesh.embedded;

import io.streammesh.client.MeshClientConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * Adding a principal returns only once its credentials work, and adding a domain only once the
 * broker enforces its ACLs: KRaft applies both to the broker asynchronously, and a client that
 * connected in that window was refused ("invalid credentials", or its own topics), which failed
 * {@code mesh up --demo} and tests under load.
 */
@MeshTest
class PrincipalLoginIT {

    @Test
    void aPrincipalJustAddedLogsInAtOnceOverScramAndPlainTwentyTimesInARow(EmbeddedMesh mesh) throws Exception {
        for (int i = 0; i < 20; i++) {
            String name = "fresh-login-" + i;
            mesh.onboarding().addPrincipal(name, PrincipalKind.TEAM);
            MeshClientConfig scram = mesh.clientConfig(name);

            assertThat(clusterIdSeenBy(scram)).as("SCRAM login of %s", name).isNotBlank();
            assertThat(clusterIdSeenBy(MeshClients.plain(scram))).as("PLAIN login of %s", name).isNotBlank();
        }
    }

    @Test
    void aDomainJustAddedCreatesItsOwnTopicsAndWritesItsRegistrationsAtOnceTenTimesInARow(EmbeddedMesh mesh) throws Exception {
        for (int i = 0; i < 10; i++) {
            String domain = "fresh-domain-" + i;
            mesh.onboarding().addDomain(domain);
            MeshClientConfig config = mesh.clientConfig(domain);

            MeshClients.createTopic(config, domain + ".first-app-state");
            MeshClients.produce(config, "mesh.registrations." + domain, "k", "v");
        }
    }

    /** One login, no retry: a refusal fails the test. */
    private static String clusterIdSeenBy(MeshClientConfig config) throws Exception {
        var props = MeshClients.quick(config);
        props.put("reconnect.backoff.max.ms", "60000");
        try (Admin admin = Admin.create(props)) {
            return admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
        }
    }
}
