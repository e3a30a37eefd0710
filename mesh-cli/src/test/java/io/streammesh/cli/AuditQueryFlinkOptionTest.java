package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditQueryFlinkOptionTest {

    @Test
    void aFlinkAddressThatIsNotHostAndPortIsAUsageErrorNamingIt() {
        CommandRun run = CommandRun.of("audit", "query", "SELECT * FROM audit", "--flink", "jobmanager", "--state-dir", "no-such-mesh");

        assertThat(run.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(run.err()).startsWith("mesh: --flink wants the JobManager's REST address as host:port, not jobmanager");
        assertThat(run.out()).isEmpty();
    }
}
