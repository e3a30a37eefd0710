package io.streammesh.testing;

import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.testcontainers.DockerClientFactory;

/**
 * What runs the mesh the integration tests share: the embedded mesh in this JVM, or a broker
 * and a registry in containers. Chosen once per test JVM: the system property or environment
 * variable {@value #PROPERTY} ({@code embedded} or {@code containers}) if set, else containers
 * when a Docker engine answers and embedded when none does.
 */
public enum MeshBackend {
    /** The KRaft broker in this JVM and the registry as a child process. */
    EMBEDDED,
    /** {@code apache/kafka} and the registry server in containers, started by Testcontainers. */
    CONTAINERS;

    /** The system property that picks the backend. */
    public static final String PROPERTY = "streammesh.test.backend";
    /** The environment variable that picks the backend when the system property is not set. */
    public static final String ENV = "STREAMMESH_TEST_BACKEND";

    /** @return the backend this JVM's settings and Docker engine call for */
    public static MeshBackend chosen() {
        Optional<String> asked = Optional.ofNullable(System.getProperty(PROPERTY)).or(() -> Optional.ofNullable(System.getenv(ENV)));
        return choose(asked, () -> DockerClientFactory.instance().isDockerAvailable());
    }

    /**
     * @param asked the backend named in the settings, if any
     * @param dockerAvailable whether a Docker engine answers; asked only when nothing is named
     * @return the named backend, else containers with Docker and embedded without
     * @throws IllegalArgumentException naming {@value #PROPERTY} if the name is not a backend
     */
    static MeshBackend choose(Optional<String> asked, BooleanSupplier dockerAvailable) {
        if (asked.isPresent() && !asked.get().isBlank()) {
            String name = asked.get().strip().toUpperCase(Locale.ROOT);
            for (MeshBackend backend : values()) {
                if (backend.name().equals(name)) {
                    return backend;
                }
            }
            throw new IllegalArgumentException(PROPERTY + " is '" + asked.get().strip() + "'; use embedded or containers");
        }
        return dockerAvailable.getAsBoolean() ? CONTAINERS : EMBEDDED;
    }
}
