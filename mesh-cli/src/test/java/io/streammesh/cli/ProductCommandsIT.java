package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.IngestApi;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.IngestGrants;
import io.streammesh.testing.MeshTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh product ...} and {@code mesh produce} on the real mesh, as a domain team runs them. */
@MeshTest
class ProductCommandsIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "orders");

    @TempDir
    Path dir;

    @Test
    void aDomainPublishesItsContractThenProducesAFileWithSomeBadLines(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-shop");
        Path descriptor = contract("cli-shop");
        String state = mesh.state().root().toString();

        var published = CommandRun.of("product", "publish", descriptor.toString(), "--state-dir", state);
        assertThat(published.exitCode()).as(published.err()).isZero();
        assertThat(published.out()).startsWith("Published cli-shop.order-placed.v1 (contract 1.0.0) as User:cli-shop:")
                .contains("+ topic cli-shop.order-placed.v1: 3 partitions, retention 30d (created by the platform once the catalog admits "
                                + "this version)", "+ schema cli-shop.order-placed.v1-value version 1");
        IngestGrants.allow(mesh, ProductAddress.parse("cli-shop.order-placed.v1"));
        var again = CommandRun.of("product", "publish", descriptor.toString(), "--state-dir", state);
        assertThat(again.out()).startsWith("cli-shop.order-placed.v1: nothing to change, it is already as the contract says.");

        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            lines.add(i % 100 == 0 ? "not json" : order("o-" + i, i % 25 == 0 ? -2 : 9.5));
        }
        Path file = Files.write(dir.resolve("orders.jsonl"), lines);
        var produced = CommandRun.of("produce", "cli-shop.order-placed.v1", "--file", file.toString(), "--state-dir", state);

        assertThat(produced.exitCode()).as("some lines were not sent").isEqualTo(Mesh.FAILED);
        assertThat(produced.out()).contains("1,000 line(s) read",
                "960 accepted, on their way to cli-shop.order-placed.v1 through cli-shop.order-placed.v1.ingest",
                "30 rejected, on their way to cli-shop.order-placed.v1.dlq  {positive-amount=30}", "10 not sent", "line 100: not JSON");
        Path rejects = dir.resolve("orders.rejects.jsonl");
        assertThat(produced.out().strip().lines().reduce((a, b) -> b)).hasValue("FAILED: 40 of 1,000 line(s) will not reach "
                + "cli-shop.order-placed.v1 (30 rejected, see cli-shop.order-placed.v1.dlq; 10 not sent); feed the lines not sent back with --file "
                + rejects + ".");
        assertThat(Files.readAllLines(rejects)).hasSize(10).containsOnly("not json");
    }

    @Test
    void produceThroughTheIngestApiReportsAndRejectsExactlyAsProducingItselfDoes(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-http");
        String state = mesh.state().root().toString();
        try (CatalogApp catalog = startCatalog(mesh);
             IngestApi ingest = IngestApi.start("127.0.0.1", 0, catalog.restUrl(), mesh.clientConfig(PlatformApp.GATE.applicationId()),
                     new SimpleMeterRegistry())) {
            String url = catalog.restUrl();
            assertThat(CommandRun.of("product", "publish", governed("cli-http").toString(), "--catalog-url", url, "--state-dir", state)
                    .exitCode()).isZero();
            IngestGrants.allow(mesh, ProductAddress.parse("cli-http.order-placed.v1"));
            Path file = Files.write(dir.resolve("mixed.jsonl"), List.of(order("h-1", 9.5), "not json", order("h-2", -1), order("h-3", 9.5)));
            Path own = dir.resolve("own.rejects.jsonl");
            Path viaApi = dir.resolve("api.rejects.jsonl");

            var itself = CommandRun.of("produce", "cli-http.order-placed.v1", "--file", file.toString(), "--rejects", own.toString(),
                    "--catalog-url", url, "--state-dir", state);
            var throughApi = CommandRun.of("produce", "cli-http.order-placed.v1", "--file", file.toString(), "--rejects", viaApi.toString(),
                    "--ingest-url", ingest.url(), "--state-dir", state);

            assertThat(throughApi.exitCode()).as(throughApi.err()).isEqualTo(Mesh.FAILED).isEqualTo(itself.exitCode());
            assertThat(throughApi.out()).contains("2 accepted, on their way to cli-http.order-placed.v1",
                    "1 rejected, on their way to cli-http.order-placed.v1.dlq  {positive-amount=1}", "line 2: not JSON");
            assertThat(throughApi.out().replace(viaApi.toString(), own.toString())).isEqualTo(itself.out());
            assertThat(Files.readAllLines(viaApi)).containsExactly("not json").isEqualTo(Files.readAllLines(own));

            var unreachable = CommandRun.of("produce", "cli-http.order-placed.v1", "--file", file.toString(), "--rejects", viaApi.toString(),
                    "--ingest-url", "http://127.0.0.1:1", "--catalog-url", url, "--state-dir", state);
            assertThat(unreachable.out().replace(viaApi.toString(), own.toString())).as("sent by the command itself")
                    .isEqualTo(itself.out());

            var refused = CommandRun.of("produce", "cli-http.order-placed.v1", "--file", file.toString(), "--as", "mesh-catalog",
                    "--ingest-url", ingest.url(), "--state-dir", state);
            assertThat(refused.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(refused.err()).startsWith("mesh: ").contains("User:mesh-catalog");
        }
    }

    @Test
    void produceExitsOneWhenARecordWasRejectedAndZeroOnlyWhenEveryLinePassedTheContract(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-exit");
        String state = mesh.state().root().toString();
        assertThat(CommandRun.of("product", "publish", contract("cli-exit").toString(), "--state-dir", state).exitCode()).isZero();
        IngestGrants.allow(mesh, ProductAddress.parse("cli-exit.order-placed.v1"));
        Path good = Files.write(dir.resolve("good.jsonl"), List.of(order("g-1", 9.5), order("g-2", 9.5)));
        Path oneBad = Files.write(dir.resolve("one-bad.jsonl"), List.of(order("b-1", 9.5), order("b-2", -1)));

        var allGood = CommandRun.of("produce", "cli-exit.order-placed.v1", "--file", good.toString(), "--state-dir", state);
        var deadLettered = CommandRun.of("produce", "cli-exit.order-placed.v1", "--file", oneBad.toString(), "--state-dir", state);

        assertThat(allGood.exitCode()).as(allGood.err()).isZero();
        assertThat(allGood.out()).endsWith("OK: all 2 line(s) accepted; the contract gate writes them to cli-exit.order-placed.v1.\n");
        assertThat(deadLettered.exitCode()).as("a rejected record will not reach the product").isEqualTo(Mesh.FAILED);
        assertThat(deadLettered.out()).endsWith("FAILED: 1 of 2 line(s) will not reach cli-exit.order-placed.v1 "
                + "(1 rejected, see cli-exit.order-placed.v1.dlq; 0 not sent).\n");
        assertThat(dir.resolve("one-bad.rejects.jsonl")).as("a dead-lettered line is on the dead-letter topic").doesNotExist();
    }

    @Test
    void produceReadsJsonLinesFromStandardInputAndWritesItsRejectsToTheWorkingDirectory(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-stdin");
        String state = mesh.state().root().toString();
        assertThat(CommandRun.of("product", "publish", contract("cli-stdin").toString(), "--state-dir", state).exitCode()).isZero();
        IngestGrants.allow(mesh, ProductAddress.parse("cli-stdin.order-placed.v1"));
        Path rejects = Path.of("stdin.rejects.jsonl").toAbsolutePath();
        try {
            var produced = withStandardInput(order("s-1", 9.5) + "\nnot json\n" + order("s-2", 9.5) + "\n",
                    () -> CommandRun.of("produce", "cli-stdin.order-placed.v1", "--file", "-", "--state-dir", state));

            assertThat(produced.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(produced.out()).startsWith("standard input: 3 line(s) read\n").contains("2 accepted, on their way to cli-stdin.order-placed.v1");
            assertThat(produced.out()).endsWith("FAILED: 1 of 3 line(s) will not reach cli-stdin.order-placed.v1 "
                    + "(0 rejected, see cli-stdin.order-placed.v1.dlq; 1 not sent); "
                    + "feed the lines not sent back with --file " + rejects + ".\n");
            assertThat(Files.readAllLines(rejects)).containsExactly("not json");
        } finally {
            Files.deleteIfExists(rejects);
        }
    }

    @Test
    void produceReadsCsvFromStandardInputWithFormatCsv(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-stdcsv");
        String state = mesh.state().root().toString();
        assertThat(CommandRun.of("product", "publish", contract("cli-stdcsv").toString(), "--state-dir", state).exitCode()).isZero();
        IngestGrants.allow(mesh, ProductAddress.parse("cli-stdcsv.order-placed.v1"));
        String csv = "orderId,customerId,customerEmail,shippingAddress,country,amount,currency,items,placedAt\n"
                + "c-1,c-1,a@example.com,1 Main,FR,9.5,EUR,2,1795600800000\n";

        var produced = withStandardInput(csv,
                () -> CommandRun.of("produce", "cli-stdcsv.order-placed.v1", "--file", "-", "--format", "csv", "--state-dir", state));

        assertThat(produced.exitCode()).as(produced.out() + produced.err()).isZero();
        assertThat(produced.out()).startsWith("standard input: 1 line(s) read (after the header)\n")
                .endsWith("OK: all 1 line(s) accepted; the contract gate writes them to cli-stdcsv.order-placed.v1.\n");
    }

    @Test
    void produceWaitsForADeadRegistryThenExitsOneNamingItAndDeadLettersNothing(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-down");
        String state = mesh.state().root().toString();
        assertThat(CommandRun.of("product", "publish", contract("cli-down").toString(), "--state-dir", state).exitCode()).isZero();
        Path file = Files.write(dir.resolve("down.jsonl"), List.of(order("d-1", 9.5)));

        mesh.killRegistry();
        CommandRun produced;
        try {
            produced = CommandRun.of("produce", "cli-down.order-placed.v1", "--file", file.toString(), "--outage-wait", "2s",
                    "--state-dir", state);
        } finally {
            mesh.restartRegistry();
        }

        assertThat(produced.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(produced.err().strip()).startsWith("mesh: the schema registry at " + mesh.endpoints().registryApiUrl() + " does not answer (")
                .endsWith(" and still did not after 2 s; is the mesh running?")
                .doesNotContain("\n");
        assertThat(produced.out()).isEmpty();
    }

    @Test
    void aLineThatIsNotUtf8IsReportedTheRestIsSentAndTheRejectsFileHoldsItAsItWas(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-utf8");
        String state = mesh.state().root().toString();
        assertThat(CommandRun.of("product", "publish", contract("cli-utf8").toString(), "--state-dir", state).exitCode()).isZero();
        IngestGrants.allow(mesh, ProductAddress.parse("cli-utf8.order-placed.v1"));
        byte[] latin1 = order("u-2", 9.5).replace("1 Main", "Caf\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        Path file = dir.resolve("mixed.jsonl");
        try (var out = Files.newOutputStream(file)) {
            out.write((order("u-1", 9.5) + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(latin1);
            out.write(("\n" + order("u-3", 9.5) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Path rejects = dir.resolve("fix-me.jsonl");

        var produced = CommandRun.of("produce", "cli-utf8.order-placed.v1", "--file", file.toString(), "--rejects", rejects.toString(),
                "--state-dir", state);

        assertThat(produced.exitCode()).isEqualTo(Mesh.FAILED);
        int at = new String(latin1, StandardCharsets.ISO_8859_1).indexOf('\u00e9') + 1;
        assertThat(produced.out()).contains("2 accepted, on their way to cli-utf8.order-placed.v1",
                "line 2: not UTF-8 text: byte " + at + " (0xE9) starts no UTF-8 character");
        assertThat(Files.readAllBytes(rejects)).isEqualTo((new String(latin1, StandardCharsets.ISO_8859_1) + "\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void refusalsAndInvalidContractsAreOneLinePerReasonWithExitOne(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-owner");
        mesh.onboarding().addDomain("cli-other");
        String state = mesh.state().root().toString();

        var intruder = CommandRun.of("product", "publish", contract("cli-owner").toString(), "--as", "cli-other", "--state-dir", state);
        assertThat(intruder.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(intruder.err().strip()).isEqualTo("mesh: refused by the broker: User:cli-other may not describe topic "
                + "cli-owner.order-placed.v1 (a domain's principal owns only the topics <domain>.*); publish as the owning domain's principal");

        Path broken = Files.writeString(dir.resolve("broken.yaml"), Files.readString(contract("cli-owner"))
                .replace("record.amount > 0", "record.amount > 'zero'").replace("customerEmail: hash", "email: hash"));
        var invalid = CommandRun.of("product", "validate", broken.toString());
        assertThat(invalid.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(invalid.err().lines()).hasSize(2)
                .anyMatch(l -> l.startsWith("mesh: " + broken + ": quality[0].rule: CEL does not compile: line 1, column 15: found no matching overload"))
                .anyMatch(l -> l.startsWith(broken + ": views[1].mask.email: no such field in schema"));

        var unpublished = CommandRun.of("produce", "cli-owner.nothing.v1", "--file", broken.toString(), "--format", "JSONL", "--state-dir", state);
        assertThat(unpublished.err().strip()).isEqualTo("mesh: no product cli-owner.nothing.v1 is published; publish its contract first: "
                + "mesh product publish <descriptor>");
        var badAddress = CommandRun.of("product", "retire", "Orders.x", "--state-dir", state);
        assertThat(badAddress.exitCode()).isEqualTo(Mesh.USAGE);
        assertThat(badAddress.err().strip()).isEqualTo("mesh: Invalid value for positional parameter at index 0 (ADDRESS): 'Orders.x' is not a "
                + "product address: expected <domain>.<product>.v<major> (3 parts separated by dots), got 2 part(s) (see: mesh product retire --help)");
    }

    @Test
    void publishWaitsForTheCatalogsVerdictAndARejectedProductIsFoundByItsReasons(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-gov");
        String state = mesh.state().root().toString();
        try (CatalogApp catalog = startCatalog(mesh)) {
            String url = catalog.restUrl();
            Path governed = governed("cli-gov");
            var admitted = CommandRun.of("product", "publish", governed.toString(), "--catalog-url", url, "--state-dir", state);
            assertThat(admitted.exitCode()).as(admitted.err()).isZero();
            assertThat(admitted.out().strip().lines().reduce((a, b) -> b)).hasValue("catalog-stream admitted cli-gov.order-placed.v1 1.0.0: "
                    + "find it with mesh catalog show cli-gov.order-placed.v1");

            // two rules broken: publish names every reason, one line each
            Path sloppy = Files.writeString(dir.resolve("sloppy.yaml"), Files.readString(contract("cli-gov")).replace("name: order-placed",
                    "name: sloppy").replace("description: Every order the shop accepted, one event per order.", "description: Orders")
                    .replace("lineage: {inputs: [customers.customer-profile.v1]}", "lineage: {inputs: [cli-gov.nowhere.v1]}"));
            var rejected = CommandRun.of("product", "publish", sloppy.toString(), "--catalog-url", url, "--state-dir", state);
            assertThat(rejected.exitCode()).isEqualTo(Mesh.FAILED);
            List<String> reasons = rejected.err().lines().toList();
            assertThat(reasons).hasSize(4);
            assertThat(reasons.get(0)).isEqualTo("mesh: catalog-stream rejected the registration of cli-gov.sloppy.v1 1.0.0 (description): "
                    + "a description of at least 10 characters is required (people find products by it)");
            assertThat(reasons.get(1)).isEqualTo("mesh: catalog-stream rejected the registration of cli-gov.sloppy.v1 1.0.0 (lineage-inputs-exist): "
                    + "lineage input cli-gov.nowhere.v1 is not in the catalog");
            assertThat(reasons.get(2)).as("the platform creates no topic of a product the catalog rejected")
                    .startsWith("mesh: left in place, not in the catalog: schema cli-gov.sloppy.v1-value version 1")
                    .contains("registration cli-gov.sloppy.v1 1.0.0 written to mesh.registrations.cli-gov").doesNotContain("topic ");
            assertThat(reasons.get(3)).isEqualTo("mesh: fix " + sloppy + " and publish it again (mesh catalog rejections --subject "
                    + "cli-gov.sloppy.v1 lists the reasons)");

            var again = CommandRun.of("product", "publish", sloppy.toString(), "--catalog-url", url, "--state-dir", state);
            assertThat(again.exitCode()).as("publishing it unchanged: the rejection stands").isEqualTo(Mesh.FAILED);
            assertThat(again.err().lines().findFirst()).hasValue(reasons.get(0));

            var shown = CommandRun.of("catalog", "show", "cli-gov.sloppy.v1", "--as", "cli-gov", "--catalog-url", url, "--state-dir", state);
            assertThat(shown.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(shown.err().lines()).containsExactly("mesh: catalog-stream rejected the registration of cli-gov.sloppy.v1 (description): "
                    + "a description of at least 10 characters is required (people find products by it)",
                    "mesh: catalog-stream rejected the registration of cli-gov.sloppy.v1 (lineage-inputs-exist): "
                    + "lineage input cli-gov.nowhere.v1 is not in the catalog",
                    "mesh: no product cli-gov.sloppy.v1 in the catalog: its domain fixes the contract and publishes it again");

            var retired = CommandRun.of("product", "retire", "cli-gov.order-placed.v1", "--catalog-url", url, "--state-dir", state);
            assertThat(retired.exitCode()).as(retired.err()).isZero();
            assertThat(retired.out().strip().lines().reduce((a, b) -> b)).hasValue("The catalog shows cli-gov.order-placed.v1 RETIRED.");
        }
    }

    @Test
    void produceChecksRecordsAgainstTheVersionTheCatalogAdmittedNotALaterOneItRejected(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cli-cat");
        String state = mesh.state().root().toString();
        try (CatalogApp catalog = startCatalog(mesh)) {
            String url = catalog.restUrl();
            Path governed = governed("cli-cat");
            assertThat(CommandRun.of("product", "publish", governed.toString(), "--catalog-url", url, "--state-dir", state).exitCode()).isZero();
            IngestGrants.allow(mesh, ProductAddress.parse("cli-cat.order-placed.v1"));
            // 1.1.0 would reject every order under 100, but the catalog rejects 1.1.0 itself; the gate judges by 1.0.0
            Path rejected = Files.writeString(dir.resolve("rejected.yaml"), Files.readString(governed).replace("version: 1.0.0", "version: 1.1.0")
                    .replace("record.amount > 0", "record.amount > 100")
                    .replace("description: Every order the shop accepted, one event per order.", "description: Orders"));
            assertThat(CommandRun.of("product", "publish", rejected.toString(), "--catalog-url", url, "--state-dir", state).exitCode())
                    .isEqualTo(Mesh.FAILED);
            Path oneBad = Files.write(dir.resolve("one-bad.jsonl"), List.of(order("c-1", 9.5), order("c-2", -1)));

            var produced = CommandRun.of("produce", "cli-cat.order-placed.v1", "--file", oneBad.toString(), "--catalog-url", url,
                    "--state-dir", state);

            assertThat(produced.exitCode()).as(produced.err()).isEqualTo(Mesh.FAILED);
            assertThat(produced.out()).as("1.0.0's rules, from the catalog; the registrations topic's latest is 1.1.0").contains(
                    "1 accepted, on their way to cli-cat.order-placed.v1 through cli-cat.order-placed.v1.ingest",
                    "1 rejected, on their way to cli-cat.order-placed.v1.dlq  {positive-amount=1}");
            var unknown = CommandRun.of("produce", "cli-cat.nothing.v1", "--file", oneBad.toString(), "--catalog-url", url,
                    "--state-dir", state);
            assertThat(unknown.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(unknown.err().strip()).as("not in the catalog: the registrations topic says it was never published")
                    .isEqualTo("mesh: no product cli-cat.nothing.v1 is published; publish its contract first: mesh product publish <descriptor>");
        }
    }

    @Test
    void validateChecksTheCatalogsGovernanceRulesOfflineAllButLineage() throws Exception {
        Path contract = contract("cli-valid");
        var valid = CommandRun.of("product", "validate", contract.toString());
        assertThat(valid.exitCode()).as(valid.err()).isZero();
        assertThat(valid.out().lines()).last().isEqualTo("It meets the global governance rules; lineage inputs are checked by the catalog "
                + "when it is published.");

        Path sloppy = Files.writeString(dir.resolve("sloppy.yaml"), Files.readString(contract)
                .replace("description: Every order the shop accepted, one event per order.", "description: Orders")
                .replace("access: owner-approval\n", "access: auto\n").replace("shippingAddress: redact", "customerId: hash"));
        var invalid = CommandRun.of("product", "validate", sloppy.toString());
        assertThat(invalid.exitCode()).isEqualTo(Mesh.FAILED);
        assertThat(invalid.err().lines()).containsExactly(
                "mesh: " + sloppy + ": governance rule description: a description of at least 10 characters is required "
                        + "(people find products by it)",
                "mesh: " + sloppy + ": governance rule pii-masked: view 'analytics' exposes PII field(s) shippingAddress without the "
                        + "owner's approval (access: auto); mask them");
    }

    private static CommandRun withStandardInput(String input, java.util.function.Supplier<CommandRun> run) {
        var original = System.in;
        System.setIn(new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(original);
        }
    }

    private CatalogApp startCatalog(EmbeddedMesh mesh) {
        return CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"), mesh.state().credentials(), 0));
    }

    /** The demo's order contract in the domain, without its lineage input (no customers product in these tests' catalogs). */
    private Path governed(String domain) throws Exception {
        return Files.writeString(dir.resolve("governed.yaml"), Files.readString(contract(domain))
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
    }

    private Path contract(String domain) throws Exception {
        Files.copy(EXAMPLES.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return Files.writeString(dir.resolve(domain + ".yaml"), Files.readString(EXAMPLES.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: " + domain).replace("User:orders", "User:" + domain));
    }

    private static String order(String id, double amount) {
        return "{\"orderId\": \"" + id + "\", \"customerId\": \"c-1\", \"customerEmail\": \"a@example.com\", "
                + "\"shippingAddress\": \"1 Main\", \"country\": \"FR\", \"amount\": " + amount + ", \"currency\": \"EUR\", "
                + "\"items\": 2, \"placedAt\": 1795600800000}";
    }
}
