package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.IngestGrants;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicOffsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP ingest on the real mesh: a file posted as a domain goes to the product's ingest topic
 * as that domain, checked as {@code mesh produce} checks it; a wrong password, another tenant and
 * a header naming someone else write nothing, and the broker audits the refusal; one tenant holds
 * at most one ingest and never more than the body limit.
 */
@MeshTest
class IngestApiIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REFUSED = "(not authorised to|refused by the broker: User:http-other may not)";

    @TempDir
    Path dir;

    private CatalogApp catalog;
    private IngestApi api;

    @BeforeEach
    void start(EmbeddedMesh mesh) {
        catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()), dir.resolve("catalog"),
                mesh.state().credentials(), 0));
        api = IngestApi.start("127.0.0.1", 0, catalog.restUrl(), mesh.clientConfig(PlatformApp.GATE.applicationId()), new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        api.close();
        catalog.close();
    }

    @Test
    void aDomainsFileReachesItsIngestTopicAsTheDomainCheckedAgainstTheContract(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "http-in");
        ProductAddress address = ProductAddress.parse("http-in.order-placed.v1");
        IngestGrants.allow(mesh, address);
        Path file = Files.write(dir.resolve("orders.jsonl"), List.of(line("h-1", 9.5), line("h-2", -1), "not json"));
        Path rejects = dir.resolve("orders.rejects.jsonl");
        assertThatThrownBy(() -> new IngestClient(api.url(), domain).ingest(address, file, FileIngest.Format.JSONL,
                dir.resolve("no-such-dir").resolve("x.jsonl"), WAIT))
                .as("said before anything is sent").isInstanceOf(MeshException.class).hasMessageStartingWith("cannot write the lines not sent");

        IngestSummary summary = new IngestClient(api.url(), domain).ingest(address, file, FileIngest.Format.JSONL, rejects, WAIT);

        assertThat(summary.lines()).isEqualTo(3);
        assertThat(summary.sent()).isEqualTo(1);
        assertThat(summary.deadLetteredByRule()).isEqualTo(Map.of("positive-amount", 1L));
        assertThat(summary.errors()).singleElement().satisfies(error -> assertThat(error.line()).isEqualTo(3));
        assertThat(Files.readAllLines(rejects)).containsExactly("not json");
        assertThat(Files.exists(FileIngest.inDoubtFile(rejects))).as("no batch in doubt").isFalse();
        assertThat(GateIT.readCommitted(domain, address.ingestTopic(), 2)).hasSize(2);
        AuditTopicReader.raw(mesh).awaitEvents(Duration.ofSeconds(60), e -> e.getPrincipal().equals("User:http-in")
                && e.getOperation().equals("WRITE") && e.getResourceName().equals(address.ingestTopic()) && e.getDecision() == Decision.ALLOWED);
        // the broker itself (its inter-broker principal, mesh-admin) writes the transaction markers of the caller's batches
        assertThat(AuditTopicReader.raw(mesh).events(e -> e.getResourceName().equals(address.ingestTopic()) && e.getOperation().equals("WRITE")
                && e.getDecision() == Decision.ALLOWED)).extracting(e -> e.getPrincipal().toString())
                .as("written as the caller, never as the gate").contains("User:http-in").isSubsetOf("User:http-in", "User:mesh-admin");
    }

    @Test
    void aWrongPasswordAnotherTenantOrAHeaderNamingTheOwnerWritesNothingAndTheRefusalIsAudited(EmbeddedMesh mesh) throws Exception {
        TestContracts.publishOrders(mesh, "http-owner");
        ProductAddress address = ProductAddress.parse("http-owner.order-placed.v1");
        IngestGrants.allow(mesh, address);
        mesh.onboarding().addDomain("http-other");
        MeshClientConfig other = mesh.clientConfig("http-other");
        String line = line("x-1", 9.5);

        var wrongPassword = post(address, basic("http-owner", "not-the-password"), line, Map.of());
        assertThat(wrongPassword.statusCode()).isEqualTo(401);
        assertThat(wrongPassword.body()).isEqualTo("{\"error\":\"authenticate with your mesh principal and password (HTTP Basic)\"}");
        var noLogin = post(address, null, line, Map.of());
        assertThat(noLogin.statusCode()).isEqualTo(401);
        assertThat(noLogin.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"StreamMesh ingest\"");

        var otherTenant = post(address, CatalogClient.basicAuthorization(other), line,
                Map.of("X-Mesh-Principal", "http-owner", "X-Forwarded-User", "http-owner"));
        assertThat(otherTenant.statusCode()).isEqualTo(422);
        // refused reading the registration (a product the catalog has not admitted yet) or the ingest topic (one it has)
        assertThat(otherTenant.body()).containsPattern(REFUSED);
        AuditTopicReader.raw(mesh).awaitEvents(Duration.ofSeconds(60), e -> e.getPrincipal().equals("User:http-other")
                && List.of(address.ingestTopic(), "mesh.registrations.http-owner").contains(e.getResourceName())
                && e.getDecision() == Decision.DENIED);

        assertThatThrownBy(() -> new IngestClient(api.url(), other).ingest(address, Files.writeString(dir.resolve("x.jsonl"), line),
                FileIngest.Format.JSONL, dir.resolve("x.rejects.jsonl"), WAIT))
                .isInstanceOf(MeshException.class).hasMessageContaining("User:http-other").hasMessageMatching(".*" + REFUSED + ".*");
        assertThat(TopicOffsets.end(mesh.admin(), address.ingestTopic())).as("nothing written, not even an aborted batch").isZero();
    }

    @Test
    void aPrincipalRunsOneIngestAtATimeAndNoFileOverTheLimitIsRead(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "http-busy");
        ProductAddress address = ProductAddress.parse("http-busy.order-placed.v1");
        String authorization = CatalogClient.basicAuthorization(domain);
        String line = line("b-1", 9.5);

        // Without WRITE on the ingest topic yet, the first ingest waits for it (the outage wait) and holds the principal's one slot.
        Supplier<CompletableFuture<HttpResponse<String>>> waiting = () -> CompletableFuture.supplyAsync(() -> post(address, authorization,
                line, Map.of(), "?outageWait=120000"));
        var first = new AtomicReference<>(waiting.get());
        // The polls, one at a time, wait 1 ms for the grant: one that reached the slot before the first held it only for a
        // moment, and the first, refused, is sent again; a poll refused is refused for the first's ingest.
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            if (first.get().isDone() && first.get().join().statusCode() == 429) {
                first.set(waiting.get());
            }
            return post(address, authorization, line, Map.of(), "?outageWait=1").statusCode() == 429;
        });
        assertThat(post(address, authorization, line, Map.of(), "?outageWait=1").body())
                .isEqualTo("{\"error\":\"an ingest of principal http-busy is running; one at a time per principal\"}");
        IngestGrants.allow(mesh, address);
        assertThat(first.get().get().statusCode()).as(first.get().get().body()).isEqualTo(200);
        assertThat(post(address, authorization, line, Map.of()).statusCode()).as("its slot is free again").isEqualTo(200);

        byte[] tooLarge = new byte[(int) IngestApi.MAX_BODY_BYTES + 1];
        var refused = HttpClient.newHttpClient().send(request(address, authorization, Map.of(), "")
                .POST(HttpRequest.BodyPublishers.ofByteArray(tooLarge)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(413);
        // without a Content-Length (chunked), the limit holds as the body is read
        var chunked = HttpClient.newHttpClient().send(request(address, authorization, Map.of(), "")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(tooLarge))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).startsWith("{\"error\":\"the body is over 8388608 bytes");
    }

    @Test
    void withoutTheCatalogToCheckTheLoginNothingIsTaken(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig domain = TestContracts.publishOrders(mesh, "http-nocat");
        ProductAddress address = ProductAddress.parse("http-nocat.order-placed.v1");
        IngestGrants.allow(mesh, address);
        try (var orphan = IngestApi.start("127.0.0.1", 0, "http://127.0.0.1:1", mesh.clientConfig(PlatformApp.GATE.applicationId()),
                new SimpleMeterRegistry())) {
            Path file = Files.writeString(dir.resolve("one.jsonl"), line("n-1", 9.5) + "\n");

            assertThatThrownBy(() -> new IngestClient(orphan.url(), domain).ingest(address, file, FileIngest.Format.JSONL,
                    dir.resolve("one.rejects.jsonl"), WAIT))
                    .isInstanceOf(IngestClient.Unavailable.class).hasMessageStartingWith("the catalog, which checks logins, does not answer");
        }
        assertThatThrownBy(() -> new IngestClient("http://127.0.0.1:1", domain).ingest(address, dir.resolve("one.jsonl"),
                FileIngest.Format.JSONL, dir.resolve("one.rejects.jsonl"), WAIT)).isInstanceOf(IngestClient.Unavailable.class);
    }

    private HttpResponse<String> post(ProductAddress address, String authorization, String body, Map<String, String> headers) {
        return post(address, authorization, body, headers, "");
    }

    private HttpResponse<String> post(ProductAddress address, String authorization, String body, Map<String, String> headers, String query) {
        try {
            return HttpClient.newHttpClient().send(request(address, authorization, headers, query)
                    .POST(HttpRequest.BodyPublishers.ofString(body + "\n")).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(ProductAddress address, String authorization, Map<String, String> headers, String query) {
        var request = HttpRequest.newBuilder(URI.create(api.url() + IngestApi.RECORDS_PATH.replace("{address}", address.toString()) + query));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        headers.forEach(request::header);
        return request;
    }

    /** A sample order on one line, as a JSON Lines file holds it. */
    private static String line(String id, double amount) {
        return GateIT.json(id, amount).replace("\n", " ");
    }

    private static String basic(String principal, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((principal + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
