package io.streammesh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.embedded.EmbeddedMesh;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class MeshExtensionTest {

    @Test
    void aTestThatNeedsTheRegistryProcessIsSkippedOnAnAttachedMesh() {
        var missing = new EmbeddedMesh.NoRegistryProcess("killRegistry needs the registry process an embedded mesh starts; "
                + "this mesh is attached to the registry at http://localhost:32768");

        assertThat(MeshExtension.skippedIfAttached(missing)).isInstanceOf(TestAbortedException.class)
                .hasMessage("skipped on the containers backend: killRegistry needs the registry process an embedded mesh"
                        + " starts; this mesh is attached to the registry at http://localhost:32768")
                .hasCause(missing);
    }

    @Test
    void otherFailuresStayFailures() {
        var failure = new IllegalStateException("boom");

        assertThat(MeshExtension.skippedIfAttached(failure)).isSameAs(failure);
    }
}
