package io.streammesh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.authorizer.AuditAuthorizerConfig;
import io.streammesh.authorizer.AuditingAuthorizer;
import io.streammesh.embedded.PlainCredentialCallbackHandler;
import io.streammesh.embedded.StateDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerContainerTest {

    private final StateDirectory state = new StateDirectory(Path.of("/tmp/streammesh-test-1"));
    private final Map<String, String> props = BrokerContainer.serverProperties(state, "localhost", 40123, "s3cret");

    @Test
    void everyListenerSpeaksSaslAndTheTestsReachTheMappedPort() {
        assertThat(props).containsEntry("listener.security.protocol.map",
                        "CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
                .containsEntry("listeners", "CLIENT://0.0.0.0:9092,INTERNAL://0.0.0.0:9093,CONTROLLER://0.0.0.0:9094")
                .containsEntry("advertised.listeners", "CLIENT://localhost:40123,INTERNAL://localhost:9093")
                .containsEntry("inter.broker.listener.name", "INTERNAL")
                .containsEntry("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512")
                .containsEntry("listener.name.client.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }

    @Test
    void plainIsCheckedAgainstTheMountedCredentialStoreOnEveryListener() {
        for (String listener : new String[] {"client", "internal", "controller"}) {
            assertThat(props).containsEntry("listener.name." + listener + ".plain.sasl.server.callback.handler.class",
                            PlainCredentialCallbackHandler.class.getName())
                    .containsEntry("listener.name." + listener + ".plain.sasl.jaas.config",
                            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"mesh-admin\""
                                    + " password=\"s3cret\" credentials.file=\"" + state.credentials() + "\";");
        }
    }

    @Test
    void deniesByDefaultWithMeshAdminTheOnlySuperUserAndAuditsEveryDecision() {
        assertThat(props).containsEntry("authorizer.class.name", AuditingAuthorizer.class.getName())
                .containsEntry("super.users", "User:mesh-admin")
                .containsEntry("allow.everyone.if.no.acl.found", "false")
                .containsEntry("auto.create.topics.enable", "false")
                .containsEntry(AuditAuthorizerConfig.CLIENT_CONFIG, "/tmp/streammesh-test-1/broker/audit-client.properties")
                .containsEntry(AuditAuthorizerConfig.SPOOL_DIR, state.auditSpool().toString())
                .containsEntry("log.dirs", state.kafka().toString());
    }

    @Test
    void theAuditShipperWritesAsMeshAdminInsideTheContainersNetwork() {
        var config = BrokerContainer.auditClientConfig("s3cret");

        assertThat(config.bootstrap()).isEqualTo("localhost:9093");
        assertThat(config.principal()).isEqualTo("mesh-admin");
        assertThat(config.registryUrl()).hasToString("http://mesh-registry:8080/apis/registry/v2");
    }

    @Test
    void theContainerFormatsItsLogDirectoryOnceThenStarts() {
        assertThat(BrokerContainer.command(Path.of("/s/broker/server.properties"), "abc")).containsExactly("sh", "-c",
                "/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t abc -c /s/broker/server.properties"
                        + " && exec /opt/kafka/bin/kafka-server-start.sh /s/broker/server.properties");
    }

    @Test
    void thePluginsAndTheirDependenciesComeFromThisClasspath() {
        var classpath = BrokerContainer.pluginClasspath();

        assertThat(classpath).allMatch(Files::exists).doesNotHaveDuplicates();
        assertThat(classpath).anyMatch(path -> path.toString().contains("audit-authorizer"))
                .anyMatch(path -> path.toString().contains("embedded-mesh"))
                .anyMatch(path -> path.toString().contains("credentials"))
                .anyMatch(path -> path.getFileName().toString().startsWith("avro-"));
        assertThat(classpath).filteredOn(path -> path.getFileName().toString().startsWith("apicurio-"))
                .extracting(path -> path.getFileName().toString().replaceAll("-[0-9.]+Final\\.jar$", ""))
                .containsExactlyInAnyOrder("apicurio-registry-serdes-avro-serde", "apicurio-registry-serde-common",
                        "apicurio-registry-schema-resolver", "apicurio-registry-client", "apicurio-registry-common",
                        "apicurio-common-rest-client-common", "apicurio-common-rest-client-jdk");
        assertThat(classpath).noneMatch(path -> path.getFileName().toString().startsWith("kafka"));
    }
}
