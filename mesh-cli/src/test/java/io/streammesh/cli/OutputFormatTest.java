package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
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

    @Test
    void statusAndAuditVerifyPrintOneItemSoCsvIsAOneLineUsageError() {
        var status = CommandRun.of("status", "--format", "csv", "--state-dir", "no-such-state-dir");
        var verify = CommandRun.of("audit", "verify", "-o", "CSV", "--state-dir", "no-such-state-dir");

        assertThat(status.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(status.err()).isEqualTo("mesh: --format csv: mesh status prints one item, not rows; use table or json "
                + "(see: mesh status --help)" + System.lineSeparator());
        assertThat(verify.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(verify.err()).isEqualTo("mesh: --format csv: mesh audit verify prints one item, not rows; use table or json "
                + "(see: mesh audit verify --help)" + System.lineSeparator());
    }

    @Test
    void everyCommandPrintingDataTakesTheSameFormatOptionInAnyCase() {
        for (String[] command : new String[][] {{"principal", "list"}, {"status"}, {"audit", "verify"}, {"audit", "query", "SELECT 1"},
                {"catalog", "search"}, {"access", "list"}}) {
            var args = new java.util.ArrayList<>(List.of(command));
            args.addAll(List.of("--format", "Yaml"));
            var run = CommandRun.of(args.toArray(String[]::new));

            assertThat(run.exitCode()).as(String.join(" ", command)).isEqualTo(Mesh.USAGE);
            assertThat(run.err()).isEqualTo("mesh: Invalid value for option '--format': expected one of [table, json, csv] "
                    + "(case-insensitive) but was 'Yaml' (see: mesh " + String.join(" ", command).replace(" SELECT 1", "") + " --help)"
                    + System.lineSeparator());
        }
    }
}
