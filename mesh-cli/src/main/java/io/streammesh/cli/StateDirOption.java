package io.streammesh.cli;

import io.streammesh.platform.MeshConfig;
import io.streammesh.platform.StateDirectory;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: which mesh a command means. */
final class StateDirOption {

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = ".mesh",
            description = "The mesh's state directory (default: ${DEFAULT-VALUE} in the working directory).")
    Path stateDir = MeshConfig.DEFAULT_STATE_DIR;

    StateDirectory directory() {
        return new StateDirectory(stateDir);
    }
}
