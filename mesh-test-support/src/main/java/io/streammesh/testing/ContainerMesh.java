package io.streammesh.testing;

import io.streammesh.client.MeshEndpoints;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.embedded.StateDirectory;
import io.streammesh.schema.MeshPrincipal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;

/**
 * The container backend of {@link MeshExtension}: {@link BrokerContainer} and
 * {@link RegistryContainer} on a network of their own, attached to as an {@link EmbeddedMesh}
 * so that tests, onboarding and client configs work as on the embedded backend.
 */
final class ContainerMesh {

    private ContainerMesh() {
    }

    /**
     * @param stateDir an empty state directory
     * @return the attached mesh; closing it stops the containers
     * @throws IOException if the state directory cannot be written
     */
    static EmbeddedMesh start(Path stateDir) throws IOException {
        var state = new StateDirectory(stateDir);
        state.prepare();
        String adminPassword = CredentialStore.newPassword();
        // The broker authenticates itself as mesh-admin over PLAIN, so the store must know it first.
        CredentialStore.at(state.credentials()).put(MeshPrincipal.ADMIN, adminPassword);
        String owner = Files.getAttribute(stateDir, "unix:uid") + ":" + Files.getAttribute(stateDir, "unix:gid");
        String dockerHost = DockerClientFactory.instance().dockerHostIpAddress();
        Network network = Network.newNetwork();
        var containers = new Containers(network);
        try {
            containers.registry = RegistryContainer.start(network, state, owner, EmbeddedMesh.registryServerJar());
            containers.broker = BrokerContainer.start(network, state, owner, dockerHost, freePort(), adminPassword);
        } catch (IOException | RuntimeException e) {
            containers.close();
            throw e;
        }
        var endpoints = new MeshEndpoints(dockerHost + ":" + containers.broker.getFirstMappedPort(),
                "http://" + dockerHost + ":" + containers.registry.getMappedPort(RegistryContainer.PORT));
        EmbeddedMesh mesh = EmbeddedMesh.attach(stateDir, endpoints, adminPassword, containers);
        // The shipper reads its config when it appears, so the broker may start before it exists.
        BrokerContainer.auditClientConfig(adminPassword).store(BrokerContainer.auditClientConfigFile(state));
        return mesh;
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The running containers and their network, stopped with the mesh. */
    private static final class Containers implements AutoCloseable {
        private final Network network;
        private GenericContainer<?> registry;
        private GenericContainer<?> broker;

        Containers(Network network) {
            this.network = network;
        }

        @Override
        public void close() {
            if (broker != null) {
                broker.stop();
            }
            if (registry != null) {
                registry.stop();
            }
            network.close();
        }
    }
}
