package io.streammesh.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.client.AuditSql;
import io.streammesh.client.MeshClientConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The engine the portal finds (embedded Flink, so an IT: tens of seconds under load): rows kept up to the limit, a run stopped at its time, found by ServiceLoader. */
class AuditSqlEngineIT {

    /** VALUES reads no topic: no broker or registry is asked, so none needs to listen. */
    private static final MeshClientConfig NOWHERE = MeshClientConfig.of("127.0.0.1:9", "inspector",
            URI.create("http://127.0.0.1:9/apis/registry/v2"), "unused");

    @Test
    void theEngineIsFoundOnTheClassPathAsAnAuditSqlService() {
        assertThat(ServiceLoader.load(AuditSql.class).findFirst()).containsInstanceOf(AuditSqlEngine.class);
    }

    @Test
    void rowsPastTheLimitAreLeftOutAndTheResultSaysSo() {
        AuditSql.Result result = new AuditSqlEngine().run(NOWHERE, "SELECT n, CAST(NULL AS STRING) AS nothing FROM (VALUES (1), (2), (3)) AS t(n)",
                2, Duration.ofMinutes(2));

        assertThat(result.columns()).containsExactly("n", "nothing");
        assertThat(result.rows()).hasSize(2);
        assertThat(result.rows().get(0)).containsExactly("1", null);
        assertThat(result.truncated()).isTrue();
    }

    @Test
    void aResultWithinTheLimitIsWhole() {
        AuditSql.Result result = new AuditSqlEngine().run(NOWHERE, "SELECT 'x' AS a", 2, Duration.ofMinutes(2));

        assertThat(result.rows()).containsExactly(List.of("x"));
        assertThat(result.truncated()).isFalse();
    }

    @Test
    void aQueryPastItsRunTimeIsStoppedWithAOneLineReason() {
        assertThatThrownBy(() -> new AuditSqlEngine().run(NOWHERE, "SELECT 'x' AS a", 10, Duration.ofMillis(1)))
                .isInstanceOf(AuditSql.Refused.class)
                .hasMessage("the query ran longer than 1 ms and was stopped; narrow it down");
        assertThat(Thread.currentThread().isInterrupted()).as("the limit's interrupt does not outlive the run").isFalse();
    }

    @Test
    void aStatementTheEngineRefusesIsRefusedWithItsReason() {
        assertThatThrownBy(() -> new AuditSqlEngine().run(NOWHERE, "INSERT INTO audit SELECT * FROM audit", 10, Duration.ofMinutes(2)))
                .isInstanceOf(AuditSql.Refused.class)
                .hasMessage("mesh audit query runs one SELECT (or WITH … SELECT, a UNION of SELECTs) and nothing else; this is INSERT INTO");
    }

    /** The portal runs several people's queries at once, each in an engine of its own: no run sees another's rows. */
    @Test
    void queriesRunningTogetherEachGetTheirOwnRows() throws Exception {
        var engine = new AuditSqlEngine();
        var runners = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<List<List<String>>>> runs = new java.util.ArrayList<>();
            List<String> tags = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String tag = "run-" + i;
                tags.add(tag);
                runs.add(runners.submit(() -> engine.run(NOWHERE, "SELECT '" + tag + "' AS a, n FROM (VALUES (1), (2)) AS t(n)", 10,
                        Duration.ofMinutes(2)).rows()));
            }
            for (int i = 0; i < runs.size(); i++) {
                assertThat(runs.get(i).get()).as("the rows of " + tags.get(i)).containsExactly(List.of(tags.get(i), "1"), List.of(tags.get(i), "2"));
            }
        } finally {
            runners.shutdownNow();
        }
    }
}
