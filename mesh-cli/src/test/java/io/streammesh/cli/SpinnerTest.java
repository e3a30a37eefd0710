package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpinnerTest {

    @Test
    void aSpinnerTurnsOnOneLineAndBlanksItWhenClosed() {
        var err = new StringWriter();
        var spinner = Spinner.startOn(new PrintWriter(err), "running the query", Duration.ofMillis(5));

        await().atMost(Duration.ofSeconds(10)).until(() -> err.toString().contains("\r/ running the query ("));
        spinner.close();

        assertThat(err.toString()).doesNotContain("\n")
                .matches("(?s)\r\\| running the query \\(\\d+ s\\)\r/ running the query .*\r {24,}\r");
    }

    @Test
    void withoutATerminalOnStandardErrorTheSpinnerSaysNothing() {
        var err = new StringWriter();

        Spinner.start(new PrintWriter(err), "running the query").close();

        assertThat(err.toString()).isEmpty();
    }
}
