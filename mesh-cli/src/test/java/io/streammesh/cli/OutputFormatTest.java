package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class OutputFormatTest {

    @Test
    void aTableAsCsvHasAHeaderRowAndQuotesCellsHoldingCommasOrQuotes() {
        var text = new StringWriter();

        new Table("GRANT", "PURPOSE").row("g-1", "dashboards, weekly").row("g-2", "say \"hi\"").print(new PrintWriter(text), OutputFormat.csv);

        assertThat(text.toString().lines()).containsExactly("GRANT,PURPOSE", "g-1,\"dashboards, weekly\"", "g-2,\"say \"\"hi\"\"\"");
    }

    @Test
    void csvForACommandPrintingOneProductIsAOneLineUsageError() {
        var shown = CommandRun.of("catalog", "show", "shop.orders.v1", "-o", "csv", "--state-dir", "no-such-state-dir");

        assertThat(shown.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(shown.err()).isEqualTo("mesh: --format csv: mesh catalog show prints one item, not rows; use table or json "
                + "(see: mesh catalog show --help)" + System.lineSeparator());
    }

    @Test
    void anUnknownFormatIsAOneLineUsageErrorListingTheFormats() {
        var searched = CommandRun.of("catalog", "search", "orders", "--format", "xml", "--state-dir", "no-such-state-dir");

        assertThat(searched.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(searched.err()).isEqualTo("mesh: Invalid value for option '--format': expected one of [table, json, csv] "
                + "(case-insensitive) but was 'xml' (see: mesh catalog search --help)" + System.lineSeparator());
    }
}
