package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void aSecondLockOnTheSameDirectoryIsRefusedNamingThePid() throws Exception {
        var state = new StateDirectory(dir);
        state.prepare();
        state.writeStatus(new MeshStatus(4242, "127.0.0.1:9092", "http://127.0.0.1:8081", 9092, 9093, 8081, Instant.now(), null, 0, null));

        try (var lock = state.lock().channel()) {
            assertThat(state.isLocked()).isTrue();
            assertThatThrownBy(state::lock)
                    .isInstanceOf(MeshException.class)
                    .hasMessageContaining("a mesh is already running on state directory " + dir + " (pid 4242)");
        }
        assertThat(state.isLocked()).isFalse();
    }

    @Test
    void wipingKeepsWhatTheMeshDidNotWrite() throws Exception {
        var state = new StateDirectory(dir);
        state.prepare();
        Files.writeString(state.kafka().resolve("meta.properties"), "x");
        Files.writeString(state.credentials(), "x");
        Files.writeString(dir.resolve("notes.txt"), "mine");

        state.wipe();

        assertThat(state.kafka()).doesNotExist();
        assertThat(state.credentials()).doesNotExist();
        assertThat(dir.resolve("notes.txt")).hasContent("mine");
    }

    @Test
    void statusRoundTrips() {
        var state = new StateDirectory(dir);
        state.prepare();
        var status = new MeshStatus(1, "127.0.0.1:1", "http://127.0.0.1:2", 1, 3, 2, Instant.parse("2026-01-01T00:00:00Z"), "http://127.0.0.1:8080", 0, "http://127.0.0.1:8090");

        state.writeStatus(status);

        assertThat(state.readStatus()).contains(status);
        state.clearStatus();
        assertThat(state.readStatus()).isEmpty();
    }

    @Test
    void aStatusFileOthersMayWriteIsNotTrusted() throws Exception {
        var state = new StateDirectory(dir);
        state.prepare();
        state.writeStatus(new MeshStatus(1, "127.0.0.1:1", "http://127.0.0.1:2", 1, 3, 2, Instant.now(), "http://127.0.0.1:8080", 0,
                "http://127.0.0.1:8090"));
        Path status = dir.resolve("mesh.json");
        Files.setPosixFilePermissions(status, PosixFilePermissions.fromString("rw-rw-rw-"));

        assertThatThrownBy(state::readStatus).isInstanceOf(MeshException.class)
                .hasMessage(status + " may be written by other users (rw-rw-rw-); a mesh keeps its state directory to itself: chmod go-w "
                        + status + ", or start afresh with mesh up --fresh");

        Files.setPosixFilePermissions(status, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(state::readStatus).isInstanceOf(MeshException.class).hasMessageStartingWith(dir + " may be written by other users");
    }
}
