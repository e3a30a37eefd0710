package io.streammesh.client;

import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshClientConfigTest {

    private static final String PASSWORD = "pw-Zq8xK3vT";
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"orders\" password=\""
            + PASSWORD + "\";";
    /** A client config as the mesh has always written it into {@code <state>/clients/}. */
    private static final List<String> STATE_DIR_FILE = List.of(
            "# StreamMesh client config for User:orders (Java clients, kafka-console-*).",
            "# It holds the principal's password: keep it private.",
            "bootstrap.servers=127.0.0.1:9092",
            "security.protocol=SASL_PLAINTEXT",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=" + JAAS,
            "apicurio.registry.url=http://127.0.0.1:8081/apis/registry/v2",
            "apicurio.auth.username=orders",
            "apicurio.auth.password=" + PASSWORD,
            "mesh.principal=User:orders");

    @TempDir
    Path dir;

    @Test
    void aStateDirectoryFileLoadsAndIsStoredBackByteForByteReadableByItsOwnerOnly() throws Exception {
        Path written = Files.write(dir.resolve("orders.properties"), STATE_DIR_FILE);

        MeshClientConfig config = MeshClientConfig.load(written);

        assertThat(config).isEqualTo(MeshClientConfig.of("127.0.0.1:9092", "orders", URI.create("http://127.0.0.1:8081/apis/registry/v2"), PASSWORD));
        assertThat(config.extra()).isEmpty();
        Path stored = dir.resolve("again/orders.properties");
        config.store(stored);
        assertThat(Files.readAllLines(stored)).isEqualTo(STATE_DIR_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored))).isEqualTo("rw-------");
        assertThat(MeshClientConfig.load(stored)).isEqualTo(config);
    }

    @Test
    void theMeshWritesEveryPrincipalsConfigInThatFormat() throws Exception {
        var configs = new ClientConfigs(dir);
        configs.write(new MeshPrincipal("orders", PrincipalKind.DOMAIN), PASSWORD, new MeshEndpoints("127.0.0.1:9092", "http://127.0.0.1:8081"));

        assertThat(Files.readAllLines(configs.propertiesFile("orders"))).isEqualTo(STATE_DIR_FILE);
        assertThat(configs.config("orders").password().reveal()).isEqualTo(PASSWORD);
    }

    @Test
    void kafkaGivesAFreshClientConfigWithTheSaslLoginAndNoneOfTheMeshsKeys() {
        MeshClientConfig config = MeshClientConfig.of("127.0.0.1:9092", "User:orders", URI.create("http://r/apis/registry/v2"), PASSWORD);

        var kafka = config.kafka();
        kafka.put("client.id", "changed by the caller");

        assertThat(config.kafka()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "bootstrap.servers", "127.0.0.1:9092",
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS));
        assertThat(config.with("client.id", "orders-app").kafka()).containsEntry("client.id", "orders-app");
        assertThat(config.registry()).isEqualTo(Map.of(
                "apicurio.registry.url", "http://r/apis/registry/v2",
                "apicurio.auth.username", "orders",
                "apicurio.auth.password", PASSWORD));
        assertThat(config.kafkaPrincipal()).isEqualTo("User:orders");
    }

    @Test
    void aUsersOwnKafkaConfigWithoutTheMeshsKeysTakesThePrincipalAndPasswordFromItsSaslLogin() throws Exception {
        String plainLogin = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"analytics\" password=\"" + PASSWORD + "\";";
        Path file = Files.write(dir.resolve("mine.properties"), List.of(
                "bootstrap.servers=broker.example:9094",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=" + plainLogin,
                "ssl.truststore.location=/etc/kafka/truststore.jks"));

        MeshClientConfig config = MeshClientConfig.load(file);

        assertThat(config.principal()).isEqualTo("analytics");
        assertThat(config.password().reveal()).isEqualTo(PASSWORD);
        assertThat(config.registryUrl()).isNull();
        assertThat(config.kafka()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", plainLogin).containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks");
        assertThatThrownBy(config::registry).isInstanceOf(MeshException.class)
                .hasMessage("the client config has no apicurio.registry.url (the registry's /apis/registry/v2 URL); "
                        + "add it, or use a config written by mesh up");
    }

    @Test
    void aConfigWithoutASaslLoginIsRefusedNamingTheKey() throws Exception {
        Path file = Files.write(dir.resolve("nologin.properties"), List.of("bootstrap.servers=127.0.0.1:9092"));

        assertThatThrownBy(() -> MeshClientConfig.load(file)).isInstanceOf(MeshException.class)
                .hasMessage("client config " + file + ": no username=\"...\" in sasl.jaas.config and no mesh.principal");
    }

    @Test
    void aSaslLoginWithoutAPasswordIsRefusedNamingTheKey() throws Exception {
        Path file = Files.write(dir.resolve("nopassword.properties"), List.of("bootstrap.servers=127.0.0.1:9092",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"orders\";"));

        assertThatThrownBy(() -> MeshClientConfig.load(file)).isInstanceOf(MeshException.class)
                .hasMessage("client config " + file + ": no password=\"...\" in sasl.jaas.config");
    }

    @Test
    void aConfigWithoutBootstrapServersIsRefusedNamingTheKey() throws Exception {
        Path file = Files.write(dir.resolve("nobootstrap.properties"), List.of("sasl.jaas.config=" + JAAS));

        assertThatThrownBy(() -> MeshClientConfig.load(file)).isInstanceOf(MeshException.class)
                .hasMessage("client config " + file + ": no bootstrap.servers");
    }

    @Test
    void aRegistryUrlThatIsNotAUrlIsRefusedNamingTheKey() throws Exception {
        Path file = Files.write(dir.resolve("badurl.properties"), List.of("bootstrap.servers=127.0.0.1:9092",
                "sasl.jaas.config=" + JAAS, "apicurio.registry.url=http://bad host/apis"));

        assertThatThrownBy(() -> MeshClientConfig.load(file)).isInstanceOf(MeshException.class)
                .hasMessage("client config " + file + ": apicurio.registry.url is not a URL: Illegal character in authority");
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("absent.properties");

        assertThatThrownBy(() -> MeshClientConfig.load(file)).isInstanceOf(MeshException.class)
                .hasMessage("client config " + file + " does not exist");
    }

    @Test
    void neitherToStringNorAnErrorShowsThePassword() throws Exception {
        String userLogin = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"Not_Kebab\" password=\"" + PASSWORD + "\";";
        Path badName = Files.write(dir.resolve("badname.properties"), List.of("bootstrap.servers=127.0.0.1:9092", "sasl.jaas.config=" + userLogin));
        MeshClientConfig config = MeshClientConfig.of("127.0.0.1:9092", "orders", URI.create("http://r/apis/registry/v2"), PASSWORD)
                .with("sasl.jaas.config", userLogin);

        assertThat(config.toString()).isEqualTo("MeshClientConfig[bootstrap=127.0.0.1:9092, principal=User:orders, "
                + "registryUrl=http://r/apis/registry/v2, extra=[sasl.jaas.config]]");
        assertThat(config.password()).hasToString("****");
        assertThat(MeshSerdes.registryLogin(config).toString()).doesNotContain(PASSWORD);
        assertThatThrownBy(() -> MeshClientConfig.load(badName)).isInstanceOf(MeshException.class)
                .hasMessageContaining("principal name 'Not_Kebab' must be lower-case kebab case")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
    }
}
