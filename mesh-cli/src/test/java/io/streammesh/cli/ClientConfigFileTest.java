package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientConfigFileTest {

    private static final String PASSWORD = "pw-never-printed";

    @TempDir
    Path dir;

    @Test
    void aClientConfigWithoutASaslLoginFailsNamingTheFileAndTheKey() throws Exception {
        Path file = Files.write(dir.resolve("mine.properties"), List.of("bootstrap.servers=127.0.0.1:9092",
                "ssl.keystore.password=" + PASSWORD));

        var searched = CommandRun.of("catalog", "search", "orders", "--client-config", file.toString());

        assertThat(searched.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(searched.err()).isEqualTo("mesh: client config " + file + ": no username=\"...\" in sasl.jaas.config "
                + "and no mesh.principal" + System.lineSeparator());
    }

    @Test
    void aClientConfigWithABadLoginNeverPrintsItsPassword() throws Exception {
        Path file = Files.write(dir.resolve("mine.properties"), List.of("bootstrap.servers=127.0.0.1:9092",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"Not_Kebab\" password=\""
                        + PASSWORD + "\";"));

        var searched = CommandRun.of("catalog", "search", "orders", "--client-config", file.toString());

        assertThat(searched.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(searched.err()).startsWith("mesh: client config " + file + ": principal name 'Not_Kebab' must be lower-case kebab case")
                .doesNotContain(PASSWORD);
        assertThat(searched.out()).doesNotContain(PASSWORD);
    }
}
