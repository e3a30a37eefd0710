package io.streammesh.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicLoginTest {

    @Test
    void aBasicHeaderGivesTheNameAndPassword() {
        assertThat(BasicLogin.parse(basic("analytics:s3cret:with:colons")))
                .contains(new BasicLogin("analytics", "s3cret:with:colons"));
        assertThat(BasicLogin.parse("basic " + Base64.getEncoder().encodeToString("orders:pw".getBytes(StandardCharsets.UTF_8))))
                .as("the scheme in any case").contains(new BasicLogin("orders", "pw"));
    }

    @Test
    void anythingElseIsNoLogin() {
        assertThat(BasicLogin.parse(null)).isEmpty();
        assertThat(BasicLogin.parse("Bearer abc")).isEmpty();
        assertThat(BasicLogin.parse("Basic not base64!")).isEmpty();
        assertThat(BasicLogin.parse(basic("no-separator"))).isEmpty();
        assertThat(BasicLogin.parse(basic(":no-name"))).isEmpty();
        assertThat(BasicLogin.parse(basic("Not A Principal:pw"))).isEmpty();
    }

    @Test
    void itNeverShowsThePassword() {
        assertThat(new BasicLogin("analytics", "s3cret")).hasToString("BasicLogin[analytics]");
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }
}
