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
 * test gets at most two minutes, so a hang fails instead of stalling the build.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(MeshExtension.class)
@Tag("integration")
@Timeout(120)
public @interface MeshTest {
}
