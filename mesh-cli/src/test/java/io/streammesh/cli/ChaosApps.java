package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.audit.AuditVerifier;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.AppProcess;
import io.streammesh.testing.AuditTopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The platform apps of one chaos test: those it leaves alone run in the test's JVM, the one it
 * kills runs as a process of its own ({@link ChaosAppMain}). Closing stops them all, in reverse
 * order, and a process that does not stop cleanly within 30 s is killed, so no app outlives its
 * test to join the next test's consumer groups on the shared cluster. {@link #checkAfterFault}
 * is what every chaos test checks beside the records: apps running, grants as decided, the
 * audit trail still taking events and its chain intact.
 */
final class ChaosApps implements AutoCloseable {

    /** Kept after the run, so that a failure shows what a killed app did. */
    private static final Path LOGS = Path.of("target", "chaos-logs");

    private final EmbeddedMesh mesh;
    private final Path dir;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    /** The state of each app running in this JVM, by name. */
    private final Map<String, Supplier<KafkaStreams.State>> states = new LinkedHashMap<>();
    /** Processes started again after a kill: they must still run when the test checks. */
    private final List<Process> restarted = new ArrayList<>();
    private final int catalogPort;

    ChaosApps(EmbeddedMesh mesh, Path dir) {
        this.mesh = mesh;
        this.dir = dir;
        this.catalogPort = freePort();
    }

    /** The catalog in this JVM, its REST API on a free port. */
    CatalogApp catalog() {
        CatalogApp catalog = started(CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()),
                dir.resolve("catalog"), mesh.state().credentials(), 0)));
        states.put("catalog", catalog::state);
        return catalog;
    }

    /**
     * The five apps a record, a grant and an access go through, in this JVM, started in this
     * order: catalog, the enforcer's grants, its views, the gate, audit-sink.
     *
     * @return the catalog
     */
    CatalogApp all() {
        CatalogApp catalog = catalog();
        grants();
        views();
        gate();
        audit();
        return catalog;
    }

    /** audit-sink in this JVM. */
    AuditApp audit() {
        AuditApp audit = started(AuditApp.start(AuditConfig.embedded(mesh.clientConfig(PlatformApp.AUDIT.applicationId()),
                dir.resolve("audit"))));
        states.put("audit", audit::state);
        return audit;
    }

    /** The policy-enforcer's grant side (ACLs for approved grants) in this JVM. */
    GrantEnforcer grants() {
        return started(GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId())));
    }

    /** The policy-enforcer's views in this JVM, with the domains' key-encryption keys. */
    ViewApp views() {
        ViewApp views = started(ViewApp.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), dir.resolve("views"),
                ChaosAppMain.VIEW_SECRET.getBytes(StandardCharsets.UTF_8), new SimpleMeterRegistry(), mesh.state().keks()));
        states.put("views", views::state);
        return views;
    }

    /** The contract gate in this JVM; instances share the domains' key-encryption keys, as with {@code mesh app gate}. */
    GateApp gate() {
        GateApp gate = started(GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"),
                GateApp.CLEANUP_EVERY, 0, mesh.state().keks()));
        states.put("gate", gate::state);
        return gate;
    }

    /**
     * Starts {@code gate}, {@code enforcer} (its grants and views, as {@code mesh app enforcer}),
     * {@code catalog} or {@code audit} as a process of its own and waits until it runs. Each start
     * of an app keeps the same state directory (and, for the catalog, the same REST port), as an
     * operator's restart would.
     */
    Process process(String app) throws InterruptedException {
        PlatformApp principal = switch (app) {
            case "gate" -> PlatformApp.GATE;
            case "enforcer" -> PlatformApp.ENFORCER;
            case "catalog" -> PlatformApp.CATALOG;
            case "audit" -> PlatformApp.AUDIT;
            default -> throw new IllegalArgumentException("no chaos app '" + app + "'");
        };
        List<String> args = new ArrayList<>(List.of(app, mesh.state().clients().resolve(principal.applicationId() + ".properties")
                .toString(), dir.resolve(app + "-process").toString(), mesh.state().keks().toString()));
        if (app.equals("catalog")) {
            args.addAll(List.of(mesh.state().credentials().toString(), String.valueOf(catalogPort)));
        }
        try {
            Files.createDirectories(LOGS);
            Process process = AppProcess.start(ChaosAppMain.class, Files.createTempFile(LOGS, app + "-", ".log"),
                    app.toUpperCase(Locale.ROOT) + " RUNNING", args.toArray(String[]::new));
            running.push(() -> stop(process));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts an app killed before as a process again, as its supervisor (systemd, Kubernetes)
     * would; {@link #checkAfterFault} checks it still runs.
     */
    Process restart(String app) throws InterruptedException {
        Process process = process(app);
        restarted.add(process);
        return process;
    }

    /**
     * What every chaos test checks after its fault, beside the records: each app in this JVM back
     * to RUNNING and each restarted process running, without anyone's help; the grants decided
     * before the fault enforced as decided, through a full reconciliation of the enforcer's
     * ({@code decided}, or null where the test decides none before its fault); every partition of
     * every topic on the cluster led and in sync on three brokers; a refusal made now reaches the
     * audit trail, and the whole hash chain verifies.
     *
     * @return the numbers checked, for the test's output
     */
    String checkAfterFault(ChaosProduct product, ChaosProduct.Decided decided) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> states.values().stream().allMatch(s -> s.get() == KafkaStreams.State.RUNNING));
        // a restarted app's process ends itself when its app leaves RUNNING (ChaosAppMain), so alive means running
        assertThat(restarted).as("the restarted processes").allMatch(Process::isAlive);
        // every topic the mesh and its apps made (products, dead letters, views, changelogs, repartition topics) in sync on three brokers
        Set<String> names = mesh.admin().listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        var topics = new ArrayList<TopicDescription>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            topics.clear();
            topics.addAll(mesh.admin().describeTopics(names).allTopicNames().get().values());
            return topics.stream().flatMap(t -> t.partitions().stream()).allMatch(p -> p.leader() != null && p.isr().size() == 3);
        });
        if (decided != null) {
            product.assertEnforced(decided);
        }
        String refused = product.address().domain() + ".after-fault-" + System.nanoTime() + ".v1";
        mesh.onboarding().ensurePrincipal("chaos-marker", PrincipalKind.TEAM);
        try (Admin marker = Admin.create(mesh.clientConfig("chaos-marker").kafka())) {
            marker.deleteTopics(List.of(refused)).all().get();
            throw new AssertionError("chaos-marker deleted " + refused);
        } catch (ExecutionException e) {
            // the refusal is the access the trail must take after the fault
            assertThat(e.getCause()).isInstanceOf(TopicAuthorizationException.class);
        }
        // audit-sink may first work through every authorisation since the cluster started; each look reads the whole trail
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2)).until(() -> !AuditTopicReader.audit(mesh).events(
                (AuditEvent e) -> e.getPrincipal().equals("User:chaos-marker") && refused.equals(e.getResourceName())
                        && "DELETE".equals(e.getOperation()) && e.getDecision() == Decision.DENIED).isEmpty());
        AuditVerifier.Result chain = AuditVerifier.verify(mesh.clientConfig("mesh-admin"));
        assertThat(chain.intact()).as("%s", chain.firstBreak()).isTrue();
        Map<String, KafkaStreams.State> now = new LinkedHashMap<>();
        states.forEach((app, state) -> now.put(app, state.get()));
        return "apps " + now + ", " + topics.size() + " topics in sync on three brokers"
                + (restarted.isEmpty() ? "" : ", " + restarted.size() + " restarted process(es) running")
                + (decided == null ? "" : ", " + decided) + "; a refusal after the fault audited, chain intact over " + chain.total() + " events";
    }

    /** The REST address of the catalog that {@link #process process("catalog")} starts. */
    String catalogProcessUrl() {
        return "http://127.0.0.1:" + catalogPort;
    }

    /** Kills a process as {@code kill -9} would: no clean close, no final commit. */
    static void kill(Process process) throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill(process);
        }
    }

    private <T extends AutoCloseable> T started(T app) {
        running.push(app);
        return app;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the catalog's REST API", e);
        }
    }
}
