package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.audit.AuditVerifier;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.AppProcess;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.MeshTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's app faults on a three-broker cluster: the contract gate, the policy-enforcer's
 * views, the catalog and audit-sink, each in a JVM of its own ({@link ChaosAppMain}), killed with
 * no clean close ({@code kill -9}) while records flow, then started again. After it, each
 * acknowledged record is in the product or the DLQ exactly once and the view holds exactly the
 * records its filter lets through, once each; a request approved while the catalog was down is
 * granted once; every access refused while audit-sink was down is audited once, the chain intact.
 * Each test prints the numbers it checked.
 */
@MeshTest(brokers = 3)
class AppKillChaosIT {

    private static final int BATCH = 1_000;
    private static final int REFUSALS = 300;
    /** Kept after the run, so that a failure shows what the killed app did. */
    private static final Path LOGS = Path.of("target", "chaos-logs");

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void killingTheGateMidStreamKeepsEveryProductAndDeadLetterRecordExactlyOnce(EmbeddedMesh mesh) throws Exception {
        try (var catalog = startCatalog(mesh);
             var grants = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             var views = startViews(mesh)) {
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-gate", dir);
            Process first = startProcess(mesh, "gate", PlatformApp.GATE);
            int acknowledged = product.produce(0, 2 * BATCH);
            await().atMost(Duration.ofSeconds(60)).until(() -> product.endOffsets(product.address().topic()) > BATCH / 2);
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            acknowledged += product.produce(2 * BATCH, 3 * BATCH);

            Process second = startProcess(mesh, "gate", PlatformApp.GATE);
            try {
                ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
                System.out.printf("chaos gate-kill: gate killed (kill -9) mid-stream and restarted; %d records acknowledged; %s%n",
                        acknowledged, checked);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(300)
    void killingTheEnforcerViewsMidStreamKeepsEveryViewRecordExactlyOnce(EmbeddedMesh mesh) throws Exception {
        try (var catalog = startCatalog(mesh);
             var grants = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0,
                     mesh.state().keks())) {
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-views", dir);
            Process first = startProcess(mesh, "views", PlatformApp.ENFORCER);
            int acknowledged = product.produce(0, 2 * BATCH);
            await().atMost(Duration.ofSeconds(60)).until(() -> product.endOffsets(product.view()) > BATCH / 2);
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            acknowledged += product.produce(2 * BATCH, 3 * BATCH);

            Process second = startProcess(mesh, "views", PlatformApp.ENFORCER);
            try {
                ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
                System.out.printf("chaos views-kill: enforcer views killed (kill -9) mid-stream and restarted; %d records acknowledged; %s%n",
                        acknowledged, checked);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(300)
    void killingTheCatalogWhileARequestIsApprovedGrantsItExactlyOnceAfterItsRestart(EmbeddedMesh mesh) throws Exception {
        int port = freePort();
        try (var grants = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             var views = startViews(mesh);
             var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0,
                     mesh.state().keks())) {
            Process first = startProcess(mesh, "catalog", PlatformApp.CATALOG, mesh.state().credentials().toString(), String.valueOf(port));
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-catalog", dir);
            var rest = new CatalogClient("http://127.0.0.1:" + port, mesh.clientConfig(product.address().domain()));
            String request = product.requestAnalytics("chaos-catalog-team", rest);
            int acknowledged = product.produce(0, BATCH);
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            product.decide(request, DecisionKind.APPROVED);
            acknowledged += product.produce(BATCH, 2 * BATCH);

            Process second = startProcess(mesh, "catalog", PlatformApp.CATALOG, mesh.state().credentials().toString(), String.valueOf(port));
            try {
                await().atMost(Duration.ofSeconds(120)).until(() -> product.viewReadableBy("chaos-catalog-team"));
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> rest.get("/api/access/requests/" + request).path("status").asText().equals("APPROVED"));
                acknowledged += product.produce(2 * BATCH, 3 * BATCH);
                ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
                Map<String, Integer> grantCopies = product.committedCopies(MeshTopics.ACCESS_GRANTS, Set.of(request));
                assertThat(grantCopies).as("the grant for %s in %s", request, MeshTopics.ACCESS_GRANTS).containsEntry(request, 1);
                System.out.printf("chaos catalog-kill: catalog killed (kill -9) and request %s approved while it was down; after "
                        + "its restart the grant is in %s once and the view's READ ACL present; %d records acknowledged; %s%n",
                        request, MeshTopics.ACCESS_GRANTS, acknowledged, checked);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(420)
    void killingTheAuditSinkMidStreamNeitherLosesNorRepeatsAnEventAndKeepsTheChain(EmbeddedMesh mesh) throws Exception {
        try (var catalog = startCatalog(mesh);
             var grants = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             var views = startViews(mesh);
             var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0,
                     mesh.state().keks())) {
            Process first = startProcess(mesh, "audit", PlatformApp.AUDIT);
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-audit", dir);
            mesh.onboarding().ensurePrincipal("chaos-snoop", PrincipalKind.TEAM);
            int acknowledged = product.produce(0, BATCH);
            // each refused read of the product is an access the audit trail must hold exactly once
            CompletableFuture<Void> refused = CompletableFuture.runAsync(() -> {
                try (Admin snoop = Admin.create(mesh.clientConfig("chaos-snoop").kafka())) {
                    for (int i = 0; i < REFUSALS; i++) {
                        try {
                            snoop.deleteTopics(List.of("chaos-audit.t-" + i + ".v1")).all().get();
                        } catch (ExecutionException refusedAsExpected) {
                            // counted below
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            });
            Predicate<AuditEvent> refusals = e -> e.getPrincipal().equals("User:chaos-snoop") && "DELETE".equals(e.getOperation())
                    && e.getResourceName().startsWith("chaos-audit.t-");
            var audit = AuditTopicReader.audit(mesh);
            // audit-sink works through every authorisation since the cluster started first (tens of thousands)
            await().atMost(Duration.ofSeconds(180)).until(() -> audit.sumOfCounts(refusals), seen -> seen >= REFUSALS / 10);
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            acknowledged += product.produce(BATCH, 2 * BATCH);
            refused.get(120, TimeUnit.SECONDS);

            Process second = startProcess(mesh, "audit", PlatformApp.AUDIT);
            try {
                await().atMost(Duration.ofSeconds(180)).until(() -> audit.sumOfCounts(refusals) >= REFUSALS);
                Map<String, Long> perTopic = audit.events(refusals).stream()
                        .collect(Collectors.groupingBy(AuditEvent::getResourceName, Collectors.summingLong(AuditEvent::getCount)));
                assertThat(perTopic).as("every refusal").hasSize(REFUSALS);
                assertThat(perTopic.values()).as("each exactly once").containsOnly(1L);
                AuditVerifier.Result chain = AuditVerifier.verify(mesh.clientConfig("mesh-admin"));
                assertThat(chain.intact()).as("%s", chain.firstBreak()).isTrue();
                ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
                System.out.printf("chaos audit-kill: audit-sink killed (kill -9) mid-stream and restarted; %d refusals audited once each; "
                        + "chain intact over %d events; %d records acknowledged; %s%n", REFUSALS, chain.total(), acknowledged, checked);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private CatalogApp startCatalog(EmbeddedMesh mesh) {
        return CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()), dir.resolve("catalog"),
                mesh.state().credentials(), 0));
    }

    private ViewApp startViews(EmbeddedMesh mesh) {
        return ViewApp.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()), dir.resolve("views"),
                ChaosAppMain.VIEW_SECRET.getBytes(StandardCharsets.UTF_8), new SimpleMeterRegistry(), mesh.state().keks());
    }

    private Process startProcess(EmbeddedMesh mesh, String app, PlatformApp principal, String... more) throws Exception {
        Path config = mesh.state().clients().resolve(principal.applicationId() + ".properties");
        Files.createDirectories(LOGS);
        List<String> args = new ArrayList<>(List.of(app, config.toString(), dir.resolve(app + "-process").toString(),
                mesh.state().keks().toString()));
        args.addAll(List.of(more));
        return AppProcess.start(ChaosAppMain.class, Files.createTempFile(LOGS, app + "-", ".log"), app.toUpperCase(Locale.ROOT)
                + " RUNNING", args.toArray(String[]::new));
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
