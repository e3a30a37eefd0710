package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import io.streammesh.embedded.PlatformAcls;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line prints is safe for a terminal and says in one line what is wrong: data
 * written by another principal cannot print a row that is not there or send escape sequences to
 * the reader's terminal; a wrong option, a broken contract or a refusal is one line.
 */
@MeshTest
class CommandLineSafetyIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "orders");
    /** A second row, then: set the terminal's title, erase the line, red (8-bit CSI). */
    private static final String FAKE_ROW = "x\nr-0  APPROVED\u001b]0;owned\u0007\u001b[2K\u009b31m";

    @TempDir
    Path dir;

    @Test
    void aPurposeWithANewlineAndEscapeSequencesIsListedOnOneRowWithTheEscapesVisible(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("tty-shop");
        mesh.onboarding().ensurePrincipal("tty-team", PrincipalKind.TEAM);
        String state = mesh.state().root().toString();
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                mesh.state().credentials(), 0))) {
            String url = catalog.restUrl();
            var published = CommandRun.of("product", "publish", contract("tty-shop").toString(), "--state-dir", state);
            assertThat(published.exitCode()).as(published.err()).isZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> CommandRun.of("catalog", "show", "tty-shop.order-placed.v1", "--as", "tty-team",
                    "--catalog-url", url, "--state-dir", state).exitCode() == Mesh.OK);

            var requested = CommandRun.of("access", "request", "tty-shop.order-placed.v1", "--view", "analytics", "--group", "tty-team",
                    "--purpose", FAKE_ROW, "--as", "tty-team", "--state-dir", state);
            assertThat(requested.out() + requested.err()).doesNotContain("\u001b", "\u009b");
            if (requested.exitCode() != Mesh.OK) {
                assertThat(requested.err().lines()).as("refused where the mesh limits purposes: one line").hasSize(1);
                return;
            }
            String id = requested.out().lines().findFirst().orElseThrow().replaceAll(".* request ", "");

            // The owner sees it pending, or (where the mesh refuses control characters in a purpose) both
            // sides see it rejected: either way the listing holds it on one row.
            String listed = await().atMost(Duration.ofSeconds(20)).until(() -> {
                String owner = CommandRun.of("access", "list", "--domain", "tty-shop", "--as", "tty-shop", "--catalog-url", url,
                        "--state-dir", state).out();
                return owner.contains(id) ? owner : CommandRun.of("access", "list", "--as", "tty-team", "--catalog-url", url,
                        "--state-dir", state).out();
            }, out -> out.contains(id));

            assertThat(listed.lines()).hasSize(2);
            assertThat(listed).startsWith("REQUEST");
            assertThat(listed.lines().skip(1).findFirst().orElseThrow()).startsWith(id);
            assertThat(listed.chars().filter(c -> c != '\n' && (c < 0x20 || c >= 0x7f && c <= 0x9f))).isEmpty();
            if (listed.contains("APPROVED")) {
                assertThat(listed).contains("x\\nr-0  APPROVED\\u001b]0;owned\\u0007\\u001b[2K\\u009b31m");
            }

            var json = CommandRun.of("access", "list", "--domain", "tty-shop", "--as", "tty-shop", "--json", "--catalog-url", url,
                    "--state-dir", state);
            assertThat(json.out().chars().filter(c -> c != '\n' && (c < 0x20 || c >= 0x7f && c <= 0x9f))).isEmpty();
            JsonNode requests = new ObjectMapper().readTree(json.out()).path("requests");
            requests.forEach(r -> assertThat(r.at("/request/purpose").asText()).isIn(FAKE_ROW, ""));
        }
    }

    @Test
    void aFileFormatIsTakenInAnyCase(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("tty-format");
        Path file = Files.writeString(dir.resolve("orders.txt"), "orderId\no-1\n");

        var lower = CommandRun.of("produce", "tty-format.nothing.v1", "--file", file.toString(), "--format", "csv",
                "--state-dir", mesh.state().root().toString());

        assertThat(lower.exitCode()).as("the command line is accepted; the product is missing").isEqualTo(Mesh.FAILED);
        assertThat(lower.err().strip()).isEqualTo("mesh: no product tty-format.nothing.v1 is published; publish its contract first: "
                + "mesh product publish <descriptor>");
    }

    @Test
    void aDurationTooLongToCountIsAOneLineUsageErrorNamingTheOptionAndTheFormsItTakes(EmbeddedMesh mesh) {
        String state = mesh.state().root().toString();
        mesh.onboarding().ensurePrincipal("tty-team", PrincipalKind.TEAM);

        var tooLong = CommandRun.of("access", "request", "tty-shop.order-placed.v1", "--view", "full", "--group", "g", "--purpose", "p",
                "--duration", "99999999999999999999d", "--as", "tty-team", "--state-dir", state);
        var noUnit = CommandRun.of("access", "approve", "r-1", "--duration", "99999999999999999999", "--as", "tty-team", "--state-dir", state);

        assertThat(tooLong.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(tooLong.err()).isEqualTo("mesh: Invalid value for option '--duration': '99999999999999999999d' is too long a duration; "
                + "write e.g. 30s, 5m, 12h, 30d or 2w (see: mesh access request --help)" + System.lineSeparator());
        assertThat(noUnit.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(noUnit.err()).isEqualTo("mesh: Invalid value for option '--duration': '99999999999999999999' is not a duration; "
                + "write e.g. 30s, 5m, 12h, 30d or 2w (see: mesh access approve --help)" + System.lineSeparator());
    }

    @Test
    void aYamlSyntaxErrorInAContractIsOneLineWithItsLineAndColumn() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "domain: orders\ntags: [a, b\nname: x\n");

        var validated = CommandRun.of("product", "validate", broken.toString());

        assertThat(validated.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(validated.err().lines()).singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("mesh: " + broken + ": not valid YAML: ")
                .endsWith("(line 3, column 5)");
    }

    @Test
    void aRefusalOfClusterRightsIsOneLineWithoutTheBrokersRequestDump(EmbeddedMesh mesh) {
        mesh.onboarding().ensurePrincipal("tty-climber", PrincipalKind.TEAM);
        try (Admin climber = Admin.create(mesh.clientConfig("tty-climber").kafka())) {
            assertThatThrownBy(() -> KafkaCalls.await(climber.createAcls(PlatformAcls.domain("tty-climbed")).all(),
                    "create the ACLs of domain tty-climbed"))
                    .isInstanceOf(MeshException.class)
                    .hasMessage("not authorised to create the ACLs of domain tty-climbed: the broker refused it: "
                            + "it needs rights on the cluster, which only the platform's principals hold");
        }
    }

    private Path contract(String domain) throws Exception {
        Files.copy(EXAMPLES.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        return Files.writeString(dir.resolve(domain + ".yaml"), Files.readString(EXAMPLES.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: " + domain).replace("User:orders", "User:" + domain)
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
    }
}
