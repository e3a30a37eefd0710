package io.streammesh.testing;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.embedded.MeshConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * Gives integration tests a real mesh, shared by every test class in the JVM: the in-JVM KRaft
 * broker with SASL and ACLs and the Apicurio Registry process, on free ports and a temporary
 * state directory. Declare an {@link EmbeddedMesh} parameter to get it:
 *
 * <pre>{@code
 * @MeshTest
 * class OrdersIT {
 *     @Test
 *     void publishes(EmbeddedMesh mesh) { ... }
 * }
 * }</pre>
 *
 * The mesh starts on first use and stops when the test run ends. Tests share it, so each should
 * use its own domain, topic and principal names.
 *
 * <p>What runs it is {@link MeshBackend#chosen()}: containers when a Docker engine answers, the
 * embedded mesh otherwise, or what {@value MeshBackend#PROPERTY} names. On containers the mesh is
 * {@linkplain EmbeddedMesh#attach attached}, so a test that kills the registry process is skipped
 * (its {@link EmbeddedMesh.NoRegistryProcess} becomes an aborted test), not failed.
 */
public final class MeshExtension implements ParameterResolver, TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MeshExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedMesh.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        int brokers = context.getTestClass()
                .flatMap(type -> AnnotationSupport.findAnnotation(type, MeshTest.class))
                .map(MeshTest::brokers)
                .orElse(1);
        if (brokers > 1) {
            // A key of its own: a store lookup falls back to the parent stores, and the root holds the shared one-broker mesh.
            return classContext(context).getStore(NAMESPACE)
                    .getOrComputeIfAbsent("cluster of " + brokers, key -> SharedMesh.cluster(brokers), SharedMesh.class)
                    .mesh();
        }
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedMesh.class, key -> SharedMesh.start(), SharedMesh.class)
                .mesh();
    }

    /** A cluster lives as long as its test class, so that a JVM never holds two clusters at once. */
    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw skippedIfAttached(thrown);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw skippedIfAttached(thrown);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw skippedIfAttached(thrown);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw skippedIfAttached(thrown);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw skippedIfAttached(thrown);
    }

    /** A test that needs the embedded registry process cannot run on an attached mesh: an assumption, not a failure. */
    static Throwable skippedIfAttached(Throwable thrown) {
        if (thrown instanceof EmbeddedMesh.NoRegistryProcess missing) {
            return new TestAbortedException("skipped on the " + MeshBackend.CONTAINERS.name().toLowerCase(Locale.ROOT)
                    + " backend: " + missing.getMessage(), missing);
        }
        return thrown;
    }

    /** Stored in the root context, so JUnit closes it once, after the last test. */
    private record SharedMesh(EmbeddedMesh mesh, Path stateDir) implements AutoCloseable {

        static SharedMesh start() {
            KafkaExits.keepTheJvm();
            Path dir = stateDirectory();
            try {
                EmbeddedMesh mesh = switch (MeshBackend.chosen()) {
                    case EMBEDDED -> EmbeddedMesh.start(MeshConfig.withFreePorts(dir));
                    case CONTAINERS -> ContainerMesh.start(dir);
                };
                return new SharedMesh(mesh, dir);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the test mesh in " + dir, e);
            }
        }

        /** The container backend runs one broker, so a cluster is always the embedded one. */
        static SharedMesh cluster(int brokers) {
            KafkaExits.keepTheJvm();
            Path dir = stateDirectory();
            return new SharedMesh(EmbeddedMesh.start(MeshConfig.withFreePorts(dir).withBrokers(brokers)), dir);
        }

        private static Path stateDirectory() {
            try {
                return Files.createTempDirectory("streammesh-test-");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a state directory for the test mesh", e);
            }
        }

        @Override
        public void close() throws IOException {
            mesh.close();
            try (Stream<Path> files = Files.walk(stateDir)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
