package io.streammesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.FreeText;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh access request|list|grants|approve|deny|revoke|withdraw}: the access workflow. */
@Command(name = "access", mixinStandardHelpOptions = true, addMethodSubcommands = false,
        description = {"Asks for, decides and revokes access to data products.",
                "Consumers request (any principal may) and may withdraw their requests; the owning domain approves, denies or revokes on its own decision topic;",
                "a view naming second-level approvers also needs one of them to approve (or deny), on that approver's own decision topic."})
final class AccessCommand {

    private static final String AWAITING_SECOND_APPROVAL = "AWAITING_SECOND_APPROVAL";
    private static final String LEVEL = "1: the owning domain's decision; 2: a second-level approver's (default: inferred from where the request stands).";

    @Spec
    CommandSpec spec;

    @Command(name = "request", mixinStandardHelpOptions = true, description = {"Asks for access to one view of a product.",
            "Waits for catalog-stream's first verdict (PENDING, APPROVED for an automatic view, or REJECTED with its reason; "
                    + "REJECTED exits 1), unless --no-wait."})
    int request(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog, @Mixin VerdictOption verdict,
                @Parameters(paramLabel = "ADDRESS") ProductAddress product,
                @Option(names = "--view", required = true, paramLabel = "VIEW", description = "The view, e.g. analytics.") String view,
                @Option(names = "--group", paramLabel = "GROUP", description = "The consumer group you will read with: your own name "
                        + "(the default) or NAME.<anything>; no team is granted another's group.") String group,
                @Option(names = "--purpose", required = true, paramLabel = "TEXT", description = "Why, for the owner and the audit.") String purpose,
                @Option(names = "--duration", paramLabel = "DURATION",
                        description = "How long, e.g. 30d (default: the platform's maximum).") Duration duration,
                @Option(names = "--for", paramLabel = "PRINCIPAL", description = "Who will read (default: you); only the platform may ask "
                        + "for another principal, on that principal's own request topic.") String grantee,
                @Option(names = "--decrypt", description = "Also ask to decrypt: the grant lets you fetch the keys of the product's "
                        + "encrypted fields from the catalog's key service (mesh consume --decrypt); only for a product that encrypts fields.")
                boolean decrypt) {
        refuseBadText("--purpose", purpose);
        MeshClientConfig config = acting(state, as, "request");
        String followUp = "mesh access list --as " + config.principal();
        String reader = grantee == null ? null : MeshNames.kafkaPrincipal(MeshPrincipal.bareName(grantee));
        // the reader's own group unless told otherwise: the only one it may be granted without a suffix
        String readerGroup = group != null ? group : MeshNames.withoutKafkaPrefix(reader == null ? config.kafkaPrincipal() : reader);
        String id;
        try (var client = new AccessClient(config)) {
            id = client.request(product, view, reader, readerGroup, purpose, duration, decrypt);
        }
        TerminalText.printf(out(), "Requested %s view %s for %s (group %s): request %s%n", product, view,
                grantee == null ? config.kafkaPrincipal() : grantee, readerGroup, id);
        Optional<CatalogClient> api = verdict.catalog(catalog, state, config);
        if (api.isEmpty()) {
            verdict.unwaited(out(), followUp);
            return Mesh.OK;
        }
        JsonNode request = verdict.await("request " + id, followUp, () -> api.get().find("/api/access/requests/" + id));
        return firstVerdict(id, request, followUp, catalog.format() == OutputFormat.json);
    }

    private int firstVerdict(String id, JsonNode request, String followUp, boolean json) {
        String status = request.path("status").asText();
        if (json) {
            out().println(TerminalText.json(request, true));
            out().flush();
            return status.equals("REJECTED") ? Mesh.FAILED : Mesh.OK;
        }
        switch (status) {
            case "REJECTED" -> {
                reasons(request).forEach(reason -> TerminalText.printf(err(), "mesh: request %s is REJECTED: %s%n", id, reason));
                err().flush();
                return Mesh.FAILED;
            }
            case "APPROVED" -> TerminalText.printf(out(), "Request %s is APPROVED (%s): read %s with group %s%n", id,
                    request.path("reason").asText(), request.at("/grant/topic").asText(), request.at("/request/consumerGroup").asText());
            default -> TerminalText.printf(out(), "Request %s is %s: domain %s decides; follow it with: %s%n", id, status,
                    request.path("domain").asText(), followUp);
        }
        out().flush();
        return Mesh.OK;
    }

    /** Every reason of a request's state, one per broken rule; a state kept before there were several has its one reason. */
    static List<String> reasons(JsonNode request) {
        List<String> reasons = new ArrayList<>();
        request.path("reasons").forEach(reason -> reasons.add(reason.asText()));
        if (reasons.isEmpty() && request.path("reason").isTextual()) {
            reasons.add(request.path("reason").asText());
        }
        return reasons;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the access requests you may see, with their status.")
    int list(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog,
             @Option(names = "--status", paramLabel = "STATUS",
                     description = "PENDING, AWAITING_SECOND_APPROVAL, APPROVED, DENIED, REJECTED or WITHDRAWN.") String status,
             @Option(names = "--domain", paramLabel = "DOMAIN") String domain) {
        String query = CatalogCommand.query("status", status) + CatalogCommand.query("domain", domain);
        JsonNode result = catalog.client(state, acting(state, as, "list"))
                .get("/api/access/requests" + (query.isEmpty() ? "" : "?" + query.substring(1)));
        if (catalog.format() == OutputFormat.json) {
            out().println(TerminalText.json(result, true));
            out().flush();
            return Mesh.OK;
        }
        var table = new Table("REQUEST", "STATUS", "PRODUCT", "VIEW", "FOR", "GROUP", "PURPOSE", "DECISIONS", "REASON");
        result.path("requests").forEach(r -> table.row(r.at("/request/requestId").asText(), r.path("status").asText(),
                r.at("/request/product").asText(), withDecrypt(r.at("/request/view").asText(), r.at("/request/decrypt")), r.at("/request/principal").asText(),
                r.at("/request/consumerGroup").asText(), r.at("/request/purpose").asText(), decisions(r), String.join("; ", reasons(r))));
        table.print(out(), catalog.format());
        return Mesh.OK;
    }

    /** What a request or grant allows, marked when it allows decryption too: "analytics +decrypt". */
    static String withDecrypt(String what, JsonNode decrypt) {
        return decrypt.asBoolean(false) ? what + " +decrypt" : what;
    }

    /** Who decided a request so far, first level first, and who may still: "User:orders approved; next one of User:legal". */
    static String decisions(JsonNode request) {
        List<String> said = new ArrayList<>();
        request.path("decisions").forEach(d -> said.add(d.path("decidedBy").asText() + (d.path("approved").asBoolean() ? " approved" : " denied")));
        if (request.path("status").asText().equals(AWAITING_SECOND_APPROVAL)) {
            List<String> approvers = new ArrayList<>();
            request.path("secondLevelApprovers").forEach(a -> approvers.add(a.asText()));
            said.add("next one of " + String.join(", ", approvers));
        }
        return String.join("; ", said);
    }

    @Command(name = "grants", mixinStandardHelpOptions = true, description = "Lists the grants you may see.")
    int grants(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog,
               @Option(names = "--principal", paramLabel = "PRINCIPAL") String principal,
               @Option(names = "--product", paramLabel = "ADDRESS") String product,
               @Option(names = "--status", paramLabel = "STATUS", description = "ACTIVE, REVOKED or EXPIRED.") String status) {
        String query = CatalogCommand.query("principal", principal) + CatalogCommand.query("product", product)
                + CatalogCommand.query("status", status);
        JsonNode result = catalog.client(state, acting(state, as, "grants"))
                .get("/api/grants" + (query.isEmpty() ? "" : "?" + query.substring(1)));
        if (catalog.format() == OutputFormat.json) {
            out().println(TerminalText.json(result, true));
            out().flush();
            return Mesh.OK;
        }
        var table = new Table("GRANT", "STATUS", "PRINCIPAL", "TOPIC", "GROUP", "APPROVED BY", "EXPIRES");
        result.path("grants").forEach(g -> table.row(g.path("grantId").asText(), g.path("status").asText(), g.path("principal").asText(),
                withDecrypt(g.path("topic").asText(), g.path("decrypt")), g.path("consumerGroup").asText(), approvers(g), g.path("expiresAt").asText("-")));
        table.print(out(), catalog.format());
        return Mesh.OK;
    }

    /** Who approved a grant: the owner (or the platform), then the second-level approver, if the view names any. */
    private static String approvers(JsonNode grant) {
        String second = grant.path("secondApprovedBy").asText("");
        return grant.path("approvedBy").asText() + (second.isEmpty() ? "" : ", " + second);
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = {"Approves a pending request, as the domain owning the product,",
            "or one awaiting its second approval, as a second-level approver the view names."})
    int approve(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog, @Mixin VerdictOption verdict,
                @Parameters(paramLabel = "REQUEST") String requestId,
                @Option(names = "--reason", paramLabel = "TEXT") String reason,
                @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
                        description = "Grant for this long instead of what was asked (the owner's approval).") Duration duration,
                @Option(names = "--level", paramLabel = "1|2", description = LEVEL) Integer level) {
        return decide(state, as, catalog, verdict, requestId, DecisionKind.APPROVED, reason, duration, level);
    }

    @Command(name = "deny", mixinStandardHelpOptions = true, description = {"Denies a pending request, as the domain owning the product,",
            "or one awaiting its second approval, as a second-level approver the view names."})
    int deny(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog, @Mixin VerdictOption verdict,
             @Parameters(paramLabel = "REQUEST") String requestId,
             @Option(names = "--reason", paramLabel = "TEXT") String reason,
             @Option(names = "--level", paramLabel = "1|2", description = LEVEL) Integer level) {
        return decide(state, as, catalog, verdict, requestId, DecisionKind.DENIED, reason, null, level);
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes the grant of a request, as the domain owning the product.")
    int revoke(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog, @Mixin VerdictOption verdict,
               @Parameters(paramLabel = "REQUEST") String requestId,
               @Option(names = "--reason", paramLabel = "TEXT") String reason) {
        return decide(state, as, catalog, verdict, requestId, DecisionKind.REVOKED, reason, null, null);
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true, description = {"Withdraws a request of yours: one still waiting for a "
            + "decision ends WITHDRAWN (no longer counted against your quota of open requests);",
            "an approved one's grant is REVOKED, as if its owner had revoked it. Only the principal a request names may withdraw it."})
    int withdraw(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog, @Mixin VerdictOption verdict,
                 @Parameters(paramLabel = "REQUEST") String requestId,
                 @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the owner and the audit.") String reason) {
        return decide(state, as, catalog, verdict, requestId, DecisionKind.WITHDRAWN, reason, null, null);
    }

    /**
     * Writes the decision on the caller's own decision topic: catalog-stream counts it as the
     * owner's only on the owning domain's topic, and as the second approval only on the topic of a
     * principal the view names, so no look-up of the request is needed (Kafka alone says who
     * wrote it). Anyone else gets catalog-stream's rejection naming the rule; a principal with no
     * decision topic, the broker's refusal. The verdict is then awaited on the catalog API, when
     * one is known.
     */
    private int decide(StateDirOption state, PrincipalOption as, CatalogOption catalog, VerdictOption verdict, String requestId,
                       DecisionKind kind, String reason, Duration duration, Integer level) {
        refuseBadText("--reason", reason);
        if (level != null && level != 1 && level != 2) {
            throw new UsageError("--level is 1 (the owning domain's decision) or 2 (a second-level approver's), got " + level);
        }
        MeshClientConfig config = acting(state, as, switch (kind) {
            case APPROVED -> "approve";
            case DENIED -> "deny";
            case REVOKED -> "revoke";
            case WITHDRAWN -> "withdraw";
        });
        String followUp = "mesh access list --as " + config.principal();
        Optional<CatalogClient> api = verdict.catalog(catalog, state, config);
        // Noted before the write: the verdict is what changes after it.
        Optional<JsonNode> before = api.map(client -> client.get("/api/access/requests/" + requestId));
        Optional<CatalogRejections> earlier = api.map(client -> CatalogRejections.before(client, requestId));
        try (var client = new AccessClient(config)) {
            client.decide(config.principal(), requestId, kind, reason, duration, level);
        }
        if (api.isEmpty()) {
            TerminalText.printf(out(), "%s request %s on %s; catalog-stream applies it within seconds.%n", kind, requestId,
                    MeshTopics.decisions(config.principal()));
            verdict.unwaited(out(), followUp);
            return Mesh.OK;
        }
        Decided decided = verdict.await("the " + kind + " decision on request " + requestId, followUp,
                () -> decided(api.get(), requestId, kind, before.get(), earlier.get()));
        if (decided.rejection() != null) {
            CatalogRejections.print(err(), "the " + kind + " decision on request " + requestId, decided.rejection());
            return Mesh.FAILED;
        }
        JsonNode now = decided.state();
        TerminalText.printf(out(), "%s request %s (%s view %s for %s): %s%n", kind, requestId, now.at("/request/product").asText(),
                withDecrypt(now.at("/request/view").asText(), now.at("/request/decrypt")), now.at("/request/principal").asText(), applied(kind, now));
        out().flush();
        return Mesh.OK;
    }

    /** What catalog-stream made of a decision: the request's new state, or a rejection it had not shown before. */
    private record Decided(JsonNode state, JsonNode rejection) {
    }

    private static Optional<Decided> decided(CatalogClient api, String requestId, DecisionKind kind, JsonNode before,
                                             CatalogRejections earlier) {
        Optional<JsonNode> rejection = earlier.newOne(api);
        if (rejection.isPresent()) {
            return Optional.of(new Decided(null, rejection.get()));
        }
        JsonNode now = api.get("/api/access/requests/" + requestId);
        String status = now.path("status").asText();
        // The owner's approval of a view with a second level leaves the request awaiting that level; the second approval
        // does not (its grant is written before the state, so an awaiting state with a grant is still on its way).
        boolean firstOfTwo = kind == DecisionKind.APPROVED && status.equals(AWAITING_SECOND_APPROVAL)
                && before.path("status").asText().equals("PENDING");
        boolean grantEnded = now.at("/grant/status").asText().equals("REVOKED");
        boolean shows = switch (kind) {
            case REVOKED -> grantEnded;
            case WITHDRAWN -> status.equals(kind.name()) || grantEnded;
            case APPROVED, DENIED -> status.equals(kind.name()) || firstOfTwo;
        };
        // Unchanged is not applied: approving an APPROVED request is rejected, and the rejection is the verdict.
        return shows && !now.equals(before) ? Optional.of(new Decided(now, null)) : Optional.empty();
    }

    private static String applied(DecisionKind kind, JsonNode state) {
        if (state.path("status").asText().equals(AWAITING_SECOND_APPROVAL)) {
            List<String> approvers = new ArrayList<>();
            state.path("secondLevelApprovers").forEach(approver -> approvers.add(approver.asText()));
            return "awaiting the second approval of one of " + String.join(", ", approvers)
                    + " (mesh access approve " + state.at("/request/requestId").asText() + " --as <approver>)";
        }
        return switch (kind) {
            case APPROVED -> "granted on " + state.at("/grant/topic").asText() + " to group " + state.at("/grant/consumerGroup").asText()
                    + " until " + state.at("/grant/expiresAt").asText();
            case DENIED -> "the requester sees it as DENIED";
            case REVOKED -> "the grant is REVOKED; the broker's ACLs follow within seconds";
            case WITHDRAWN -> state.path("status").asText().equals("WITHDRAWN") ? "WITHDRAWN; it no longer waits for a decision"
                    : "its grant is REVOKED; the broker's ACLs follow within seconds";
        };
    }

    /** The catalog refuses such text too; saying so here spares a request that can only be rejected. */
    private static void refuseBadText(String option, String text) {
        FreeText.problem(option, text).ifPresent(problem -> {
            throw new MeshException(problem);
        });
    }

    private static MeshClientConfig acting(StateDirOption state, PrincipalOption as, String what) {
        if (as.choice == null) {
            throw new UsageError("say who you act as for access " + what + ": --as <principal> or --client-config <file>");
        }
        return as.clientConfig(state, null);
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
