package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.testing.MeshTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * People sign in to the catalog on the real mesh: the session cookie stands in for HTTP Basic,
 * state changes need the session's CSRF token, and the cookie is attacked: fixation, forgery,
 * acting as another principal, reuse after sign-out, password guessing, logs. And the REST API
 * answers on Javalin as it did before.
 */
@MeshTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalSessionIT {

    private static final Duration SOON = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MISSING_CSRF = "a request signed in by the session cookie that changes state needs the session's CSRF token "
            + "(header X-CSRF-Token or form field csrf)";
    private static final String WRONG_CSRF = "the CSRF token is not this session's (header X-CSRF-Token or form field csrf)";
    private static final String READ_ONLY = "the catalog API is read-only; write requests and decisions to their topics (mesh access ...)";

    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedMesh mesh;
    private CatalogApp catalog;

    @BeforeAll
    void start(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        mesh.onboarding().addDomain("ps-orders");
        for (String team : List.of("ps-analytics", "ps-customers", "ps-mallory", "ps-throttled", "ps-logged", "ps-guesser", "ps-basic",
                "ps-basic-other", "ps-charts", "ps-calls")) {
            mesh.onboarding().ensurePrincipal(team, PrincipalKind.TEAM);
        }
        catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), Files.createTempDirectory("portal-session-it-"),
                mesh.state().credentials(), 0));
    }

    @AfterAll
    void stop() {
        catalog.close();
    }

    @Test
    void aPersonSignedInReadsProductsWithTheCookieAloneAndTheCookieIsHttpOnlyStrictAndBounded() throws Exception {
        HttpResponse<String> signIn = signIn("ps-analytics", password("ps-analytics"), null);

        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(signIn.headers().firstValue("Location")).hasValue("/session");
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).matches("mesh-session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=28800; HttpOnly; SameSite=Strict");
        String cookie = cookieOf(signIn);

        HttpResponse<String> products = send(get("/api/products"), cookie);
        assertThat(products.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(products.body()).has("count")).isTrue();
        JsonNode session = JSON.readTree(send(get("/session"), cookie).body());
        assertThat(session.path("principal").asText()).isEqualTo("User:ps-analytics");
        assertThat(session.path("csrfToken").asText()).hasSize(43).isNotEqualTo(cookie);
        assertThat(send(get("/login"), null).body()).contains("<label for=\"principal\">Principal</label>", "name=\"password\" type=\"password\"");
    }

    @Test
    void aStateChangingCallWithTheCookieIsRefusedWithoutOrWithAWrongCsrfTokenAndPassesWithTheRightOne() throws Exception {
        String cookie = signedIn("ps-analytics");
        String token = csrfToken(cookie);

        assertRefused(send(post("/api/access/requests", "{}"), cookie), 403, MISSING_CSRF);
        assertRefused(send(post("/api/access/requests", "{}").header("X-CSRF-Token", "not-the-token"), cookie), 403, WRONG_CSRF);
        assertRefused(send(form("/logout", Map.of("csrf", token.substring(1))), cookie), 403, WRONG_CSRF);
        assertThat(send(get("/api/products"), cookie).statusCode()).as("a refused sign-out leaves the session").isEqualTo(200);

        // With the right token the call gets past CSRF to the API itself, read-only until the portal's writes come.
        assertRefused(send(post("/api/access/requests", "{}").header("X-CSRF-Token", token), cookie), 405, READ_ONLY);
        assertThat(send(form("/logout", Map.of("csrf", token)), cookie).statusCode()).isEqualTo(303);
    }

    @Test
    void httpBasicClientsNeedNoCsrfToken() throws Exception {
        var basic = HttpRequest.newBuilder(URI.create(catalog.restUrl() + "/api/access/requests")).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Authorization", CatalogClient.basicAuthorization(mesh.clientConfig("ps-analytics")));

        assertRefused(send(basic, null), 405, READ_ONLY);
    }

    @Test
    void aWrongPasswordIsRefusedWithoutACookieAndAudited() throws Exception {
        HttpResponse<String> refused = signIn("ps-guesser", "not-the-password", null);

        assertRefused(refused, 401, "sign-in refused: unknown principal or wrong password");
        assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(auditEvent(e -> e.getPrincipal().equals("User:ps-guesser") && e.getResourceName().equals("/login")))
                .satisfies(e -> {
                    assertThat(e.getDecision()).isEqualTo(Decision.DENIED);
                    assertThat(e.getResourceType()).isEqualTo("CATALOG");
                });
    }

    @Test
    void fiveFailedSignInsLockThePrincipalsFormFromThatAddressEvenWithTheRightPasswordButNotItsHttpBasic() throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            assertThat(signIn("ps-throttled", "guess-" + attempt, null).statusCode()).isEqualTo(401);
        }

        HttpResponse<String> locked = signIn("ps-throttled", password("ps-throttled"), null);

        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(error(locked)).matches("too many failed logins as User:ps-throttled from \\S+ \\(5 within 15 min\\); try again in \\d+ s");
        assertThat(locked.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(new CatalogClient(catalog.restUrl(), mesh.clientConfig("ps-throttled")).get("/api/products").has("count")).isTrue();
    }

    /**
     * Each wrong Basic password costs the catalog a PBKDF2 derivation: a tenant sending them as
     * another principal could keep its threads deriving hashes. Past ten failures from an address,
     * only a password verified before (no derivation) passes from there; the rest wait, unchecked.
     */
    @Test
    void tenFailedBasicLoginsAsAPrincipalLetInFromThatAddressOnlyAPasswordVerifiedBeforeAndAreAudited() throws Exception {
        assertThat(send(basic("ps-basic", password("ps-basic")), null).statusCode()).isEqualTo(200);
        for (String principal : List.of("ps-basic", "ps-basic-other")) {
            for (int attempt = 0; attempt < 10; attempt++) {
                assertThat(send(basic(principal, "guess-" + attempt), null).statusCode()).isEqualTo(401);
            }
        }

        HttpResponse<String> unchecked = send(basic("ps-basic", "guess-10"), null);

        assertThat(unchecked.statusCode()).isEqualTo(429);
        assertThat(error(unchecked)).matches("too many failed logins as User:ps-basic from \\S+ \\(10 within 15 min\\); try again in \\d+ s");
        assertThat(send(basic("ps-basic", password("ps-basic")), null).statusCode()).as("verified before").isEqualTo(200);
        assertThat(send(basic("ps-basic-other", "guess-10"), null).statusCode()).isEqualTo(429);
        assertThat(send(basic("ps-analytics", password("ps-analytics")), null).statusCode()).as("another principal").isEqualTo(200);
        assertThat(auditEvent(e -> e.getPrincipal().equals("User:ps-basic") && e.getDecision() == Decision.DENIED)).isNotNull();
    }

    /**
     * Each live health chart is a push every two seconds on one thread the whole portal shares: a
     * tenant opening them without end would slow every other page's charts. Past its share, a
     * stream is refused with the reason and ends; one that ends frees its place.
     */
    @Test
    @Timeout(120) // an eleventh chart let in would stream for good
    void aPrincipalOpensAtMostTenLiveHealthChartsAndAChartThatEndsFreesItsPlace() throws Exception {
        ProductAddress product = publishProduct("ps-orders.charted.v1");
        String path = Portal.HEALTH_EVENTS + product;
        List<Stream<String>> open = new ArrayList<>();
        try {
            for (int chart = 0; chart < Portal.HEALTH_STREAMS_PER_PRINCIPAL; chart++) {
                Stream<String> events = http.send(sse(path, "ps-charts"), HttpResponse.BodyHandlers.ofLines()).body();
                assertThat(events.iterator().next()).as("chart %d", chart).isEqualTo("event: history");
                open.add(events);
            }

            try (Stream<String> refused = http.send(sse(path, "ps-charts"), HttpResponse.BodyHandlers.ofLines()).body()) {
                assertThat(refused.toList()).contains("event: refused", "data: User:ps-charts has 10 live health charts open, the most it may; "
                        + "close a product page first");
            }
            try (Stream<String> another = http.send(sse(path, "ps-analytics"), HttpResponse.BodyHandlers.ofLines()).body()) {
                assertThat(another.iterator().next()).as("another principal").isEqualTo("event: history");
            }
        } finally {
            open.forEach(Stream::close);
        }
        // the server sees a chart gone at its next push
        await().atMost(SOON).until(() -> {
            try (Stream<String> again = http.send(sse(path, "ps-charts"), HttpResponse.BodyHandlers.ofLines()).body()) {
                return again.iterator().next().equals("event: history");
            }
        });
    }

    /**
     * A principal may have four calls in flight at once (a share of the API's sixteen threads); a
     * call counts until it has answered, whether it failed in a route or in a check before it.
     */
    @Test
    void aPrincipalsCallsThatFailLeaveNoCallInFlightBehind() throws Exception {
        for (int call = 0; call < 6; call++) {
            assertThat(send(basic("ps-calls", password("ps-calls")).uri(URI.create(catalog.restUrl() + "/api/products/ps-orders.none.v1")), null)
                    .statusCode()).isEqualTo(404);
            HttpRequest.Builder write = post("/api/products", "{}").header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("ps-calls:" + password("ps-calls")).getBytes(StandardCharsets.UTF_8)));
            assertThat(send(write, null).statusCode()).isEqualTo(405);
        }

        assertThat(send(basic("ps-calls", password("ps-calls")), null).statusCode()).isEqualTo(200);
    }

    @Test
    void signingOutMakesTheCookieUseless() throws Exception {
        String cookie = signedIn("ps-customers");

        HttpResponse<String> signOut = send(post("/logout", "").header("X-CSRF-Token", csrfToken(cookie)), cookie);

        assertThat(signOut.statusCode()).isEqualTo(303);
        assertThat(signOut.headers().firstValue("Set-Cookie")).hasValue("mesh-session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        assertRefused(send(get("/api/products"), cookie), 401, "authenticate with your mesh principal and password (HTTP Basic)");
        assertThat(send(get("/session"), cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void aCookieChosenBeforeSignInIsNeverAcceptedNorAdopted() throws Exception {
        String planted = "mesh-session=attacker-chosen-session-id";
        assertThat(send(get("/api/products"), planted).statusCode()).isEqualTo(401);

        String issued = cookieOf(signIn("ps-customers", password("ps-customers"), planted));

        assertThat(issued).isNotEqualTo(planted);
        assertThat(send(get("/api/products"), planted).statusCode()).isEqualTo(401);
        assertThat(send(get("/api/products"), issued).statusCode()).isEqualTo(200);
    }

    @Test
    void aSessionPlantedByAnotherPrincipalIsEndedNotUpgradedWhenTheVictimSignsIn() throws Exception {
        String mallorys = signedIn("ps-mallory");

        String victims = cookieOf(signIn("ps-customers", password("ps-customers"), mallorys));

        assertThat(victims).isNotEqualTo(mallorys);
        assertThat(send(get("/api/products"), mallorys).statusCode()).as("mallory's planted session is gone").isEqualTo(401);
        assertThat(JSON.readTree(send(get("/session"), victims).body()).path("principal").asText()).isEqualTo("User:ps-customers");
    }

    @Test
    void aForgedCookieIsRefusedWithBasicChallengeAndAudited() throws Exception {
        String forged = "mesh-session=" + "A".repeat(43);

        HttpResponse<String> refused = send(get("/api/products?q=forged-cookie"), forged);

        assertRefused(refused, 401, "authenticate with your mesh principal and password (HTTP Basic)");
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"StreamMesh catalog\"");
        assertThat(auditEvent(e -> e.getResourceName().equals("/api/products?q=forged-cookie")))
                .satisfies(e -> {
                    assertThat(e.getPrincipal()).isEqualTo("User:ANONYMOUS");
                    assertThat(e.getDecision()).isEqualTo(Decision.DENIED);
                });
    }

    @Test
    void aCookieOfOnePrincipalCannotActAsAnother() throws Exception {
        ProductAddress product = publishProduct("ps-orders.placed.v1");
        String requestId;
        try (var customers = new AccessClient(mesh.clientConfig("ps-customers"))) {
            requestId = customers.request(product, "full", null, "ps-customers", "customer report", null);
        }
        String customersCookie = signedIn("ps-customers");
        String analyticsCookie = signedIn("ps-analytics");
        await().atMost(SOON).until(() -> requestIds(customersCookie), ids -> ids.contains(requestId));

        assertThat(requestIds(analyticsCookie)).doesNotContain(requestId);
        assertThat(send(get("/api/access/requests/" + requestId), analyticsCookie).statusCode()).isEqualTo(404);
        assertRefused(send(post("/logout", "").header("X-CSRF-Token", csrfToken(customersCookie)), analyticsCookie), 403, WRONG_CSRF);
        assertRefused(send(get("/api/internal/stores/access-requests"), analyticsCookie), 403,
                "/api/internal is for the catalog's own instances (platform principals only)");
        var wrongBasic = get("/api/products").header("Authorization", "Basic "
                + java.util.Base64.getEncoder().encodeToString("ps-customers:wrong".getBytes(StandardCharsets.UTF_8)));
        assertThat(send(wrongBasic, analyticsCookie).statusCode()).as("a wrong Basic login never falls back to the cookie").isEqualTo(401);
    }

    @Test
    void neitherPasswordsNorSessionCookiesNorCsrfTokensReachTheLogs() throws Exception {
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        // Our code and Javalin at DEBUG; Jetty at INFO, the most it is ever run at: its DEBUG dumps raw requests, headers included.
        List<Logger> verbose = List.of((Logger) LoggerFactory.getLogger("io.javalin"), (Logger) LoggerFactory.getLogger("io.streammesh.catalog"));
        Logger jetty = (Logger) LoggerFactory.getLogger("org.eclipse.jetty");
        verbose.forEach(logger -> logger.setLevel(Level.DEBUG));
        jetty.setLevel(Level.INFO);
        root.addAppender(appender);
        String cookie;
        String token;
        try {
            signIn("ps-logged", "a-wrong-secret-password", null);
            cookie = signedIn("ps-logged");
            token = csrfToken(cookie);
            send(post("/api/access/requests", "{}").header("X-CSRF-Token", token), cookie);
            send(get("/api/products").header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString("ps-logged:another-wrong-password".getBytes(StandardCharsets.UTF_8))), null);
        } finally {
            root.detachAppender(appender);
            verbose.forEach(logger -> logger.setLevel(null));
            jetty.setLevel(null);
        }

        String logs = appender.list.stream().map(e -> e.getFormattedMessage() + " " + e.getMDCPropertyMap())
                .collect(Collectors.joining("\n"));
        assertThat(logs).doesNotContain("a-wrong-secret-password", "another-wrong-password", password("ps-logged"),
                cookie.substring(cookie.indexOf('=') + 1), token);
    }

    @Test
    void theRestApiKeepsItsAnswersForUnknownPathsAnonymousCallsItsDocumentAndHealth() throws Exception {
        String basic = CatalogClient.basicAuthorization(mesh.clientConfig("ps-analytics"));

        assertRefused(send(get("/api/nothing-here").header("Authorization", basic), null), 404,
                "no such resource /api/nothing-here; see /api/openapi.yaml");
        assertRefused(send(get("/elsewhere").header("Authorization", basic), null), 404, "no such resource /elsewhere; see /api/openapi.yaml");
        assertRefused(send(get("/api/nothing-here"), null), 401, "authenticate with your mesh principal and password (HTTP Basic)");
        HttpResponse<String> products = send(get("/api/products/").header("Authorization", basic), null);
        assertThat(products.statusCode()).isEqualTo(200);
        assertThat(products.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(products.body()).startsWith("{\n  \"count\" : ");
        HttpResponse<String> openApi = send(get("/api/openapi.yaml").header("Authorization", basic), null);
        assertThat(openApi.headers().firstValue("Content-Type")).hasValue("application/yaml");
        try (var document = CatalogApi.class.getResourceAsStream("/catalog-api.yaml")) {
            assertThat(openApi.body()).isEqualTo(new String(document.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertThat(JSON.readTree(send(get("/health"), null).body()).path("status").asText()).isEqualTo("UP");
    }

    private List<String> requestIds(String cookie) throws Exception {
        return JSON.readTree(send(get("/api/access/requests"), cookie).body()).findValuesAsText("requestId");
    }

    private ProductAddress publishProduct(String address) throws Exception {
        ProductAddress parsed = ProductAddress.parse(address);
        ProductRegistration registration = CatalogTopologyTest.orders().setAddress(address).setDomain(parsed.domain()).setName(parsed.product())
                .setOwner(io.streammesh.schema.Owner.newBuilder().setTeam("ps-orders-team").setPrincipal("User:ps-orders")
                        .setContact("ps-orders@example.com").build()).build();
        MeshClientConfig config = mesh.clientConfig(parsed.domain());
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(),
                MeshSerdes.<ProductRegistration>valueSerializer(config, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations(parsed.domain()), address, registration)).get();
        }
        var api = new CatalogClient(catalog.restUrl(), mesh.clientConfig("ps-analytics"));
        await().atMost(SOON).until(() -> api.get("/api/products?domain=" + parsed.domain()).findValuesAsText("address").contains(address));
        return parsed;
    }

    private String signedIn(String principal) throws Exception {
        HttpResponse<String> signIn = signIn(principal, password(principal), null);
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(303);
        return cookieOf(signIn);
    }

    private HttpResponse<String> signIn(String principal, String password, String cookie) throws Exception {
        return send(form("/login", Map.of("principal", principal, "password", password)), cookie);
    }

    private String csrfToken(String cookie) throws Exception {
        return JSON.readTree(send(get("/session"), cookie).body()).path("csrfToken").asText();
    }

    private String password(String principal) {
        return mesh.clientConfig(principal).password().reveal();
    }

    /** @return the {@code name=value} of the response's session cookie, as a browser sends it back */
    private static String cookieOf(HttpResponse<String> response) {
        return response.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(catalog.restUrl() + path)).GET();
    }

    private HttpRequest sse(String path, String principal) {
        return get(path).header("Accept", "text/event-stream").header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((principal + ":" + password(principal)).getBytes(StandardCharsets.UTF_8))).build();
    }

    private HttpRequest.Builder basic(String principal, String password) {
        return get("/api/products").header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((principal + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(catalog.restUrl() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder form(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream().map(f -> f.getKey() + "=" + URLEncoder.encode(f.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return post(path, body).header("Content-Type", "application/x-www-form-urlencoded");
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String cookie) throws Exception {
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response, int status, String error) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(error(response)).isEqualTo(error);
        assertThat(response.body().strip()).as("one JSON object").startsWith("{").endsWith("}");
    }

    private static String error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("error").asText();
    }

    /** The first event on {@code mesh.audit.raw} that matches, as audit-sink reads it. */
    private AuthorizationEvent auditEvent(Predicate<AuthorizationEvent> matches) {
        MeshClientConfig admin = mesh.clientConfig("mesh-admin");
        List<AuthorizationEvent> events = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(admin.kafka(), new StringDeserializer(),
                MeshSerdes.<AuthorizationEvent>valueDeserializer(admin, true))) {
            var partitions = consumer.partitionsFor(MeshTopics.AUDIT_RAW).stream()
                    .map(p -> new TopicPartition(MeshTopics.AUDIT_RAW, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return await().atMost(SOON).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(r.value()));
                return events.stream().filter(matches).findFirst();
            }, java.util.Optional::isPresent).orElseThrow();
        }
    }
}
