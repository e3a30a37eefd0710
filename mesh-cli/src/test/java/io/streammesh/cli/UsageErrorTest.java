package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsageErrorTest {

    @Test
    void aBadProductAddressIsAOneLineUsageError() {
        var retired = CommandRun.of("product", "retire", "Orders.x", "--state-dir", "no-such-state-dir");

        assertThat(retired.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(retired.err()).isEqualTo("mesh: 'Orders.x' is not a product address: expected <domain>.<product>.v<major> "
                + "(3 parts separated by dots), got 2 part(s)" + System.lineSeparator());
    }

    @Test
    void anAccessCommandWithoutAsIsAOneLineUsageError() {
        var listed = CommandRun.of("access", "list", "--state-dir", "no-such-state-dir");

        assertThat(listed.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(listed.err()).isEqualTo("mesh: say who you act as for access list: --as <principal> or --client-config <file>"
                + System.lineSeparator());
    }
}
