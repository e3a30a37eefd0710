package io.streammesh.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKmsTest {

    private static final int ROTATIONS = 40;

    @TempDir
    Path dir;

    @Test
    void twoHoldersRotatingTheSameKekAtOnceBothLandAndEveryOldKeyStays() throws Exception {
        LocalKms first = new LocalKms(dir);
        byte[] wrapped = first.getAead(LocalKms.uri("orders")).encrypt("dek".getBytes(UTF_8), new byte[0]);
        LocalKms second = new LocalKms(dir);

        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> rotate(second));
        rotate(first);
        other.get(1, TimeUnit.MINUTES);

        assertThat(keysIn("orders")).hasSize(1 + 2 * ROTATIONS);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("orders.kek.lock")))).isEqualTo("rw-------");
        assertThat(new LocalKms(dir).getAead(LocalKms.uri("orders")).decrypt(wrapped, new byte[0])).isEqualTo("dek".getBytes(UTF_8));
    }

    @Test
    void aRotationByAnotherProcessAtTheSameTimeIsNotLost() throws Exception {
        LocalKms kms = new LocalKms(dir);
        kms.version("orders");
        Path log = dir.resolve("other.log");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Rotations.class.getName(), dir.toString(), "orders")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // both rotate at once: the other process prints after its first rotation
            while (Files.readString(log).isEmpty() && other.isAlive()) {
                Thread.onSpinWait();
            }
            rotate(kms);
            assertThat(other.waitFor(2, TimeUnit.MINUTES)).as("the other process ends").isTrue();
        } finally {
            other.destroyForcibly();
        }

        assertThat(other.exitValue()).as(Files.readString(log)).isZero();
        assertThat(keysIn("orders")).hasSize(1 + 2 * ROTATIONS);
    }

    private List<Integer> keysIn(String domain) throws Exception {
        KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(dir.resolve(domain + ".kek.json")),
                InsecureSecretKeyAccess.get());
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < keyset.size(); i++) {
            ids.add(keyset.getAt(i).getId());
        }
        return ids;
    }

    private static void rotate(LocalKms kms) {
        for (int i = 0; i < ROTATIONS; i++) {
            kms.rotate("orders");
        }
    }

    /** The other process: rotates a domain's KEK {@link #ROTATIONS} times. */
    static final class Rotations {

        public static void main(String[] args) {
            LocalKms kms = new LocalKms(Path.of(args[0]));
            kms.rotate(args[1]);
            System.out.println("rotating");
            for (int i = 1; i < ROTATIONS; i++) {
                kms.rotate(args[1]);
            }
        }
    }
}
