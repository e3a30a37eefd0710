package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngestRetentionTextTest {

    @Test
    void catalogShowWritesAnIngestRetentionInItsLargestWholeUnit() {
        assertThat(CatalogCommand.retention(Duration.ofDays(1).toMillis())).isEqualTo("1 d");
        assertThat(CatalogCommand.retention(Duration.ofHours(2).toMillis())).isEqualTo("2 h");
        assertThat(CatalogCommand.retention(Duration.ofHours(36).toMillis())).isEqualTo("36 h");
        assertThat(CatalogCommand.retention(Duration.ofMinutes(30).toMillis())).isEqualTo("30 min");
        assertThat(CatalogCommand.retention(Duration.ofSeconds(45).toMillis())).isEqualTo("45 s");
    }
}
