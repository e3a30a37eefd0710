package io.streammesh.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

class ScramLoginsTest {

    /**
     * A command's Admin and producer log in at the same moment: they wait for one derivation
     * (each took a core's worth of SHA-512 rounds), and get Kafka's own result.
     */
    @Test
    void loginsAtTheSameMomentShareOneDerivationOfTheSaltedPassword() throws Exception {
        byte[] password = ("concurrent-" + System.nanoTime()).getBytes(UTF_8);
        byte[] salt = "salt".getBytes(UTF_8);
        byte[] expected = new ScramFormatter(ScramMechanism.SCRAM_SHA_512).hi(password, salt, 8192);
        int before = ScramLogins.derivations();

        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Callable<byte[]>> logins = IntStream.range(0, 4).<Callable<byte[]>>mapToObj(i ->
                    () -> new ScramLogins.CachingFormatter(ScramMechanism.SCRAM_SHA_512).hi(password, salt, 8192)).toList();
            for (Future<byte[]> derived : threads.invokeAll(logins)) {
                assertThat(derived.get()).isEqualTo(expected);
            }
        } finally {
            threads.shutdown();
        }
        assertThat(ScramLogins.derivations() - before).isEqualTo(1);
    }
}
