package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class WhenConverterTest {

    private final WhenConverter converter = new WhenConverter();

    @Test
    void aUtcTimeIsThatTime() {
        assertThat(converter.convert("2026-11-25T10:00:00Z")).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
    }

    @Test
    void aDurationIsThatLongBeforeNow() {
        Instant before = Instant.now().minus(Duration.ofHours(1));

        Instant since = converter.convert("1h");

        assertThat(since).isBetween(before, Instant.now().minus(Duration.ofHours(1)));
    }

    @Test
    void aWordIsRefusedShowingBothAcceptedForms() {
        assertThatThrownBy(() -> converter.convert("yesterday")).isInstanceOf(TypeConversionException.class)
                .hasMessage("'yesterday' is neither a time nor a duration; give a duration back from now (30s, 5m, 12h, 7d, 2w) "
                        + "or a UTC time (2026-11-25T10:00:00Z)");
    }

    @Test
    void anUnparsableSinceOrUntilIsAOneLineUsageErrorBeforeAnythingIsRead() {
        var since = CommandRun.of("audit", "query", "SELECT * FROM audit", "--since", "yesterday", "--state-dir", "no-such-state-dir");
        var until = CommandRun.of("audit", "query", "SELECT * FROM audit", "--until", "2026-11-25 10:00", "--state-dir", "no-such-state-dir");

        assertThat(since.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(since.err()).isEqualTo("mesh: Invalid value for option '--since': 'yesterday' is neither a time nor a duration; "
                + WhenConverter.FORMS + " (see: mesh audit query --help)" + System.lineSeparator());
        assertThat(until.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(until.err()).isEqualTo("mesh: Invalid value for option '--until': '2026-11-25 10:00' is neither a time nor a duration; "
                + WhenConverter.FORMS + " (see: mesh audit query --help)" + System.lineSeparator());
    }
}
