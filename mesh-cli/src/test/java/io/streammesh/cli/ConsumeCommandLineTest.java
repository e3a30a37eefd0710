package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code mesh consume} refuses before it connects: each a usage error (exit 2) in one line. */
class ConsumeCommandLineTest {

    @Test
    void aViewHasNoDefaultReaderSoTheCommandSaysWhoToName() {
        var run = CommandRun.of("consume", "mesh.view.orders.order-placed.v1.analytics");

        assertThat(run.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("mesh: say who reads mesh.view.orders.order-placed.v1.analytics with --as PRINCIPAL "
                + "(e.g. the team holding a grant on it) or --client-config FILE\n");
    }

    @Test
    void aMaxBelowOneIsAUsageError() {
        var run = CommandRun.of("consume", "orders.order-placed.v1", "--max", "0");

        assertThat(run.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(run.err()).isEqualTo("mesh: --max must be at least 1, not 0 (see: mesh consume --help)\n");
    }

    @Test
    void csvIsNoFormatForRecords() {
        var run = CommandRun.of("consume", "orders.order-placed.v1", "-o", "csv");

        assertThat(run.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(run.err()).isEqualTo("mesh: --format csv: mesh consume prints records as json or table (see: mesh consume --help)\n");
    }

    @Test
    void aNameThatIsNoTopicIsAUsageError() {
        var run = CommandRun.of("consume", "orders order");

        assertThat(run.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(run.err()).startsWith("mesh: not a topic: ");
    }
}
