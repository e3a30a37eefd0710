package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh audit verify|query} as an auditor uses them. */
@MeshTest
class AuditCommandsIT {

    @TempDir
    Path dir;

    @Test
    void anAuditorFindsARefusedReadWithSqlAndProvesTheTrailIntact(EmbeddedMesh mesh) {
        String state = mesh.state().root().toString();
        mesh.onboarding().ensurePrincipal("cli-snoop", PrincipalKind.TEAM);
        KafkaCalls.createMissing(mesh.admin(), List.of(new NewTopic("cli-audit.secret.v1", 1, (short) 1)));
        try (AuditApp audit = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), dir))) {
            try (var consumer = new KafkaConsumer<>(mesh.clientConfig("cli-snoop").kafka(),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.assign(List.of(new TopicPartition("cli-audit.secret.v1", 0)));
                assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(TopicAuthorizationException.class);
            }

            String sql = "SELECT principal, resource_name, decision FROM audit WHERE principal = 'User:cli-snoop' "
                    + "AND resource_name = 'cli-audit.secret.v1' GROUP BY principal, resource_name, decision";
            CommandRun found = await().atMost(Duration.ofSeconds(60))
                    .until(() -> CommandRun.of("audit", "query", sql, "--since", "10m", "--format", "csv", "--state-dir", state),
                            run -> run.out().contains("User:cli-snoop"));
            assertThat(found.exitCode()).as(found.err()).isZero();
            assertThat(found.out().lines()).containsExactly("principal,resource_name,decision", "User:cli-snoop,cli-audit.secret.v1,DENIED");

            // at a terminal (the launcher says so): a spinner on standard error while the query runs, gone before the first row
            System.setProperty(Spinner.TERMINAL_PROPERTY, "true");
            CommandRun spun;
            try {
                spun = CommandRun.of("audit", "query", sql, "--since", "10m", "--format", "csv", "--state-dir", state);
            } finally {
                System.clearProperty(Spinner.TERMINAL_PROPERTY);
            }
            assertThat(spun.exitCode()).as(spun.err()).isZero();
            assertThat(spun.out().lines()).containsExactly("principal,resource_name,decision", "User:cli-snoop,cli-audit.secret.v1,DENIED");
            assertThat(spun.err()).doesNotContain("\n").matches("(?s)\r\\| running the query \\(0 s\\).*\r {24,}\r");

            CommandRun failing = CommandRun.of("audit", "query", "SELECT CAST(CONCAT('n', principal) AS INT) FROM audit "
                    + "WHERE principal = 'User:cli-snoop'", "--since", "10m", "--state-dir", state);
            assertThat(failing.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(failing.err()).as("the root cause, not Flink's wrappers").isEqualTo("mesh: the query failed: "
                    + "For input string: 'nUser:cli-snoop'. Invalid character found." + System.lineSeparator());

            CommandRun verified = CommandRun.of("audit", "verify", "--state-dir", state);
            assertThat(verified.exitCode()).as(verified.err()).isZero();
            assertThat(verified.out()).startsWith("mesh.audit is intact: ");
            CommandRun verifiedJson = CommandRun.of("audit", "verify", "-o", "json", "--state-dir", state);
            assertThat(verifiedJson.exitCode()).as(verifiedJson.err()).isZero();
            assertThat(verifiedJson.out()).startsWith("{").contains("\"intact\" : true", "\"partitions\" : {");
        }
    }

    @Test
    void aTeamTheBrokerDoesNotLetReadTheAuditTrailIsToldSoInOneLine(EmbeddedMesh mesh) {
        mesh.onboarding().ensurePrincipal("cli-outsider", PrincipalKind.TEAM);

        CommandRun outsider = CommandRun.of("audit", "query", "SELECT principal, reason FROM audit", "--as", "cli-outsider",
                "--state-dir", mesh.state().root().toString());

        assertThat(outsider.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(outsider.err()).isEqualTo("mesh: the query failed: not authorised to read the audit trail: the broker refused "
                + "User:cli-outsider (Topic authorization failed.)" + System.lineSeparator());
    }

    @Test
    void aQueryTheEngineRefusesEndsWithItsReasonOnOneLine(EmbeddedMesh mesh) {
        String state = mesh.state().root().toString();

        CommandRun unknownColumn = CommandRun.of("audit", "query", "SELECT secret_sauce FROM audit", "--state-dir", state);
        assertThat(unknownColumn.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(unknownColumn.err()).isEqualTo("mesh: the query failed: From line 1, column 8 to line 1, column 19: "
                + "Column 'secret_sauce' not found in any table" + System.lineSeparator());

        CommandRun createTable = CommandRun.of("audit", "query", "CREATE TABLE loot (principal STRING) WITH ('connector' = 'filesystem', "
                + "'path' = '" + dir.resolve("loot").toUri() + "', 'format' = 'csv')", "--state-dir", state);
        assertThat(createTable.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(createTable.err()).isEqualTo("mesh: the query failed: mesh audit query runs one SELECT (or WITH … SELECT, a UNION of SELECTs) "
                + "and nothing else; this is CREATE TABLE" + System.lineSeparator());
        assertThat(dir.resolve("loot")).doesNotExist();

        CommandRun csvInCapitals = CommandRun.of("audit", "query", "SELECT principal FROM audit WHERE principal = 'User:nobody-at-all'",
                "--format", "CSV", "--state-dir", state);
        assertThat(csvInCapitals.exitCode()).as(csvInCapitals.err()).isZero();
        assertThat(csvInCapitals.out().lines()).containsExactly("principal");

        CommandRun followUntil = CommandRun.of("audit", "query", "SELECT * FROM audit", "--follow", "--until", "1h", "--state-dir", state);
        assertThat(followUntil.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(followUntil.err()).contains("--follow and --until do not go together");

        CommandRun badSince = CommandRun.of("audit", "query", "SELECT * FROM audit", "--since", "yesterday", "--state-dir", state);
        assertThat(badSince.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(badSince.err()).isEqualTo("mesh: Invalid value for option '--since': 'yesterday' is neither a time nor a duration; "
                + WhenConverter.FORMS + " (see: mesh audit query --help)" + System.lineSeparator());
    }
}
