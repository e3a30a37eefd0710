package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

/** SCRAM logins on the real broker with the salted password derived once per process ({@link ScramLogins}). */
@MeshTest
class ScramLoginsIT {

    @Test
    void aProcessDerivesAPasswordsSaltedFormOnceAndAWrongPasswordIsStillRefused(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addPrincipal("scram-logins", PrincipalKind.TEAM);
        MeshClientConfig config = mesh.clientConfig("scram-logins");
        assertThat(config.kafka().getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        ScramLogins.install();
        assertThat(ScramLogins.installed()).isTrue();

        int before = ScramLogins.derivations();
        for (int i = 0; i < 3; i++) {
            try (Admin admin = Admin.create(quick(config.kafka()))) {
                assertThat(admin.describeCluster().nodes().get(15, TimeUnit.SECONDS)).isNotEmpty();
            }
        }
        // Six logins (three clients, each to the bootstrap address and to the broker) derive once, where Kafka derives six
        // times; the count is the JVM's, and other principals' clients of the shared mesh may log in meanwhile (once each).
        assertThat(ScramLogins.derivations() - before).as("salted passwords derived for six logins").isBetween(1, 3);

        var wrong = new MeshClientConfig(config.bootstrap(), config.principal(), config.registryUrl(),
                new MeshClientConfig.Secret("not-" + config.password().reveal()), config.extra());
        try (Admin admin = Admin.create(quick(wrong.kafka()))) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    private static Properties quick(Properties props) {
        props.put("default.api.timeout.ms", "15000");
        props.put("request.timeout.ms", "10000");
        return props;
    }
}
