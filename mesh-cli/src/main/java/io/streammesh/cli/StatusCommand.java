package io.streammesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.CatalogClient;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.embedded.MeshStatus;
import io.streammesh.client.PlatformApp;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.schema.MeshTopics;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mesh status}: whether a mesh runs on the state directory, and what it runs. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Says whether a mesh is running on the state directory and what it runs; exit 0 only when "
                + "its broker, registry and catalog all answer.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StateDirOption state;

    @Mixin
    PrincipalOption principal;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        OutputFormat format = output.formatOfOneItem(spec.commandLine());
        var directory = state.directory();
        MeshStatus status = RunningMesh.find(directory);
        try (var mesh = RunningMesh.open(state, principal, MeshPrincipal.ADMIN.name())) {
            int brokers;
            int topics;
            try {
                brokers = mesh.admin().describeCluster().nodes().get(15, TimeUnit.SECONDS).size();
                topics = mesh.admin().listTopics(new ListTopicsOptions().listInternal(false)).names()
                        .get(15, TimeUnit.SECONDS).size();
            } catch (Exception e) {
                throw new MeshException("the mesh on " + directory.root() + " (pid " + status.pid()
                        + ") does not answer on " + status.bootstrapServers() + ": " + rootMessage(e), e);
            }
            String registry = health(status.endpoints().registryUrl() + "/health/ready");
            String catalog = status.catalogUrl() == null ? "not running" : health(status.catalogUrl() + "/health");
            String audit = appState(mesh.admin(), PlatformApp.AUDIT.applicationId());
            List<String> principals = mesh.onboarding().principals().stream().map(MeshPrincipal::name).toList();
            Views views = catalog.equals("up")
                    ? degradedViews(new CatalogClient(status.catalogUrl(), principal.clientConfig(state, MeshPrincipal.ADMIN.name())))
                    : new Views(null, null);
            PrintWriter out = spec.commandLine().getOut();
            if (format == OutputFormat.json) {
                ObjectNode json = JsonNodeFactory.instance.objectNode().put("stateDir", directory.root().toString())
                        .put("pid", status.pid()).put("startedAt", String.valueOf(status.startedAt()));
                json.putObject("broker").put("bootstrapServers", status.bootstrapServers()).put("state", "up")
                        .put("brokers", brokers).put("topics", topics);
                json.putObject("registry").put("url", status.endpoints().registryApiUrl()).put("state", registry)
                        .put("restarts", status.registryRestarts());
                json.putObject("catalog").put("url", status.catalogUrl() == null ? null : status.catalogUrl() + "/api").put("state", catalog);
                json.putObject("ingest").put("url", status.ingestUrl() == null ? null : status.ingestUrl() + "/api/products/<address>/records");
                json.putObject("audit").put("topic", MeshTopics.AUDIT).put("state", audit);
                principals.forEach(json.putArray("principals")::add);
                json.set("degradedViews", views.degraded());
                json.put("viewsUnknown", views.unknown());
                out.println(TerminalText.json(json, true));
            } else {
                TerminalText.printf(out, "StreamMesh is running on %s (pid %d, ready since %s)%n", directory.root(), status.pid(), status.startedAt());
                TerminalText.printf(out, "  Kafka broker      %s   up: %d broker(s), %d topic(s)%n", status.bootstrapServers(), brokers, topics);
                TerminalText.printf(out, "  Schema registry   %s   %s%s%n", status.endpoints().registryApiUrl(), registry,
                        status.registryRestarts() == 0 ? "" : " (restarted " + status.registryRestarts() + " time(s) after it died)");
                TerminalText.printf(out, "  Catalog API       %s   %s%n", status.catalogUrl() == null ? "-" : status.catalogUrl() + "/api", catalog);
                TerminalText.printf(out, "  Ingest API        %s%n", status.ingestUrl() == null ? "-" : status.ingestUrl() + "/api/products/<address>/records");
                TerminalText.printf(out, "  Audit trail       %s   audit-sink %s (check it: ./mesh audit verify)%n", MeshTopics.AUDIT, audit);
                TerminalText.printf(out, "  Principals        %s%n", String.join(", ", principals));
                if (catalog.equals("up")) {
                    printDegradedViews(views, out);
                }
            }
            out.flush();
            return registry.equals("up") && catalog.equals("up") ? Mesh.OK : Mesh.FAILED;
        }
    }

    /** Views the policy-enforcer reports DEGRADED, or why the catalog could not say. */
    private record Views(JsonNode degraded, String unknown) {
    }

    private static Views degradedViews(CatalogClient catalog) {
        try {
            return new Views(catalog.get("/api/views?state=DEGRADED").path("views"), null);
        } catch (MeshException e) {
            return new Views(null, e.getMessage());
        }
    }

    /** Views of any product that the policy-enforcer reports DEGRADED, each with its reason. */
    private static void printDegradedViews(Views views, PrintWriter out) {
        if (views.degraded() == null) {
            TerminalText.printf(out, "  Views             unknown (%s)%n", views.unknown());
            return;
        }
        JsonNode degraded = views.degraded();
        if (degraded.isEmpty()) {
            out.printf("  Views             none degraded%n");
            return;
        }
        out.printf("  Views             %d degraded:%n", degraded.size());
        degraded.forEach(view -> TerminalText.printf(out, "    %s view %s: %s%n", view.path("address").asText(), view.path("view").asText(),
                CatalogCommand.viewState(view)));
    }

    /** A platform app runs when its consumer group has live members. */
    private static String appState(Admin admin, String applicationId) {
        try {
            boolean members = !admin.describeConsumerGroups(List.of(applicationId)).all().get(15, TimeUnit.SECONDS)
                    .get(applicationId).members().isEmpty();
            return members ? "running" : "not running";
        } catch (Exception e) {
            return "unknown (" + rootMessage(e) + ")";
        }
    }

    /** Over {@link HttpURLConnection}: {@code java.net.http} would set up TLS for plain HTTP, a fifth of this command's time. */
    private static String health(String url) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout((int) Duration.ofSeconds(3).toMillis());
            connection.setReadTimeout((int) Duration.ofSeconds(5).toMillis());
            int code = connection.getResponseCode();
            return code == 200 ? "up" : "not ready (HTTP " + code + ")";
        } catch (IOException e) {
            return "down (" + e.getClass().getSimpleName() + ")";
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
