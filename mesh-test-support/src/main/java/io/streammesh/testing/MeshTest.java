package io.streammesh.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test that runs on the shared real mesh ({@link MeshExtension}); each
 * test gets at most two minutes, so a hang fails instead of stalling the build. With
 * {@code brokers = 3} the test class gets a mesh of its own on a three-broker cluster.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(MeshExtension.class)
@Tag("integration")
@Timeout(120)
public @interface MeshTest {

    /**
     * @return how many brokers the mesh runs: 1 shares the mesh of the test JVM; more starts an
     *         embedded cluster (whatever the backend) for this test class alone, stopped after it
     */
    int brokers() default 1;
}
