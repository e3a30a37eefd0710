package io.streammesh.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialCheckTest {

    @TempDir
    Path dir;

    @Test
    void provesThePrincipalOfABasicLoginWithItsBrokerPassword() {
        var file = dir.resolve("credentials");
        var check = CredentialCheck.againstBrokerFile(file);
        CredentialStore.at(file).put(new MeshPrincipal("analytics", PrincipalKind.TEAM), "team-secret");

        assertThat(principalOf(check, basic("analytics", "team-secret")))
                .as("a principal added while the check exists logs in at once")
                .contains(new MeshPrincipal("analytics", PrincipalKind.TEAM));
    }

    @Test
    void provesNothingForAWrongPasswordAnUnknownPrincipalOrNoHeader() {
        var file = dir.resolve("credentials");
        CredentialStore.at(file).put(new MeshPrincipal("analytics", PrincipalKind.TEAM), "team-secret");
        var check = CredentialCheck.againstBrokerFile(file);

        assertThat(principalOf(check, basic("analytics", "guess"))).isEmpty();
        assertThat(principalOf(check, basic("mallory", "team-secret"))).isEmpty();
        assertThat(principalOf(check, "Bearer analytics")).isEmpty();
        assertThat(principalOf(check, null)).isEmpty();
    }

    @Test
    void provesThePrincipalOfASignInFormsNameAndPasswordLikeABasicLogin() {
        var file = dir.resolve("credentials");
        CredentialStore.at(file).put(new MeshPrincipal("analytics", PrincipalKind.TEAM), "team-secret");
        var check = CredentialCheck.againstBrokerFile(file);

        assertThat(check.principalProvedBy(new BasicLogin("analytics", "team-secret"))).contains(new MeshPrincipal("analytics", PrincipalKind.TEAM));
        assertThat(check.principalProvedBy(new BasicLogin("analytics", "guess"))).isEmpty();
        assertThat(check.principalProvedBy(new BasicLogin("mallory", "team-secret"))).isEmpty();
    }

    private static String basic(String name, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPasswordCountsAsVerifiedBeforeOnlyOnceACheckFoundItTheOwnersWithoutDerivingItsHash() {
        var file = dir.resolve("credentials");
        CredentialStore.at(file).put(new MeshPrincipal("analytics", PrincipalKind.TEAM), "team-secret");
        var check = CredentialCheck.againstBrokerFile(file);
        BasicLogin right = BasicLogin.parse(basic("analytics", "team-secret")).orElseThrow();

        assertThat(check.principalVerifiedBefore(right)).isEmpty();
        assertThat(check.principalProvedBy(right)).isPresent();

        assertThat(check.principalVerifiedBefore(right)).contains(new MeshPrincipal("analytics", PrincipalKind.TEAM));
        assertThat(check.principalVerifiedBefore(BasicLogin.parse(basic("analytics", "guess")).orElseThrow())).isEmpty();

        CredentialStore.at(file).put(new MeshPrincipal("orders", PrincipalKind.DOMAIN), "domain-secret");
        assertThat(check.principalVerifiedBefore(right)).as("another principal added: still verified").isPresent();
        CredentialStore.at(file).put(new MeshPrincipal("analytics", PrincipalKind.TEAM), "rotated");
        assertThat(check.principalVerifiedBefore(right)).as("its own password changed").isEmpty();
    }

    private static Optional<MeshPrincipal> principalOf(CredentialCheck check, String authorization) {
        return BasicLogin.parse(authorization).flatMap(check::principalProvedBy);
    }
}
