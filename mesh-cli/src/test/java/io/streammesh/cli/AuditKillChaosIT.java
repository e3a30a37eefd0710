package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.MeshTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * The chaos suite's audit fault on a three-broker cluster: audit-sink, in a JVM of its own, is
 * killed ({@code kill -9}) while a principal is refused access over and over and records flow.
 * After its restart every refusal is in the audit trail exactly once, the hash chain verifies,
 * and every product, DLQ and view record is there exactly once.
 */
@MeshTest(brokers = 3)
class AuditKillChaosIT {

    private static final int BATCH = 1_000;
    private static final int REFUSALS = 300;

    @TempDir
    Path dir;

    @Test
    @Timeout(660)
    void killingTheAuditSinkMidStreamNeitherLosesNorRepeatsAnEventAndKeepsTheChain(EmbeddedMesh mesh) throws Exception {
        try (var apps = new ChaosApps(mesh, dir)) {
            var catalog = apps.catalog();
            apps.grants();
            apps.views();
            apps.gate();
            Process first = apps.process("audit");
            ChaosProduct product = ChaosProduct.publish(mesh, "chaos-audit", dir);
            var decided = product.decideGrants(catalog.restUrl());
            mesh.onboarding().ensurePrincipal("chaos-snoop", PrincipalKind.TEAM);
            int acknowledged = product.produce(0, BATCH);
            // each refused topic deletion is an access the audit trail must hold exactly once
            CompletableFuture<Void> refused = CompletableFuture.runAsync(() -> {
                try (Admin snoop = Admin.create(mesh.clientConfig("chaos-snoop").kafka())) {
                    for (int i = 0; i < REFUSALS; i++) {
                        try {
                            snoop.deleteTopics(List.of("chaos-audit.t-" + i + ".v1")).all().get();
                        } catch (ExecutionException refusedAsExpected) {
                            // the audit trail counts it below
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
            ChaosApps.kill(first);
            acknowledged += product.produce(BATCH, 2 * BATCH);
            refused.get(120, TimeUnit.SECONDS);

            apps.restart("audit");
            await().atMost(Duration.ofSeconds(180)).until(() -> audit.sumOfCounts(refusals) >= REFUSALS);
            Map<String, Long> perTopic = audit.events(refusals).stream()
                    .collect(Collectors.groupingBy(AuditEvent::getResourceName, Collectors.summingLong(AuditEvent::getCount)));
            assertThat(perTopic).as("every refusal").hasSize(REFUSALS);
            assertThat(perTopic.values()).as("each exactly once").containsOnly(1L);
            ChaosProduct.Checked checked = product.checkExactlyOnce(acknowledged);
            String after = apps.checkAfterFault(product, decided);
            System.out.printf("chaos audit-kill: audit-sink killed (kill -9) mid-stream and restarted; %d refusals audited once each; "
                    + "%d records acknowledged; %s; %s%n", REFUSALS, acknowledged, checked, after);
        }
    }
}
