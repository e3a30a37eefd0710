package io.streammesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.client.CatalogClient;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.catalog.GovernancePolicy;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.ProductAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh catalog search|show|lineage|rejections}: discovering data products. */
@Command(name = "catalog", mixinStandardHelpOptions = true, addMethodSubcommands = false, description = "Discovers data products in the governed catalog.")
final class CatalogCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "search", mixinStandardHelpOptions = true, description = "Finds products by words, domain, tag or classification.")
    int search(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog,
               @Parameters(paramLabel = "WORDS", arity = "0..1", description = "Words in the address, description, tags or owner.") String words,
               @Option(names = "--domain", paramLabel = "DOMAIN") String domain,
               @Option(names = "--tag", paramLabel = "TAG") String tag,
               @Option(names = "--classification", paramLabel = "LEVEL") String classification) {
        String query = query("q", words) + query("domain", domain) + query("tag", tag) + query("classification", classification);
        JsonNode result = catalog.client(state, as.clientConfig(state, MeshPrincipal.ADMIN.name()))
                .get("/api/products" + (query.isEmpty() ? "" : "?" + query.substring(1)));
        if (catalog.format() == OutputFormat.json) {
            return print(result);
        }
        var table = new Table("ADDRESS", "VERSION", "STATUS", "HEALTH", "CLASSIFICATION", "OWNER", "DESCRIPTION");
        result.path("products").forEach(p -> table.row(p.path("address").asText(), p.path("version").asText(), p.path("status").asText(),
                p.at("/health/status").asText(), p.path("classification").asText(), p.at("/owner/team").asText(), p.path("description").asText()));
        table.print(out(), catalog.format());
        return Mesh.OK;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a product: owner, schema, views, rules, SLO, lineage.")
    int show(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog,
             @Parameters(paramLabel = "ADDRESS") ProductAddress product,
             @Option(names = "--contract", arity = "0..1", fallbackValue = "odcs", paramLabel = "FORMAT",
                     description = "Print the published contract instead, as the catalog serves it: odcs (the default) or streammesh.")
             String contract) {
        OutputFormat format = catalog.formatOfOneItem(spec.commandLine().getSubcommands().get("show"));
        CatalogClient client = catalog.client(state, as.clientConfig(state, MeshPrincipal.ADMIN.name()));
        if (contract != null) {
            String document = client.text("/api/products/" + product + "/contract?format=" + URLEncoder.encode(contract, StandardCharsets.UTF_8));
            // Line by line: the document's lines stay lines, control characters in them do not reach the terminal.
            document.lines().map(TerminalText::escape).forEach(out()::println);
            out().flush();
            return Mesh.OK;
        }
        Optional<JsonNode> found = client.find("/api/products/" + product);
        if (found.isEmpty()) {
            return notInCatalog(client, product, format == OutputFormat.json);
        }
        JsonNode p = found.get();
        if (format == OutputFormat.json) {
            return print(p);
        }
        PrintWriter out = out();
        var reading = ViewReading.of(state, as, client, product);
        TerminalText.printf(out, "%s  (version %s, %s, %s)%n", p.path("address").asText(), p.path("version").asText(), p.path("status").asText(),
                p.path("classification").asText());
        TerminalText.printf(out, "  %s%n", p.path("description").asText());
        TerminalText.printf(out, "  health       %s%s%n", p.at("/health/status").asText(), p.at("/health/reason").isTextual()
                ? " (" + p.at("/health/reason").asText() + ")" : String.format(" (%.1f records/s, %.1f%% dead-lettered, last record %s)",
                p.at("/health/throughputPerSecond").asDouble(), 100 * p.at("/health/deadLetterRate").asDouble(), p.at("/health/lastRecordAt").asText("-")));
        TerminalText.printf(out, "  owner        %s (%s), %s%n", p.at("/owner/team").asText(), p.at("/owner/principal").asText(), p.at("/owner/contact").asText());
        TerminalText.printf(out, "  topic        %s   dead letters: %s%n", p.path("topic").asText(), p.path("deadLetterTopic").asText());
        TerminalText.printf(out, "  ingest       %s%s%n", p.at("/ingest/topic").asText(),
                p.at("/ingest/retentionMs").isNumber() ? " (retention " + retention(p.at("/ingest/retentionMs").asLong()) + ")" : "");
        TerminalText.printf(out, "  gate         lag %s, %.1f%% dead-lettered this window%n",
                p.at("/health/gateLag").isNumber() ? p.at("/health/gateLag").asLong() + " records" : "unknown",
                100 * p.at("/health/deadLetterRate").asDouble());
        TerminalText.printf(out, "  schema       %s version %s, id %s  %s%n", p.at("/schema/subject").asText(), p.at("/schema/version").asText(),
                p.at("/schema/contentId").asText(), p.at("/schema/url").asText(""));
        TerminalText.printf(out, "  PII fields   %s%n", join(p.path("piiFields")));
        TerminalText.printf(out, "  SLO          freshness %s ms, max dead-letter rate %s%n", p.at("/slo/freshnessMs").asText(), p.at("/slo/maxViolationRate").asText());
        p.path("qualityRules").forEach(r -> TerminalText.printf(out, "  rule         %s: %s%n", r.path("name").asText(), r.path("rule").asText()));
        p.path("views").forEach(v -> {
            TerminalText.printf(out, "  view         %s (%s)%s%s%n", v.path("name").asText(), v.path("access").asText().toLowerCase(),
                    v.path("filter").isNull() ? "" : " filter " + v.path("filter").asText(),
                    v.path("masks").isEmpty() ? "" : " masks " + v.path("masks"));
            TerminalText.printf(out, "               state %s%n", viewState(v.path("status")));
            // A view that neither filters nor masks is read from the product topic itself, as its grant says.
            boolean transformed = v.path("filter").isTextual() || !v.path("masks").isEmpty();
            String topic = transformed ? product.viewTopic(v.path("name").asText()) : product.topic();
            TerminalText.printf(out, "               topic %s%n", topic);
            TerminalText.printf(out, "               read  %s%n", reading.howToRead(topic, v.path("name").asText()));
        });
        TerminalText.printf(out, "  lineage      upstream %s; downstream %s%n", join(p.at("/lineage/upstream")), join(p.at("/lineage/downstream")));
        if (p.has("lastRejection")) {
            TerminalText.printf(out, "  last rejected update: %s%n", join(p.at("/lastRejection/reasons").findValues("message")));
        }
        out.flush();
        return Mesh.OK;
    }

    /** A retention in the largest whole unit: {@code 1 d}, {@code 12 h}, {@code 30 min}, {@code 45 s}. */
    static String retention(long millis) {
        Duration retention = Duration.ofMillis(millis);
        if (retention.toDaysPart() > 0 && retention.toHoursPart() == 0 && retention.toMinutesPart() == 0 && retention.toSecondsPart() == 0) {
            return retention.toDays() + " d";
        }
        if (retention.toMinutesPart() == 0 && retention.toSecondsPart() == 0) {
            return retention.toHours() + " h";
        }
        return retention.toSecondsPart() == 0 ? retention.toMinutes() + " min" : retention.toSeconds() + " s";
    }

    /** A product catalog-stream never admitted is findable by its rejection (shown to its domain and the platform). */
    private int notInCatalog(CatalogClient client, ProductAddress product, boolean json) {
        Set<JsonNode> rejections = CatalogRejections.none(product.toString()).shown(client);
        if (rejections.isEmpty()) {
            throw new MeshException("no product " + product + " in the catalog");
        }
        if (json) {
            print(rejections.iterator().next());
            return Mesh.FAILED;
        }
        rejections.forEach(r -> CatalogRejections.print(err(), "the registration of " + product, r));
        TerminalText.printf(err(), "mesh: no product %s in the catalog: its domain fixes the contract and publishes it again%n", product);
        err().flush();
        return Mesh.FAILED;
    }

    /** A view's state as the policy-enforcer reports it, with the reason when it is not OK. */
    static String viewState(JsonNode status) {
        return status.path("state").asText("UNKNOWN") + (status.path("reason").isTextual()
                ? " (" + status.path("reason").asText() + (status.path("failures").asLong() > 0 ? ", " + status.path("failures").asLong()
                + " records failed in a row" : "") + ")" : "");
    }

    @Command(name = "lineage", mixinStandardHelpOptions = true, description = "Shows where a product comes from and what is derived from it, all the way.")
    int lineage(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog,
                @Parameters(paramLabel = "ADDRESS") ProductAddress product) {
        OutputFormat format = catalog.formatOfOneItem(spec.commandLine().getSubcommands().get("lineage"));
        var client = catalog.client(state, as.clientConfig(state, MeshPrincipal.ADMIN.name()));
        String root = product.toString();
        if (format == OutputFormat.json) {
            return print(client.get("/api/products/" + root + "/lineage"));
        }
        PrintWriter out = out();
        out.println("upstream (derived from):");
        walk(client, root, "upstream", "  ", new HashSet<>(), out);
        out.println(root);
        out.println("downstream (derived from it):");
        walk(client, root, "downstream", "  ", new HashSet<>(), out);
        out.flush();
        return Mesh.OK;
    }

    @Command(name = "rejections", mixinStandardHelpOptions = true, description = "Shows refused registrations, requests and decisions, one reason per broken rule.")
    int rejections(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin CatalogOption catalog,
                   @Option(names = "--subject", paramLabel = "ADDRESS|REQUEST") String subject,
                   @Option(names = "--domain", paramLabel = "DOMAIN") String domain) {
        String query = query("subject", subject) + query("domain", domain);
        JsonNode result = catalog.client(state, as.clientConfig(state, MeshPrincipal.ADMIN.name()))
                .get("/api/rejections" + (query.isEmpty() ? "" : "?" + query.substring(1)));
        if (catalog.format() == OutputFormat.json) {
            return print(result);
        }
        var table = new Table("SUBJECT", "TOPIC", "WHEN", "RULE", "REASON");
        result.path("rejections").forEach(r -> r.path("reasons").forEach(reason -> table.row(r.path("subject").asText(),
                r.path("sourceTopic").asText(), r.path("rejectedAt").asText(), reason.path("rule").asText(), reason.path("message").asText())));
        table.print(out(), catalog.format());
        return Mesh.OK;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Runs catalog-stream (and its REST API) on its own, against any cluster, until Ctrl-C.",
                    "mesh up runs it already; use this for another instance or a cluster of your own. Instances share the work."})
    int serve(@Mixin StateDirOption state, @Mixin PrincipalOption as,
              @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + CatalogConfig.DEFAULT_REST_PORT,
                      description = "The REST API's port (default: ${DEFAULT-VALUE}; 0 picks a free one).") int port,
              @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
                      description = "The address the REST API binds to and other instances reach it at (default: ${DEFAULT-VALUE}).") String host,
              @Option(names = "--credentials", paramLabel = "FILE",
                      description = "The mesh's credential store REST callers authenticate against (default: the state directory's).") Path credentials,
              @Option(names = "--app-dir", paramLabel = "DIR",
                      description = "Where Kafka Streams keeps local state (default: <state-dir>/apps/mesh-catalog-<port>).") Path appDir,
              @Option(names = "--governance", paramLabel = "FILE",
                      description = "The global rules (default: the built-in governance.yaml).") Path governance) throws InterruptedException {
        var directory = state.directory();
        var config = CatalogConfig.embedded(as.clientConfig(state, PlatformApp.CATALOG.applicationId()),
                appDir != null ? appDir : directory.root().resolve("apps").resolve(PlatformApp.CATALOG.applicationId() + "-" + port),
                credentials != null ? credentials : directory.credentials(), port);
        config = config.withRest(host, port);
        if (governance != null) {
            config = config.withGovernance(GovernancePolicy.load(governance));
        }
        var stopped = new CountDownLatch(1);
        CatalogApp app = CatalogApp.start(config, directory.keks());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "catalog-shutdown"));
        out().printf("catalog-stream is running; REST API at %s/api (Ctrl-C to stop)%n", app.restUrl());
        out().flush();
        stopped.await();
        return Mesh.OK;
    }

    private static void walk(io.streammesh.client.CatalogClient client, String address, String direction, String indent,
                             Set<String> seen, PrintWriter out) {
        if (!seen.add(address)) {
            return;
        }
        JsonNode lineage = client.get("/api/products/" + address + "/lineage");
        for (JsonNode next : lineage.path(direction)) {
            out.println(indent + TerminalText.escape(next.asText()));
            try {
                walk(client, next.asText(), direction, indent + "  ", seen, out);
            } catch (io.streammesh.schema.MeshException e) {
                out.println(indent + "  (" + TerminalText.escape(e.getMessage()) + ")");
            }
        }
    }

    private int print(JsonNode node) {
        out().println(TerminalText.json(node, true));
        out().flush();
        return Mesh.OK;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    static String query(String key, String value) {
        return value == null || value.isBlank() ? "" : "&" + key + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String join(JsonNode array) {
        return join(array == null ? List.of() : toList(array));
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static String join(List<JsonNode> items) {
        return items.isEmpty() ? "-" : String.join(", ", items.stream().map(JsonNode::asText).toList());
    }
}
