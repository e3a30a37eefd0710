package io.streammesh.cli;

import io.streammesh.schema.MeshException;
import io.streammesh.embedded.StateDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: which mesh a command means; without it, the one {@link StateDirLocation} finds. */
final class StateDirOption {

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = {"The mesh's state directory (default: $" + StateDirLocation.ENVIRONMENT
                    + ", else the nearest .mesh from the working directory upwards, else ./.mesh)."})
    Path stateDir = StateDirLocation.find();

    StateDirectory directory() {
        return new StateDirectory(stateDir);
    }

    /**
     * @return the state directory, for commands that act on a mesh that has run there
     * @throws MeshException if there is no such directory, saying how to point at the right one
     */
    StateDirectory existing() {
        return existing(directory());
    }

    /**
     * @param directory a state directory
     * @return it, if it exists
     * @throws MeshException if it does not, saying how to point at the right one
     */
    static StateDirectory existing(StateDirectory directory) {
        if (!Files.isDirectory(directory.root())) {
            throw new MeshException("state directory " + directory.root() + " not found; run mesh in (or below) the "
                    + "directory holding .mesh, or point at it with --state-dir DIR or " + StateDirLocation.ENVIRONMENT + "=DIR");
        }
        return directory;
    }
}
