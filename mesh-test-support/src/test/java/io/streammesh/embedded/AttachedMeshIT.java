package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.testing.MeshTest;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link EmbeddedMesh#attach}, the seam the container backend uses, proved on this machine
 * without Docker: attached to the shared mesh's broker and registry, which it did not start.
 */
@MeshTest
class AttachedMeshIT {

    @Test
    void anAttachedMeshOnboardsAndServesClientsOfABrokerAndRegistryItDidNotStart(EmbeddedMesh started) throws Exception {
        var backendStopped = new AtomicBoolean();
        try (var attached = attachTo(started, () -> backendStopped.set(true))) {
            attached.onboarding().addDomain("attached");
            // the policy-enforcer creates a catalogued product's topics: its ACLs come with the domain
            MeshClients.createTopic(attached.clientConfig(PlatformApp.ENFORCER.applicationId()), "attached.orders.v1");
            MeshClients.produce(attached.clientConfig(PlatformApp.GATE.applicationId()), "attached.orders.v1", "k", "via an attached mesh");
            var schema = RegistryHttp.as(attached, attached.clientConfig("attached"))
                    .createArtifact("attached.orders.v1-value", "{\"type\":\"string\"}");

            assertThat(schema.statusCode()).isEqualTo(200);
            assertThat(MeshClients.readAll(started.clientConfig("attached"), "attached.orders.v1", "attached.reader", 1))
                    .containsExactly("via an attached mesh");
        }

        assertThat(backendStopped).as("the backend is stopped with the attached mesh").isTrue();
        assertThat(started.onboarding().principals()).extracting(MeshPrincipal::name).contains("attached");
    }

    @Test
    void anAttachedMeshRefusesToKillOrRestartARegistryProcessItDoesNotRun(EmbeddedMesh started) {
        try (var attached = attachTo(started, () -> { })) {
            String registry = started.endpoints().registryUrl();

            assertThat(attached.runsRegistryProcess()).isFalse();
            assertThatThrownBy(attached::killRegistry).isInstanceOf(EmbeddedMesh.NoRegistryProcess.class)
                    .hasMessage("killRegistry needs the registry process an embedded mesh starts; "
                            + "this mesh is attached to the registry at " + registry);
            assertThatThrownBy(attached::restartRegistry).isInstanceOf(EmbeddedMesh.NoRegistryProcess.class)
                    .hasMessage("restartRegistry needs the registry process an embedded mesh starts; "
                            + "this mesh is attached to the registry at " + registry);
        }
    }

    private static EmbeddedMesh attachTo(EmbeddedMesh started, AutoCloseable backend) {
        String adminPassword = started.clientConfig(MeshPrincipal.ADMIN.name()).password().reveal();
        return EmbeddedMesh.attach(started.state().root(), started.endpoints(), adminPassword, backend);
    }
}
