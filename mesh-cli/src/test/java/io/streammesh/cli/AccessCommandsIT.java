package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.AccessClient;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh catalog ...} and {@code mesh access ...} as a consumer team and a product owner use them. */
@MeshTest
class AccessCommandsIT {

    @TempDir
    Path dir;

    @Test
    void aTeamFindsAProductAsksForAccessAndTheOwnerApprovesDeniesAndRevokes(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("acc-shop");
        mesh.onboarding().addDomain("acc-other");
        mesh.onboarding().ensurePrincipal("acc-team", PrincipalKind.TEAM);
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                mesh.state().credentials(), 0))) {
            String state = mesh.state().root().toString();
            String url = catalog.restUrl();
            Path contract = contract("acc-shop");
            var published = run("product", "publish", contract.toString(), "--state-dir", state);
            assertThat(published.exitCode()).as(published.err()).isZero();

            JsonNode found = await().atMost(Duration.ofSeconds(60)).until(() -> json(run("catalog", "search", "orders", "--domain", "acc-shop",
                    "--json", "--as", "acc-team", "--catalog-url", url, "--state-dir", state)), r -> r.path("count").asInt() == 1);
            assertThat(found.at("/products/0/address").asText()).isEqualTo("acc-shop.order-placed.v1");
            // Awaited like the search: the catalog answers 503 while it rebalances, which under load can follow the search.
            assertThat(await().atMost(Duration.ofSeconds(60)).until(() -> run("catalog", "show", "acc-shop.order-placed.v1", "--as", "acc-team",
                    "--catalog-url", url, "--state-dir", state), shown -> shown.exitCode() == 0).out())
                    .contains("view         analytics (owner_approval) filter record.country != 'DE'",
                            "               state UNKNOWN (no record through the view yet)",
                            "               topic mesh.view.acc-shop.order-placed.v1.analytics\n"
                                    + "               read  no grant of yours; ask with: mesh access request acc-shop.order-placed.v1 "
                                    + "--view analytics --group <group> --purpose <why>",
                            "view         full (owner_approval)\n               state OK\n"
                                    + "               topic acc-shop.order-placed.v1\n");

            var asked = run("access", "request", "acc-shop.order-placed.v1", "--view", "analytics",
                    "--purpose", "dashboards", "--duration", "30d", "--as", "acc-team", "--catalog-url", url, "--state-dir", state);
            String first = requestId(asked);
            assertThat(asked.out()).as("the team's own group by default")
                    .startsWith("Requested acc-shop.order-placed.v1 view analytics for User:acc-team (group acc-team): request " + first);
            assertThat(asked.out().lines().skip(1)).containsExactly("Request " + first + " is PENDING: domain acc-shop decides; "
                    + "follow it with: mesh access list --as acc-team");
            String second = requestId(run("access", "request", "acc-shop.order-placed.v1", "--view", "full", "--group", "acc-team",
                    "--purpose", "curiosity", "--as", "acc-team", "--no-wait", "--state-dir", state));
            await().atMost(Duration.ofSeconds(60)).until(() -> run("access", "list", "--status", "PENDING", "--as", "acc-shop",
                    "--catalog-url", url, "--state-dir", state).out(), out -> out.contains(first) && out.contains(second));

            var notOwner = run("access", "approve", first, "--as", "acc-team", "--catalog-url", url, "--state-dir", state);
            assertThat(notOwner.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(notOwner.err().strip()).isEqualTo("mesh: catalog-stream rejected the APPROVED decision on request " + first
                    + " (owner-decides): decision for request " + first + " arrived on mesh.decisions.acc-team, but product "
                    + "acc-shop.order-placed.v1 belongs to domain acc-shop; ignored");
            String foreign = requestId(run("access", "request", "acc-shop.order-placed.v1", "--view", "analytics", "--group", "acc-other",
                    "--purpose", "reports", "--as", "acc-other", "--no-wait", "--state-dir", state));
            await().atMost(Duration.ofSeconds(60)).until(() -> run("access", "list", "--as", "acc-other", "--catalog-url", url,
                    "--state-dir", state).out(), out -> out.contains(foreign));
            var otherDomain = run("access", "approve", foreign, "--as", "acc-other", "--catalog-url", url, "--state-dir", state);
            assertThat(otherDomain.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(otherDomain.err().strip()).as("a domain decides on its own topic, which counts for its own products only")
                    .isEqualTo("mesh: catalog-stream rejected the APPROVED decision on request " + foreign + " (owner-decides): decision for "
                            + "request " + foreign + " arrived on mesh.decisions.acc-other, but product acc-shop.order-placed.v1 belongs to "
                            + "domain acc-shop; ignored");

            var approved = run("access", "approve", first, "--as", "acc-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(approved.exitCode()).as(approved.err()).isZero();
            assertThat(approved.out()).startsWith("APPROVED request " + first + " (acc-shop.order-placed.v1 view analytics for User:acc-team): "
                    + "granted on mesh.view.acc-shop.order-placed.v1.analytics to group acc-team until ");
            var denied = run("access", "deny", second, "--reason", "use the analytics view", "--as", "acc-shop", "--catalog-url", url,
                    "--state-dir", state);
            assertThat(denied.exitCode()).as(denied.err()).isZero();
            assertThat(denied.out().strip()).isEqualTo("DENIED request " + second + " (acc-shop.order-placed.v1 view full for User:acc-team): "
                    + "the requester sees it as DENIED");
            await().atMost(Duration.ofSeconds(60)).until(() -> run("access", "grants", "--status", "ACTIVE", "--as", "acc-team",
                    "--catalog-url", url, "--state-dir", state).out(), out -> out.contains("mesh.view.acc-shop.order-placed.v1.analytics"));
            assertThat(run("catalog", "show", "acc-shop.order-placed.v1", "--as", "acc-team", "--catalog-url", url, "--state-dir", state).out())
                    .as("the grant's group is in the kcat line").contains("               read  kcat -F " + mesh.state().clients().resolve("acc-team.kcat.conf")
                            + " -G acc-team mesh.view.acc-shop.order-placed.v1.analytics\n");
            assertThat(run("access", "grants", "--status", "ACTIVE", "-o", "csv", "--as", "acc-team", "--catalog-url", url, "--state-dir", state)
                    .out().lines()).first().isEqualTo("GRANT,STATUS,PRINCIPAL,TOPIC,GROUP,APPROVED BY,EXPIRES");
            await().atMost(Duration.ofSeconds(60)).until(() -> run("access", "list", "--as", "acc-team", "--catalog-url", url,
                    "--state-dir", state).out(), out -> out.contains("DENIED") && out.contains("use the analytics view"));

            var revoked = run("access", "revoke", first, "--as", "acc-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(revoked.exitCode()).as(revoked.err()).isZero();
            assertThat(revoked.out().strip()).isEqualTo("REVOKED request " + first + " (acc-shop.order-placed.v1 view analytics for "
                    + "User:acc-team): the grant is REVOKED; the broker's ACLs follow within seconds");
            await().atMost(Duration.ofSeconds(60)).until(() -> run("access", "grants", "--status", "REVOKED", "--as", "acc-team",
                    "--catalog-url", url, "--state-dir", state).out(), out -> out.contains(first));

            Path sloppy = Files.writeString(dir.resolve("sloppy.yaml"), Files.readString(contract).replace("name: order-placed", "name: sloppy")
                    .replace("description: Every order the shop accepted, one event per order.", "description: Orders")
                    .replace("access: owner-approval\n", "access: auto\n").replace("shippingAddress: redact", "customerId: hash"));
            assertThat(run("product", "publish", sloppy.toString(), "--state-dir", state).exitCode()).as("the connector publishes it").isZero();
            String rejections = await().atMost(Duration.ofSeconds(60)).until(() -> run("catalog", "rejections", "--subject",
                    "acc-shop.sloppy.v1", "--as", "acc-shop", "--catalog-url", url, "--state-dir", state).out(), out -> out.contains("pii-masked"));
            assertThat(rejections).contains("description", "view 'analytics' exposes PII field(s) shippingAddress without the owner's approval");

            var badDuration = run("access", "request", "acc-shop.order-placed.v1", "--view", "full", "--group", "g", "--purpose", "p",
                    "--duration", "forever", "--as", "acc-team", "--state-dir", state);
            assertThat(badDuration.exitCode()).isEqualTo(Mesh.USAGE);
            assertThat(badDuration.err().strip()).isEqualTo("mesh: Invalid value for option '--duration': 'forever' is not a duration; "
                    + "write e.g. 30s, 5m, 12h, 30d or 2w (see: mesh access request --help)");
            var forged = run("access", "request", "acc-shop.order-placed.v1", "--view", "full", "--group", "g",
                    "--purpose", "p\n r-1  APPROVED", "--as", "acc-team", "--state-dir", state);
            assertThat(forged.err().strip()).isEqualTo("mesh: --purpose contains control character U+000A "
                    + "(newlines, escape sequences and other control characters are not allowed)");
            var forAnother = run("access", "request", "acc-shop.order-placed.v1", "--view", "full", "--group", "g", "--purpose", "p",
                    "--for", "acc-shop", "--as", "acc-team", "--state-dir", state);
            assertThat(forAnother.err().strip()).isEqualTo("mesh: refused by the broker: User:acc-team may not write "
                    + "mesh.access.requests.acc-shop (only User:acc-shop asks for access in its own name)");
            var nobody = run("access", "list", "--catalog-url", url, "--state-dir", state);
            assertThat(nobody.err().strip()).isEqualTo("mesh: say who you act as for access list: --as <principal> or --client-config <file>");
        }
    }

    @Test
    void requestsAndDecisionsThatCatalogStreamRejectsExitNonZeroWithItsReason(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("rej-shop");
        mesh.onboarding().ensurePrincipal("rej-team", PrincipalKind.TEAM);
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                mesh.state().credentials(), 0))) {
            String state = mesh.state().root().toString();
            String url = catalog.restUrl();
            assertThat(run("product", "publish", contract("rej-shop").toString(), "--state-dir", state).exitCode()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> run("catalog", "show", "rej-shop.order-placed.v1", "--as", "rej-team",
                    "--catalog-url", url, "--state-dir", state).exitCode() == Mesh.OK);

            var typo = run("access", "request", "rej-shop.order-placed.v1", "--view", "analytcs", "--group", "rej-team",
                    "--purpose", "dashboards", "--as", "rej-team", "--catalog-url", url, "--state-dir", state);
            assertThat(typo.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(typo.err().strip()).isEqualTo("mesh: request " + lastWord(typo) + " is REJECTED: product rej-shop.order-placed.v1 "
                    + "has no view 'analytcs' (views: full, analytics)");

            var unknown = run("access", "request", "rej-shop.no-such-product.v1", "--view", "full", "--group", "rej-team",
                    "--purpose", "dashboards", "--as", "rej-team", "--catalog-url", url, "--state-dir", state);
            assertThat(unknown.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(unknown.err().strip()).isEqualTo("mesh: request " + lastWord(unknown) + " is REJECTED: "
                    + "no product rej-shop.no-such-product.v1 in the catalog");

            var twoWrong = run("access", "request", "rej-shop.order-placed.v1", "--view", "analytcs", "--group", "mesh-sneaky",
                    "--purpose", "dashboards", "--as", "rej-team", "--catalog-url", url, "--state-dir", state);
            assertThat(twoWrong.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(twoWrong.err().lines()).as("every reason, one line each").containsExactly(
                    "mesh: request " + lastWord(twoWrong) + " is REJECTED: product rej-shop.order-placed.v1 has no view 'analytcs' "
                            + "(views: full, analytics)",
                    "mesh: request " + lastWord(twoWrong) + " is REJECTED: 'mesh-sneaky' is not a consumer group a team may own "
                            + "(letters, digits, . _ -; not the platform's mesh, mesh-* or mesh.*)");

            String id = requestId(run("access", "request", "rej-shop.order-placed.v1", "--view", "full", "--group", "rej-team",
                    "--purpose", "dashboards", "--as", "rej-team", "--catalog-url", url, "--state-dir", state));
            assertThat(run("access", "approve", id, "--as", "rej-shop", "--catalog-url", url, "--state-dir", state).exitCode()).isZero();
            var twice = run("access", "approve", id, "--as", "rej-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(twice.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(twice.err().strip()).isEqualTo("mesh: catalog-stream rejected the APPROVED decision on request " + id
                    + " (request-pending): request " + id + " is APPROVED, not PENDING; the decision is ignored");
            var denyAfter = run("access", "deny", id, "--as", "rej-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(denyAfter.err().strip()).as("a second rejection of the same kind is a new verdict").isEqualTo("mesh: catalog-stream "
                    + "rejected the DENIED decision on request " + id + " (request-pending): request " + id + " is APPROVED, not PENDING; "
                    + "the decision is ignored");

            var unwaited = run("access", "approve", id, "--no-wait", "--as", "rej-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(unwaited.exitCode()).as("--no-wait only writes").isZero();
        }
    }

    /**
     * A team withdraws its waiting request and gives up its grant; neither the owner nor another
     * team can withdraw it for them, whether through the catalog's rule (on their own decision
     * topics) or by writing on the requester's decision topic (the broker refuses).
     */
    @Test
    void aTeamWithdrawsItsWaitingRequestAndGivesUpItsGrantAndNoOtherPrincipalCan(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("wd-shop");
        mesh.onboarding().ensurePrincipal("wd-team", PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal("wd-other", PrincipalKind.TEAM);
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                mesh.state().credentials(), 0))) {
            String state = mesh.state().root().toString();
            String url = catalog.restUrl();
            assertThat(run("product", "publish", contract("wd-shop").toString(), "--state-dir", state).exitCode()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> run("catalog", "show", "wd-shop.order-placed.v1", "--as", "wd-team",
                    "--catalog-url", url, "--state-dir", state).exitCode() == Mesh.OK);
            String waiting = requestId(run("access", "request", "wd-shop.order-placed.v1", "--view", "full", "--purpose", "a trial",
                    "--as", "wd-team", "--catalog-url", url, "--state-dir", state));

            var owner = run("access", "withdraw", waiting, "--as", "wd-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(owner.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(owner.err().strip()).isEqualTo("mesh: catalog-stream rejected the WITHDRAWN decision on request " + waiting
                    + " (requester-withdraws): User:wd-shop may not withdraw request " + waiting + ": only the principal it "
                    + "names withdraws it, on its own mesh.decisions.<principal>");
            var stranger = run("access", "withdraw", waiting, "--as", "wd-other", "--catalog-url", url, "--state-dir", state);
            assertThat(stranger.err().strip()).as("another team does not even see it").isEqualTo("mesh: no access request " + waiting
                    + " that you may see");
            try (var other = new AccessClient(mesh.clientConfig("wd-other"))) {
                assertThatThrownBy(() -> other.decide("wd-team", waiting, DecisionKind.WITHDRAWN, null, null, null))
                        .as("the requester's own decision topic").hasMessageStartingWith("refused by the broker: User:wd-other may not write "
                                + "mesh.decisions.wd-team");
                other.withdraw(waiting, null);
            }
            assertThat(await().atMost(Duration.ofSeconds(60)).until(() -> run("catalog", "rejections", "--subject", waiting, "--as", "wd-other",
                    "--catalog-url", url, "--state-dir", state).out(), out -> out.contains("requester-withdraws")))
                    .as("written on its own topic, past the CLI").contains("User:wd-other may not withdraw request " + waiting);
            assertThat(json(run("access", "list", "--json", "--as", "wd-team", "--catalog-url", url, "--state-dir", state))
                    .at("/requests/0/status").asText()).isEqualTo("PENDING");

            var withdrawn = run("access", "withdraw", waiting, "--reason", "asked for the wrong view", "--as", "wd-team", "--catalog-url", url,
                    "--state-dir", state);
            assertThat(withdrawn.exitCode()).as(withdrawn.err()).isZero();
            assertThat(withdrawn.out().strip()).isEqualTo("WITHDRAWN request " + waiting + " (wd-shop.order-placed.v1 view full for User:wd-team): "
                    + "WITHDRAWN; it no longer waits for a decision");
            var late = run("access", "approve", waiting, "--as", "wd-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(late.err().strip()).isEqualTo("mesh: catalog-stream rejected the APPROVED decision on request " + waiting
                    + " (request-pending): request " + waiting + " is WITHDRAWN, not PENDING; the decision is ignored");

            String granted = requestId(run("access", "request", "wd-shop.order-placed.v1", "--view", "analytics", "--purpose", "reports",
                    "--as", "wd-team", "--catalog-url", url, "--state-dir", state));
            assertThat(run("access", "approve", granted, "--as", "wd-shop", "--catalog-url", url, "--state-dir", state).exitCode()).isZero();
            var givenUp = run("access", "withdraw", granted, "--as", "wd-team", "--catalog-url", url, "--state-dir", state);
            assertThat(givenUp.out().strip()).isEqualTo("WITHDRAWN request " + granted + " (wd-shop.order-placed.v1 view analytics for "
                    + "User:wd-team): its grant is REVOKED; the broker's ACLs follow within seconds");
            assertThat(run("access", "grants", "-o", "csv", "--as", "wd-team", "--catalog-url", url, "--state-dir", state).out())
                    .contains(granted + ",REVOKED,User:wd-team");
            var again = run("access", "withdraw", granted, "--as", "wd-team", "--catalog-url", url, "--state-dir", state);
            assertThat(again.err().strip()).isEqualTo("mesh: catalog-stream rejected the WITHDRAWN decision on request " + granted
                    + " (request-open): request " + granted + " is APPROVED and its grant REVOKED: nothing to withdraw");
        }
    }

    @Test
    void aViewNamingASecondLevelApproverIsGrantedOnlyOnceThatApproverApprovesAfterTheOwner(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("two-shop");
        mesh.onboarding().ensurePrincipal("two-team", PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal("two-legal", PrincipalKind.TEAM);
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                mesh.state().credentials(), 0))) {
            String state = mesh.state().root().toString();
            String url = catalog.restUrl();
            Path contract = Files.writeString(dir.resolve("two-level.yaml"), Files.readString(contract("two-shop"))
                    .replace("    access: owner-approval\n", "    access: owner-approval\n    secondLevelApprovers: User:two-legal\n"));
            var published = run("product", "publish", contract.toString(), "--state-dir", state);
            assertThat(published.exitCode()).as(published.err()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> run("catalog", "show", "two-shop.order-placed.v1", "--as", "two-team",
                    "--catalog-url", url, "--state-dir", state).exitCode() == Mesh.OK);
            String id = requestId(run("access", "request", "two-shop.order-placed.v1", "--view", "analytics", "--group", "two-team",
                    "--purpose", "dashboards", "--as", "two-team", "--catalog-url", url, "--state-dir", state));

            var early = run("access", "approve", id, "--level", "2", "--as", "two-legal", "--catalog-url", url, "--state-dir", state);
            assertThat(early.err().strip()).isEqualTo("mesh: catalog-stream rejected the APPROVED decision on request " + id
                    + " (request-awaits-second-approval): request " + id + " is PENDING, not AWAITING_SECOND_APPROVAL: domain two-shop "
                    + "decides first; the decision is ignored");
            var first = run("access", "approve", id, "--as", "two-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.out().strip()).isEqualTo("APPROVED request " + id + " (two-shop.order-placed.v1 view analytics for User:two-team): "
                    + "awaiting the second approval of one of User:two-legal (mesh access approve " + id + " --as <approver>)");
            var both = run("access", "approve", id, "--as", "two-shop", "--catalog-url", url, "--state-dir", state);
            assertThat(both.err().strip()).isEqualTo("mesh: catalog-stream rejected the APPROVED decision on request " + id
                    + " (second-approver-distinct): User:two-shop gave the first approval of request " + id
                    + "; the second must come from another principal: User:two-legal");
            assertThat(run("access", "list", "--status", "AWAITING_SECOND_APPROVAL", "--as", "two-legal", "--catalog-url", url,
                    "--state-dir", state).out()).as("the approver sees what waits for it").contains(id);

            var second = run("access", "approve", id, "--reason", "lawful", "--as", "two-legal", "--catalog-url", url, "--state-dir", state);
            assertThat(second.exitCode()).as(second.err()).isZero();
            assertThat(second.out()).startsWith("APPROVED request " + id + " (two-shop.order-placed.v1 view analytics for User:two-team): "
                    + "granted on mesh.view.two-shop.order-placed.v1.analytics to group two-team until ");
            assertThat(run("access", "grants", "-o", "csv", "--as", "two-team", "--catalog-url", url, "--state-dir", state).out())
                    .contains("User:two-shop, User:two-legal");
            var badLevel = run("access", "deny", id, "--level", "3", "--as", "two-legal", "--state-dir", state);
            assertThat(badLevel.exitCode()).isEqualTo(Mesh.USAGE);

            assertThat(run("catalog", "show", "two-shop.order-placed.v1", "--contract", "--as", "two-team", "--catalog-url", url,
                    "--state-dir", state).out()).as("any principal reads the contract in ODCS from the catalog")
                    .startsWith("apiVersion: v3.1.0\nkind: DataContract\nid: two-shop.order-placed.v1\n")
                    .contains("status: active\n", "secondLevelApprovers: User:two-legal\n");
            assertThat(run("catalog", "show", "two-shop.order-placed.v1", "--contract", "streammesh", "--as", "two-team", "--catalog-url", url,
                    "--state-dir", state).out()).startsWith("# The Avro schema is registered as two-shop.order-placed.v1-value: save it beside "
                    + "this file as two-shop.order-placed.v1.avsc.\n").contains("secondLevelApprovers: User:two-legal\n");
            assertThat(run("catalog", "show", "two-shop.order-placed.v1", "--contract", "xml", "--as", "two-team", "--catalog-url", url,
                    "--state-dir", state).err().strip()).isEqualTo("mesh: format must be odcs or streammesh, got 'xml'");
            assertThat(run("product", "retire", "two-shop.order-placed.v1", "--catalog-url", url, "--state-dir", state).exitCode()).isZero();
            assertThat(run("catalog", "show", "two-shop.order-placed.v1", "--contract", "--as", "two-team", "--catalog-url", url,
                    "--state-dir", state).out()).as("the product's real status").contains("status: retired\n");
        }
    }

    private static String lastWord(CommandRun run) {
        List<String> words = List.of(run.out().lines().findFirst().orElseThrow().split(" "));
        return words.get(words.size() - 1);
    }

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    private static JsonNode json(CommandRun run) throws Exception {
        return new ObjectMapper().readTree(run.out());
    }

    private static String requestId(CommandRun run) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> words = new ArrayList<>(List.of(run.out().lines().findFirst().orElseThrow().split(" ")));
        return words.get(words.size() - 1);
    }

    private Path contract(String domain) throws Exception {
        Path examples = Path.of("..", "examples", "orders");
        Files.copy(examples.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        return Files.writeString(dir.resolve(domain + ".yaml"), Files.readString(examples.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: " + domain).replace("User:orders", "User:" + domain)
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
    }
}
