package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.AuditSql;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The portal's audit queries beside the requests: bounded, kept for their asker only, and said in one line when they fail. */
class AuditQueriesTest {

    private static final MeshPrincipal AUDITOR = new MeshPrincipal("inspector", PrincipalKind.AUDITOR);
    private static final MeshPrincipal OTHER = new MeshPrincipal("mesh-admin", PrincipalKind.ADMIN);
    private static final MeshClientConfig AS_AUDITOR = MeshClientConfig.of("127.0.0.1:9", "inspector",
            URI.create("http://127.0.0.1:9/apis/registry/v2"), "secret");
    private static final AuditSql.Result ONE_ROW = new AuditSql.Result(List.of("principal"), List.of(List.of("User:x")), false);

    private final MovableClock clock = new MovableClock();

    @Test
    void aQueryRunsBesideTheRequestAndIsDoneLater() {
        var release = new CountDownLatch(1);
        try (var queries = queries((principal, sql, rows, time) -> {
            hold(release);
            return ONE_ROW;
        }, 1, 1)) {
            AuditQueries.Query started = queries.start(AS_AUDITOR, AUDITOR, "SELECT principal FROM audit");
            assertThat(started.running()).isTrue();

            release.countDown();
            AuditQueries.Query done = await().atMost(Duration.ofSeconds(30))
                    .until(() -> queries.find(started.id(), AUDITOR).orElseThrow(), q -> !q.running());
            assertThat(done.state()).isEqualTo(AuditQueries.State.DONE);
            assertThat(done.result()).isEqualTo(ONE_ROW);
        }
    }

    @Test
    void pastTheRunnersAndTheQueueANewQueryIsRefusedAndAStandingOneSaysWhy() {
        var release = new CountDownLatch(1);
        try (var queries = queries((principal, sql, rows, time) -> {
            hold(release);
            return ONE_ROW;
        }, 1, 1)) {
            queries.start(AS_AUDITOR, AUDITOR, "SELECT 1");
            queries.start(AS_AUDITOR, AUDITOR, "SELECT 2");

            assertThatThrownBy(() -> queries.start(AS_AUDITOR, AUDITOR, "SELECT 3")).isInstanceOf(ApiError.class)
                    .hasMessage("the portal runs 1 audit queries at once and 1 are waiting: try again when one has ended");
            AuditQueries.Query standing = queries.standing(AS_AUDITOR, AUDITOR, "SELECT 4", Duration.ofSeconds(30));
            assertThat(standing.state()).isEqualTo(AuditQueries.State.FAILED);
            assertThat(standing.reason()).startsWith("the portal runs 1 audit queries at once");
            release.countDown();
        }
    }

    @Test
    void aQueryIsFoundByItsAskerOnly() {
        try (var queries = queries((principal, sql, rows, time) -> ONE_ROW, 1, 1)) {
            AuditQueries.Query started = queries.start(AS_AUDITOR, AUDITOR, "SELECT principal FROM audit");

            assertThat(queries.find(started.id(), AUDITOR)).isPresent();
            assertThat(queries.find(started.id(), OTHER)).isEmpty();
            assertThat(queries.find("no-such-id", AUDITOR)).isEmpty();
        }
    }

    @Test
    void aStandingQueryRunsAgainOnlyOnceItsAnswerIsOlderThanFresh() {
        try (var queries = queries((principal, sql, rows, time) -> ONE_ROW, 1, 1)) {
            AuditQueries.Query first = queries.standing(AS_AUDITOR, AUDITOR, "SELECT 1", Duration.ofSeconds(30));
            clock.advance(Duration.ofSeconds(10));
            assertThat(queries.standing(AS_AUDITOR, AUDITOR, "SELECT 1", Duration.ofSeconds(30)).id()).isEqualTo(first.id());
            assertThat(queries.standing(AS_AUDITOR, OTHER, "SELECT 1", Duration.ofSeconds(30)).id()).as("another asker's").isNotEqualTo(first.id());

            await().atMost(Duration.ofSeconds(30)).until(() -> !queries.find(first.id(), AUDITOR).orElseThrow().running());
            clock.advance(Duration.ofSeconds(30));
            assertThat(queries.standing(AS_AUDITOR, AUDITOR, "SELECT 1", Duration.ofSeconds(30)).id()).isNotEqualTo(first.id());
        }
    }

    @Test
    void theEnginesRefusalIsTheQuerysReasonAndABrokenEngineIsSaidInOneLine() {
        try (var queries = queries((principal, sql, rows, time) -> {
            if (sql.contains("refused")) {
                throw new AuditSql.Refused("not authorised to read the audit trail", null);
            }
            throw new IllegalStateException("MiniCluster gone\n\tat somewhere");
        }, 1, 2)) {
            String refused = queries.start(AS_AUDITOR, AUDITOR, "SELECT refused").id();
            String broken = queries.start(AS_AUDITOR, AUDITOR, "SELECT broken").id();

            assertThat(await().atMost(Duration.ofSeconds(30)).until(() -> queries.find(refused, AUDITOR).orElseThrow(), q -> !q.running()).reason())
                    .isEqualTo("not authorised to read the audit trail");
            assertThat(await().atMost(Duration.ofSeconds(30)).until(() -> queries.find(broken, AUDITOR).orElseThrow(), q -> !q.running()).reason())
                    .isEqualTo("the query engine failed: IllegalStateException: MiniCluster gone");
        }
    }

    @Test
    void withoutAnEngineAQueryIsRefusedNamingTheCommandThatRunsIt() {
        try (var queries = new AuditQueries(Optional.empty(), 1, 1, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), clock)) {
            assertThat(queries.available()).isFalse();
            assertThatThrownBy(() -> queries.start(AS_AUDITOR, AUDITOR, "SELECT 1")).isInstanceOf(ApiError.class)
                    .hasMessage("this catalog runs without the audit query engine (audit-query is not on its class path): use mesh audit query");
        }
    }

    private AuditQueries queries(AuditSql engine, int running, int queued) {
        return new AuditQueries(Optional.of(engine), running, queued, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), clock);
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
