package io.streammesh.cli;

import io.streammesh.client.MeshEndpoints;
import io.streammesh.schema.MeshException;
import io.streammesh.embedded.MeshStatus;
import io.streammesh.embedded.Onboarding;
import io.streammesh.embedded.StateDirectory;
import io.streammesh.client.MeshClientConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A mesh that {@code mesh up} runs on a state directory, seen from another process, and an Admin
 * client acting as some principal on it.
 */
final class RunningMesh implements AutoCloseable {

    private final StateDirectory state;
    private final MeshStatus status;
    private final Admin admin;

    private RunningMesh(StateDirectory state, MeshStatus status, Admin admin) {
        this.state = state;
        this.status = status;
        this.admin = admin;
    }

    /**
     * @param state the mesh's state directory
     * @param as who to act as
     * @param defaultPrincipal who to act as if {@code as} names nobody
     * @return the running mesh
     * @throws MeshException if no mesh runs on that directory
     */
    static RunningMesh open(StateDirOption state, PrincipalOption as, String defaultPrincipal) {
        MeshStatus status = find(state.directory());
        MeshClientConfig clientConfig = as.clientConfig(state, defaultPrincipal);
        var props = clientConfig.kafka();
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "mesh-cli");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return new RunningMesh(state.directory(), status, Admin.create(props));
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
        return status.endpoints();
    }

    MeshStatus status() {
        return status;
    }

    Admin admin() {
        return admin;
    }

    Onboarding onboarding() {
        return new Onboarding(admin, state, status.endpoints());
    }

    @Override
    public void close() {
        admin.close();
    }
}
