package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.client.MeshClientConfig.Secret;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PortalSessionsTest {

    private static final MeshPrincipal ANALYTICS = new MeshPrincipal("analytics", PrincipalKind.TEAM);
    private static final MeshPrincipal ORDERS = new MeshPrincipal("orders", PrincipalKind.DOMAIN);
    private static final Secret PASSWORD = new Secret("a-password");

    private final MovableClock clock = new MovableClock();

    @Test
    void aSessionEndsAfterItsLifetimeWhateverHappens() {
        var sessions = new PortalSessions(Duration.ofHours(8), 10, 5, clock);
        PortalSession session = sessions.open(ANALYTICS, PASSWORD).orElseThrow();

        clock.advance(Duration.ofHours(8).minusSeconds(1));
        assertThat(sessions.find(session.id())).contains(session);
        clock.advance(Duration.ofSeconds(1));
        assertThat(sessions.find(session.id())).isEmpty();
    }

    @Test
    void idsAndTokensAreRandomAndAnIdTheStoreDidNotIssueNamesNoSession() {
        var sessions = new PortalSessions(Duration.ofHours(8), 10, 5, clock);
        PortalSession first = sessions.open(ANALYTICS, PASSWORD).orElseThrow();
        PortalSession second = sessions.open(ANALYTICS, PASSWORD).orElseThrow();

        assertThat(first.id()).hasSize(43).isNotEqualTo(second.id()).isNotEqualTo(first.csrfToken());
        assertThat(first.csrfToken()).isNotEqualTo(second.csrfToken());
        assertThat(sessions.find("chosen-by-an-attacker")).isEmpty();
        assertThat(sessions.find(null)).isEmpty();
        assertThat(first.toString()).doesNotContain(first.id(), first.csrfToken());
    }

    @Test
    void aPrincipalSigningInOnceTooOftenEndsItsOldestSessionNotAnotherPrincipals() {
        var sessions = new PortalSessions(Duration.ofHours(8), 10, 2, clock);
        PortalSession oldest = sessions.open(ANALYTICS, PASSWORD).orElseThrow();
        clock.advance(Duration.ofSeconds(1));
        PortalSession newer = sessions.open(ANALYTICS, PASSWORD).orElseThrow();
        PortalSession others = sessions.open(ORDERS, PASSWORD).orElseThrow();
        clock.advance(Duration.ofSeconds(1));

        PortalSession newest = sessions.open(ANALYTICS, PASSWORD).orElseThrow();

        assertThat(sessions.find(oldest.id())).isEmpty();
        assertThat(sessions.find(newer.id())).contains(newer);
        assertThat(sessions.find(newest.id())).contains(newest);
        assertThat(sessions.find(others.id())).contains(others);
    }

    @Test
    void aFullStoreRefusesASignInRatherThanEndSomeoneElsesSessionUntilSessionsExpire() {
        var sessions = new PortalSessions(Duration.ofHours(8), 1, 5, clock);
        PortalSession orders = sessions.open(ORDERS, PASSWORD).orElseThrow();

        assertThat(sessions.open(ANALYTICS, PASSWORD)).isEmpty();
        assertThat(sessions.find(orders.id())).contains(orders);
        clock.advance(Duration.ofHours(8));
        assertThat(sessions.open(ANALYTICS, PASSWORD)).isPresent();
    }

    @Test
    void theCsrfTokenIsAcceptedOnlyWhole() {
        PortalSession session = new PortalSessions(Duration.ofHours(8), 10, 5, clock).open(ANALYTICS, PASSWORD).orElseThrow();

        assertThat(session.acceptsCsrfToken(session.csrfToken())).isTrue();
        assertThat(session.acceptsCsrfToken(session.csrfToken().substring(1))).isFalse();
        assertThat(session.acceptsCsrfToken(session.csrfToken() + "x")).isFalse();
        assertThat(session.acceptsCsrfToken(null)).isFalse();
    }
}
