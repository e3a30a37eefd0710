package io.streammesh.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.types.RowKind;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mesh audit query --flink}: the statement the embedded engine runs, submitted to a Flink
 * session cluster in a JVM of its own ({@link FlinkSessionProcess}), whose class path has neither
 * the tables' format nor the Kafka connector: they arrive as the jars the job ships.
 */
@MeshTest
class FlinkSessionAuditQueryIT {

    private static final String SQL = "SELECT principal, operation, decision, SUM(event_count) AS events FROM audit "
            + "WHERE resource_name = 'flink-it.not-yours.v1' AND operation = 'DELETE' GROUP BY principal, operation, decision";
    private static final String[] MISSING_CLASS = {"ClassNotFoundException", "NoClassDefFoundError"};

    /** Kept when a test fails: the cluster's output (flink-session.log). */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    private static AuditApp audit;
    private static FlinkSessionProcess cluster;
    private static FlinkSession session;

    @BeforeAll
    static void startAuditAndAFlinkCluster(EmbeddedMesh mesh) throws IOException {
        audit = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), dir.resolve("audit")));
        int restPort = freePort();
        cluster = FlinkSessionProcess.start(dir, restPort);
        session = new FlinkSession("127.0.0.1", restPort);
    }

    @AfterAll
    static void stopThem() {
        if (cluster != null) {
            cluster.close();
        }
        if (audit != null) {
            audit.close();
        }
    }

    @Test
    void theSessionClusterGivesTheRowsTheEmbeddedEngineGives(EmbeddedMesh mesh) throws Exception {
        refuse(mesh, "flink-vandal", 12);
        refuse(mesh, "flink-other", 3);
        List<List<Object>> expected = List.of(List.of("User:flink-other", "DELETE", "DENIED", 3L),
                List.of("User:flink-vandal", "DELETE", "DENIED", 12L));
        // each run is a Flink job of several seconds: wait until mesh.audit holds the refusals, then run each engine once
        await().atMost(Duration.ofSeconds(60)).until(() -> sealedDeletes(mesh), Map.of("User:flink-other", 3L, "User:flink-vandal", 12L)::equals);
        List<List<Object>> embedded = sorted(query(mesh, null));
        assertThat(embedded).isEqualTo(expected);
        int jobsBefore = finishedJobs();

        List<List<Object>> remote = sorted(query(mesh, session));

        assertThat(remote).isEqualTo(embedded);
        assertThat(finishedJobs()).as("jobs the cluster finished").isEqualTo(jobsBefore + 1);
        assertThat(cluster.output()).doesNotContain(MISSING_CLASS);
    }

    @Test
    void aStatementTheEngineRefusesIsRefusedBeforeAnythingIsSubmitted(EmbeddedMesh mesh) throws Exception {
        int jobsBefore = finishedJobs();

        assertThatThrownBy(() -> AuditQuery.run(mesh.clientConfig("mesh-admin"), "INSERT INTO audit SELECT * FROM audit",
                AuditQuery.Scan.everything(), collect(new ArrayList<>()), session)).isInstanceOf(AuditQuery.QueryException.class);
        assertThat(finishedJobs()).isEqualTo(jobsBefore);
    }

    @Test
    void aClusterThatDoesNotAnswerEndsTheQueryWithItsAddress(EmbeddedMesh mesh) throws IOException {
        var nobody = new FlinkSession("127.0.0.1", freePort());

        assertThatThrownBy(() -> AuditQuery.run(mesh.clientConfig("mesh-admin"), SQL, AuditQuery.Scan.everything(),
                collect(new ArrayList<>()), nobody))
                .isInstanceOf(AuditQuery.QueryException.class)
                .hasMessageStartingWith("the Flink cluster at " + nobody + " did not take the query: ");
    }

    @Test
    void anAddressThatIsNotHostAndPortIsRefusedNamingIt() {
        assertThatThrownBy(() -> FlinkSession.parse("jobmanager"))
                .hasMessage("--flink wants the JobManager's REST address as host:port, not jobmanager");
        assertThatThrownBy(() -> FlinkSession.parse("jobmanager:http"))
                .hasMessage("--flink wants the JobManager's REST address as host:port, not jobmanager:http");
        assertThat(FlinkSession.parse("jobmanager:8081")).isEqualTo(new FlinkSession("jobmanager", 8081));
    }

    /** @return the refused DELETEs of the test's topic that audit-sink has sealed into mesh.audit, per principal */
    private static Map<String, Long> sealedDeletes(EmbeddedMesh mesh) {
        MeshClientConfig admin = mesh.clientConfig("mesh-admin");
        var reader = TopicReader.of(admin.kafka(), new ByteArrayDeserializer(), MeshSerdes.<AuditEvent>valueDeserializer(admin, true));
        return reader.committed(MeshTopics.AUDIT).stream().map(ConsumerRecord::value)
                .filter(event -> "flink-it.not-yours.v1".equals(event.getResourceName()) && "DELETE".equals(event.getOperation()))
                .collect(Collectors.groupingBy(AuditEvent::getPrincipal, Collectors.summingLong(AuditEvent::getCount)));
    }

    /** @return the number of jobs the cluster's REST API reports FINISHED */
    private static int finishedJobs() throws IOException, InterruptedException {
        String overview = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + session + "/jobs/overview")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return overview.split("\"state\":\"FINISHED\"", -1).length - 1;
    }

    private static List<List<Object>> query(EmbeddedMesh mesh, FlinkSession on) {
        var rows = new ArrayList<List<Object>>();
        if (on == null) {
            AuditQuery.run(mesh.clientConfig("mesh-admin"), SQL, AuditQuery.Scan.everything(), collect(rows));
        } else {
            AuditQuery.run(mesh.clientConfig("mesh-admin"), SQL, AuditQuery.Scan.everything(), collect(rows), on);
        }
        return rows;
    }

    private static List<List<Object>> sorted(List<List<Object>> rows) {
        return rows.stream().sorted(Comparator.comparing(Object::toString)).toList();
    }

    private static AuditQuery.ResultSink collect(List<List<Object>> rows) {
        return new AuditQuery.ResultSink() {
            @Override
            public void columns(List<String> names) {
            }

            @Override
            public void row(RowKind kind, List<Object> values) {
                rows.add(values);
            }
        };
    }

    private static void refuse(EmbeddedMesh mesh, String principal, int times) {
        mesh.onboarding().ensurePrincipal(principal, PrincipalKind.TEAM);
        try (Admin admin = Admin.create(mesh.clientConfig(principal).kafka())) {
            for (int i = 0; i < times; i++) {
                assertThatThrownBy(() -> admin.deleteTopics(List.of("flink-it.not-yours.v1")).all().get())
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
