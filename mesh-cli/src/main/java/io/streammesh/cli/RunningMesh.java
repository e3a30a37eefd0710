package io.streammesh.cli;

import io.streammesh.client.MeshEndpoints;
import io.streammesh.schema.MeshException;
import io.streammesh.embedded.MeshStatus;
import io.streammesh.embedded.Onboarding;
import io.streammesh.embedded.PlatformInit;
import io.streammesh.embedded.StateDirectory;
import io.streammesh.client.MeshClientConfig;
import java.nio.file.Files;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A mesh that {@code mesh up} runs on a state directory, seen from another process, and an Admin
 * client acting as some principal on it; or, given {@code --client-config} where no mesh runs, a
 * cluster of one's own that {@code mesh platform init} bootstrapped with that state directory.
 */
final class RunningMesh implements AutoCloseable {

    private final StateDirectory state;
    private final MeshStatus status;
    private final MeshEndpoints endpoints;
    private final Admin admin;

    private RunningMesh(StateDirectory state, MeshStatus status, MeshEndpoints endpoints, Admin admin) {
        this.state = state;
        this.status = status;
        this.endpoints = endpoints;
        this.admin = admin;
    }

    /**
     * @param state the mesh's state directory
     * @param as who to act as
     * @param defaultPrincipal who to act as if {@code as} names nobody
     * @return the running mesh
     * @throws MeshException if no mesh runs on that directory and {@code as} gives no client config
     *         of a cluster that {@code mesh platform init} bootstrapped with it
     */
    static RunningMesh open(StateDirOption state, PrincipalOption as, String defaultPrincipal) {
        if (as.principalName(defaultPrincipal).isEmpty() && !state.directory().isLocked()) {
            return onCluster(state, as.clientConfig(state, defaultPrincipal));
        }
        MeshStatus status = find(state.directory());
        return new RunningMesh(state.directory(), status, status.endpoints(), admin(as.clientConfig(state, defaultPrincipal)));
    }

    /**
     * A cluster of one's own: the endpoints come from the client config, the credential store
     * from the state directory {@code mesh platform init} wrote.
     */
    private static RunningMesh onCluster(StateDirOption state, MeshClientConfig clientConfig) {
        StateDirectory directory = StateDirOption.existing(state.directory());
        if (!Files.exists(directory.credentials())) {
            throw new MeshException("no mesh runs on state directory " + directory.root() + " and it holds no credential store; "
                    + "bootstrap your cluster first with mesh platform init --client-config FILE --state-dir " + directory.root());
        }
        return new RunningMesh(directory, null, PlatformInit.endpoints(clientConfig), admin(clientConfig));
    }

    private static Admin admin(MeshClientConfig clientConfig) {
        var props = clientConfig.kafka();
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "mesh-cli");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(props);
    }

    /**
     * @param state a state directory
     * @return what the mesh running on it listens on
     * @throws MeshException if none runs there
     */
    static MeshStatus find(StateDirectory state) {
        if (!StateDirOption.existing(state).isLocked()) {
            throw new MeshException("no mesh is running on state directory " + state.root()
                    + "; start one with ./mesh up (or name its directory with --state-dir)");
        }
        return state.readStatus().orElseThrow(() -> new MeshException("the mesh on " + state.root()
                + " is still starting; try again in a few seconds"));
    }

    MeshEndpoints endpoints() {
        return endpoints;
    }

    /** @return the running mesh's status; null on a cluster of one's own */
    MeshStatus status() {
        return status;
    }

    Admin admin() {
        return admin;
    }

    /** On a cluster of one's own, new principals are awaited over SCRAM only (see {@link Onboarding#onCluster}). */
    Onboarding onboarding() {
        return status == null ? Onboarding.onCluster(admin, state, endpoints) : new Onboarding(admin, state, endpoints);
    }

    @Override
    public void close() {
        admin.close();
    }
}
