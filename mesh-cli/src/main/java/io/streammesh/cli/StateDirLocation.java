package io.streammesh.cli;

import io.streammesh.embedded.MeshConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a command's state directory is when {@code --state-dir} is not given: {@value #ENVIRONMENT}
 * if set, else the nearest {@code .mesh} directory from the working directory upwards (as git
 * finds {@code .git}), else {@code .mesh} in the working directory.
 */
final class StateDirLocation {

    /** The environment variable naming the state directory. */
    static final String ENVIRONMENT = "MESH_STATE_DIR";

    private StateDirLocation() {
    }

    /** @return the state directory for this process's environment and working directory */
    static Path find() {
        return find(System.getenv(), Path.of("").toAbsolutePath());
    }

    /**
     * @param environment the process's environment
     * @param workingDirectory an absolute working directory
     * @return the state directory, absolute
     */
    static Path find(Map<String, String> environment, Path workingDirectory) {
        String named = environment.get(ENVIRONMENT);
        if (named != null && !named.isBlank()) {
            return workingDirectory.resolve(named).normalize();
        }
        for (Path dir = workingDirectory; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(MeshConfig.DEFAULT_STATE_DIR);
            if (Files.isDirectory(candidate)) {
                return candidate.normalize();
            }
        }
        return workingDirectory.resolve(MeshConfig.DEFAULT_STATE_DIR).normalize();
    }
}
