package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageErrorTest {

    @Test
    void aBadProductAddressIsAOneLineUsageError() {
        var retired = CommandRun.of("product", "retire", "Orders.x", "--state-dir", "no-such-state-dir");

        assertThat(retired.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(retired.err()).isEqualTo("mesh: Invalid value for positional parameter at index 0 (ADDRESS): 'Orders.x' is not a "
                + "product address: expected <domain>.<product>.v<major> (3 parts separated by dots), got 2 part(s) "
                + "(see: mesh product retire --help)" + System.lineSeparator());
    }

    @Test
    void fewerThanOneInstanceOfEachAppIsAUsageErrorBeforeAnythingStarts() {
        var up = CommandRun.of("up", "--instances", "0", "--state-dir", "no-such-state-dir");

        assertThat(up.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(up.err()).startsWith("mesh: --instances must be at least 1, got 0");
    }

    @Test
    void everyCommandTakingAnAddressReadsItWithTheSameConverter() {
        Map<String, List<String>> commands = Map.of(
                "mesh catalog show", List.of("catalog", "show", "orders"),
                "mesh catalog lineage", List.of("catalog", "lineage", "orders"),
                "mesh produce", List.of("produce", "orders", "--file", "-"),
                "mesh access request", List.of("access", "request", "orders", "--view", "v", "--group", "g", "--purpose", "p"));
        commands.forEach((command, args) -> {
            var run = CommandRun.of(args.toArray(String[]::new));

            assertThat(run.exitCode()).as(command).isEqualTo(Mesh.USAGE);
            assertThat(run.err()).isEqualTo("mesh: Invalid value for positional parameter at index 0 (ADDRESS): 'orders' is not a product "
                    + "address: expected <domain>.<product>.v<major> (3 parts separated by dots), got 1 part(s) (see: " + command + " --help)"
                    + System.lineSeparator());
        });
    }

    @Test
    void aBadDurationIsAOneLineUsageErrorNamingTheOption() {
        var produced = CommandRun.of("produce", "orders.order-placed.v1", "--file", "-", "--outage-wait", "soon");

        assertThat(produced.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(produced.err()).isEqualTo("mesh: Invalid value for option '--outage-wait': 'soon' is not a duration; write e.g. 30s, 5m, "
                + "12h, 30d or 2w (see: mesh produce --help)" + System.lineSeparator());
    }

    @Test
    void anAccessCommandWithoutAsIsAOneLineUsageError() {
        var listed = CommandRun.of("access", "list", "--state-dir", "no-such-state-dir");

        assertThat(listed.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(listed.err()).isEqualTo("mesh: say who you act as for access list: --as <principal> or --client-config <file>"
                + System.lineSeparator());
    }
}
