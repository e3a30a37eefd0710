package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.AuditChainStatus;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductConsumption;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.ProductRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The portal in a real Chromium against the real mesh: a consumer finds a product and asks for a
 * view, its owner approves and later revokes in the inbox, the consumer watches the grant change;
 * and the pages are attacked: markup in a description or purpose, a POST without the CSRF token,
 * one tenant looking for another's requests, a tenant at the audit page.
 */
@MeshTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalPagesIT {

    @RegisterExtension
    static final PortalBrowser BROWSER = new PortalBrowser();

    private static final Duration SOON = Duration.ofSeconds(30);
    private static final String ORDERS = "pp-orders";
    private static final String ANALYTICS = "pp-analytics";
    private static final String CUSTOMERS = "pp-customers";
    private static final String SECURITY = "pp-security";
    private static final String ADMIN = "mesh-admin";
    private static final Dimension PHONE = new Dimension(390, 844);
    private static final Dimension DESKTOP = new Dimension(1280, 900);
    private static final int MAX_TABS = 60;
    private static final String VERSIONED_V1 = """
            {"type": "record", "name": "Order", "namespace": "pp.orders", "fields": [
              {"name": "orderId", "type": "string", "doc": "The shop's order number."},
              {"name": "customerId", "type": "string"},
              {"name": "customerEmail", "type": ["null", "string"], "default": null, "doc": "The buyer's e-mail address."},
              {"name": "amount", "type": "double"},
              {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}""";
    private static final String VERSIONED_V2 = """
            {"type": "record", "name": "Order", "namespace": "pp.orders", "fields": [
              {"name": "orderId", "type": "long", "doc": "The shop's order number."},
              {"name": "customerId", "type": "string"},
              {"name": "customerEmail", "type": ["null", "string"], "default": null, "doc": "The buyer's e-mail address."},
              {"name": "amountCents", "type": "long"},
              {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []}]}""";
    private static final String XSS = "<script>window.xssRan = true</script><img src=x onerror=\"window.xssRan = true\">";

    private EmbeddedMesh mesh;
    private CatalogApp catalog;
    private ProductAddress orderPlaced;

    @BeforeAll
    void start(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        mesh.onboarding().addDomain(ORDERS);
        mesh.onboarding().ensurePrincipal(ANALYTICS, PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal(CUSTOMERS, PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal(SECURITY, PrincipalKind.TEAM);
        catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), Files.createTempDirectory("portal-pages-it-"),
                mesh.state().credentials(), 0));
        orderPlaced = publish("pp-orders.order-placed.v1", "Every order the shop accepted, one event per order.");
    }

    @AfterAll
    void stop() {
        catalog.close();
    }

    @Test
    void aConsumerFindsAProductAndAsksTheOwnerApprovesThenRevokesAndTheConsumerSeesEachStep() {
        signIn(ANALYTICS);
        WebDriver browser = BROWSER.driver();
        browser.findElement(By.id("q")).sendKeys("pp-orders.order-placed");
        await().atMost(SOON).until(() -> rowAddresses().equals(List.<Object>of(orderPlaced.toString())));
        // The rows may be drawn once more by a late answer of the search: click until the product's page opens.
        await().atMost(SOON).ignoreExceptions().until(() -> {
            browser.findElement(By.linkText(orderPlaced.toString())).click();
            return browser.getCurrentUrl().equals(catalog.restUrl() + "/products/" + orderPlaced);
        });
        assertThat(browser.findElement(By.id("description")).getText()).isEqualTo("Every order the shop accepted, one event per order.");
        assertThat(browser.findElement(By.id("pii")).getText()).contains("customerEmail · pii");
        assertThat(browser.findElement(By.linkText("ODCS v3")).getAttribute("href"))
                .isEqualTo(catalog.restUrl() + "/api/products/" + orderPlaced + "/contract?format=odcs");

        String requestId = requestAccess("analytics", "pp-analytics.weekly", "weekly sales report");
        assertThat(browser.findElement(By.cssSelector(".notice")).getText()).isEqualTo("Request " + requestId + " filed; the owning domain decides.");
        awaitCell("/access", "#requests", requestId, ".status", "PENDING");

        signIn(ORDERS);
        awaitCell("/inbox", "#pending", requestId, ".purpose", "weekly sales report");
        row("#pending", requestId).findElement(By.name("reason")).sendKeys("fine for reporting");
        row("#pending", requestId).findElement(By.cssSelector("button[value=APPROVED]")).click();
        awaitDecisionSent(requestId);

        signIn(ANALYTICS);
        awaitCell("/access", "#grants", requestId, ".status", "ACTIVE");
        assertThat(row("#grants", requestId).findElement(By.cssSelector(".snippet")).getText())
                .isEqualTo("kcat -F pp-analytics.kcat.conf -G pp-analytics.weekly " + orderPlaced.viewTopic("analytics"));

        signIn(ORDERS);
        awaitCell("/inbox", "#active-grants", requestId, "td", "User:" + ANALYTICS);
        row("#active-grants", requestId).findElement(By.name("reason")).sendKeys("report retired");
        row("#active-grants", requestId).findElement(By.cssSelector("button")).click();
        awaitDecisionSent(requestId);

        signIn(ANALYTICS);
        awaitCell("/access", "#grants", requestId, ".status", "REVOKED");
        assertThat(row("#grants", requestId).findElements(By.cssSelector(".snippet"))).isEmpty();
    }

    @Test
    void aConsumerWithdrawsAWaitingRequestAndGivesUpAGrantFromItsAccessPage() {
        signIn(ANALYTICS);
        WebDriver browser = BROWSER.driver();
        browser.get(catalog.restUrl() + "/products/" + orderPlaced);
        String waiting = requestAccess("full", "pp-analytics.trial", "a trial");
        awaitCell("/access", "#requests", waiting, ".status", "PENDING");
        row("#requests", waiting).findElement(By.name("reason")).sendKeys("asked for the wrong view");
        row("#requests", waiting).findElement(By.cssSelector("form.withdraw button")).click();
        await().atMost(SOON).until(browser::getCurrentUrl, url -> url.startsWith(catalog.restUrl() + "/access?withdrawn="));
        assertThat(browser.findElement(By.cssSelector(".notice")).getText())
                .isEqualTo("Withdrawal of " + waiting + " sent; the catalog applies it within seconds.");
        awaitCell("/access", "#requests", waiting, ".status", "WITHDRAWN");
        assertThat(row("#requests", waiting).findElements(By.cssSelector("form.withdraw"))).as("nothing left to withdraw").isEmpty();

        browser.get(catalog.restUrl() + "/products/" + orderPlaced);
        String granted = requestAccess("analytics", "pp-analytics.daily", "daily sales report");
        signIn(ORDERS);
        awaitCell("/inbox", "#pending", granted, ".purpose", "daily sales report");
        assertThat(BROWSER.driver().findElements(By.cssSelector("#pending tr[data-request='" + waiting + "']"))).as("withdrawn: not in the inbox")
                .isEmpty();
        row("#pending", granted).findElement(By.name("reason")).sendKeys("fine");
        row("#pending", granted).findElement(By.cssSelector("button[value=APPROVED]")).click();
        awaitDecisionSent(granted);

        signIn(ANALYTICS);
        awaitCell("/access", "#grants", granted, ".status", "ACTIVE");
        assertThat(withdrawStatus(granted)).as("giving up a grant is confirmed explicitly").isEqualTo(400L);
        assertThat(row("#grants", granted).findElement(By.cssSelector(".status")).getText()).isEqualTo("ACTIVE");
        BROWSER.driver().findElement(By.cssSelector("#grants tr[data-request='" + granted + "'] form.withdraw button")).click();
        assertThat(BROWSER.driver().getCurrentUrl()).as("the browser does not send it unconfirmed").doesNotContain("withdrawn=");
        row("#grants", granted).findElement(By.name("confirm")).click();
        row("#grants", granted).findElement(By.cssSelector("form.withdraw button")).click();
        awaitCell("/access", "#grants", granted, ".status", "REVOKED");
        assertThat(new CatalogClient(catalog.restUrl(), mesh.clientConfig(ANALYTICS)).get("/api/access/requests/" + granted)
                .at("/grant/endedBy").asText()).as("given up by the consumer, not revoked by the owner").isEqualTo("User:" + ANALYTICS);

        BROWSER.driver().get(catalog.restUrl() + "/products/" + orderPlaced);
        assertThat(withdrawStatus(waiting)).as("nothing left to withdraw").isEqualTo(409L);
        signIn(ORDERS);
        BROWSER.driver().get(catalog.restUrl() + "/products/" + orderPlaced);
        assertThat(withdrawStatus(granted)).as("the owner sees the request but it is not the owner's").isEqualTo(403L);
        signIn(CUSTOMERS);
        BROWSER.driver().get(catalog.restUrl() + "/products/" + orderPlaced);
        assertThat(withdrawStatus(granted)).as("another team does not see it").isEqualTo(404L);
    }

    /** Posts a withdrawal with the page's CSRF token, as the form would; @return the answer's status */
    private Object withdrawStatus(String requestId) {
        return ((JavascriptExecutor) BROWSER.driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/portal/withdrawals', {method: 'POST', body: new URLSearchParams({requestId: arguments[0],
                    csrf: document.querySelector('input[name=csrf]').value})})
                  .then(response => done(response.status), error => done(String(error)));
                """, requestId);
    }

    @Test
    void markupInADescriptionOrAPurposeIsShownAsTextAndNeverRuns() {
        ProductAddress hostile = publish("pp-orders.hostile.v1", "Looks harmless " + XSS);
        signIn(ANALYTICS);
        WebDriver browser = BROWSER.driver();
        browser.findElement(By.id("q")).sendKeys("hostile");
        await().atMost(SOON).until(() -> rowAddresses().equals(List.<Object>of(hostile.toString())));
        assertThat(browser.findElement(By.cssSelector("#products tbody td:last-child")).getText()).isEqualTo("Looks harmless " + XSS);

        browser.get(catalog.restUrl() + "/products/" + hostile);
        assertThat(browser.findElement(By.id("description")).getText()).isEqualTo("Looks harmless " + XSS);
        String requestId = requestAccess("analytics", "pp-analytics.xss", XSS);

        signIn(ORDERS);
        awaitCell("/inbox", "#pending", requestId, ".purpose", XSS);
        assertThat(((JavascriptExecutor) browser).executeScript("return window.xssRan === undefined")).isEqualTo(true);
        assertThat(browser.findElements(By.cssSelector("main script, main img"))).isEmpty();
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefusedAndFilesNothing() {
        signIn(ANALYTICS);
        BROWSER.driver().get(catalog.restUrl() + "/access");
        Object status = ((JavascriptExecutor) BROWSER.driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/portal/requests', {method: 'POST', body: new URLSearchParams({product: 'pp-orders.order-placed.v1',
                    view: 'analytics', group: 'pp-forged', purpose: 'forged', days: '30'})})
                  .then(response => done(response.status), error => done(String(error)));
                """);

        assertThat(status).isEqualTo(403L);
        assertThat(requestsOf(ANALYTICS)).noneMatch(r -> r.at("/request/consumerGroup").asText().equals("pp-forged"));
    }

    @Test
    void aTenantSeesNeitherAnotherTenantsRequestsNorTheAuditPage() {
        String requestId;
        try (var access = new AccessClient(mesh.clientConfig(ANALYTICS))) {
            requestId = access.request(orderPlaced, "analytics", null, "pp-analytics.private", "private work", Duration.ofDays(7));
        }
        await().atMost(SOON).until(() -> requestsOf(ANALYTICS).stream().anyMatch(r -> r.at("/request/requestId").asText().equals(requestId)));

        signIn(CUSTOMERS);
        WebDriver browser = BROWSER.driver();
        browser.get(catalog.restUrl() + "/access");
        assertThat(browser.findElements(By.cssSelector("#requests tbody tr"))).isEmpty();
        browser.get(catalog.restUrl() + "/inbox");
        assertThat(browser.findElements(By.cssSelector("#pending tbody tr"))).isEmpty();
        assertThat(browser.findElements(By.linkText("Audit"))).isEmpty();
        browser.get(catalog.restUrl() + "/audit");
        assertThat(browser.findElement(By.id("error")).getText()).isEqualTo("the audit page is for auditors and platform principals");
        browser.get(catalog.restUrl() + "/api/access/requests/" + requestId);
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("no access request " + requestId + " that you may see");
    }

    @Test
    void theLineageGraphLinksToTheProductsDownstream() {
        ProductAddress enriched = publish(CatalogTopologyTest.orders().setLineageInputs(List.of(orderPlaced.toString())),
                "pp-orders.order-enriched.v1", "Orders with their customer's segment.");
        signIn(ANALYTICS);
        WebDriver browser = BROWSER.driver();
        browser.get(catalog.restUrl() + "/products/" + orderPlaced);

        browser.findElement(By.cssSelector("#lineage a[href='/products/" + enriched + "']")).click();

        await().atMost(SOON).until(() -> browser.getCurrentUrl().equals(catalog.restUrl() + "/products/" + enriched));
        assertThat(browser.findElement(By.cssSelector("#lineage a[href='/products/" + orderPlaced + "'] text")).getText())
                .isEqualTo(orderPlaced.toString());
    }

    @Test
    void theProductPageListsTheSchemasFieldsWithTheirMarkersAndSetsTheProductsVersionsSideBySide() {
        ProductAddress v1 = publishWithSchema("pp-orders.versioned.v1", "1.4.0", VERSIONED_V1);
        ProductAddress v2 = publishWithSchema("pp-orders.versioned.v2", "2.0.0", VERSIONED_V2);
        signIn(ANALYTICS);
        WebDriver browser = BROWSER.driver();
        browser.get(catalog.restUrl() + "/products/" + v2);

        assertThat(cells("#fields", "orderId")).containsExactly("orderId", "long", "The shop's order number.", "");
        assertThat(cells("#fields", "customerEmail")).containsExactly("customerEmail", "null | string", "The buyer's e-mail address.",
                "pii encrypted");
        assertThat(cells("#fields", "placedAt")).containsExactly("placedAt", "long (timestamp-millis)", "", "");
        assertThat(cells("#fields", "tags")).containsExactly("tags", "array<string>", "", "");
        assertThat(browser.findElements(By.cssSelector("#versions thead th")).stream().map(WebElement::getText).toList())
                .containsExactly("Field", v1 + " (1.4.0)", v2 + " (2.0.0)", "What changed");
        assertThat(cells("#versions", "orderId")).containsExactly("orderId", "string", "long", "type changed in " + v2);
        assertThat(cells("#versions", "amount")).containsExactly("amount", "double", "absent", "removed in " + v2);
        assertThat(cells("#versions", "amountCents")).containsExactly("amountCents", "absent", "long", "added in " + v2);
        assertThat(cells("#versions", "customerEmail")).containsExactly("customerEmail", "null | string", "null | string", "");

        // A product that encrypts fields offers decryption in its request form; the request carries it.
        browser.findElement(By.id("decrypt")).click();
        String requestId = requestAccess("analytics", "pp-analytics.decrypting", "fraud check on e-mail domains");
        awaitCell("/access", "#requests", requestId, ".tag.encrypted", "decrypt");
        browser.get(catalog.restUrl() + "/products/" + v2);

        browser.findElement(By.linkText(v1.toString())).click();
        await().atMost(SOON).until(() -> browser.getCurrentUrl().equals(catalog.restUrl() + "/products/" + v1));
        assertThat(cells("#fields", "amount")).containsExactly("amount", "double", "", "");
    }

    @Test
    void aSecondLevelApproverDecidesInItsInboxAndNoOtherTenantSeesTheRequestThere() {
        ProductAddress audited = publish(CatalogTopologyTest.twoLevel("User:" + SECURITY), "pp-orders.audited.v1",
                "Orders whose analytics view security approves too.");
        String requestId;
        try (var access = new AccessClient(mesh.clientConfig(ANALYTICS))) {
            requestId = access.request(audited, "analytics", null, "pp-analytics.audited", "fraud study", Duration.ofDays(7));
        }
        await().atMost(SOON).until(() -> requestsOf(ORDERS).stream().anyMatch(r -> r.at("/request/requestId").asText().equals(requestId)));
        try (var owner = new AccessClient(mesh.clientConfig(ORDERS))) {
            owner.decide(ORDERS, requestId, DecisionKind.APPROVED, "fine by orders", null);
        }
        var securityApi = new CatalogClient(catalog.restUrl(), mesh.clientConfig(SECURITY));
        await().atMost(SOON).until(() -> securityApi.get("/api/access/requests/" + requestId).path("status").asText(),
                "AWAITING_SECOND_APPROVAL"::equals);

        signIn(CUSTOMERS);
        BROWSER.driver().get(catalog.restUrl() + "/inbox");
        assertThat(BROWSER.driver().findElements(By.cssSelector("#awaiting tbody tr"))).isEmpty();
        signIn(ORDERS);
        BROWSER.driver().get(catalog.restUrl() + "/inbox");
        assertThat(BROWSER.driver().findElements(By.cssSelector("#awaiting tr[data-request='" + requestId + "']")))
                .as("the owner's own approval is not a second one").isEmpty();

        signIn(SECURITY);
        awaitCell("/inbox", "#awaiting", requestId, ".purpose", "fraud study");
        row("#awaiting", requestId).findElement(By.name("reason")).sendKeys("checked by security");
        row("#awaiting", requestId).findElement(By.cssSelector("button[value=APPROVED]")).click();
        awaitDecisionSent(requestId);

        JsonNode approved = await().atMost(SOON).until(() -> securityApi.get("/api/access/requests/" + requestId),
                r -> r.path("status").asText().equals("APPROVED"));
        assertThat(approved.at("/grant/status").asText()).isEqualTo("ACTIVE");
        assertThat(approved.at("/grant/approvedBy").asText()).isEqualTo("User:" + ORDERS);
        assertThat(approved.at("/grant/secondApprovedBy").asText()).isEqualTo("User:" + SECURITY);
        assertThat(approved.path("decisions").findValuesAsText("reason")).containsExactly("fine by orders", "checked by security");
    }

    @Test
    void aProductsConsumersFromTheAuditLedgerShowToItsOwnerOnlyAndNoTenantCanForgeThemAndTheAuditPageShowsTheChainsStatus() throws Exception {
        Instant readAt = Instant.parse("2026-12-01T09:30:00Z");
        // audit-sink's summing, as it writes it: the catalog only reads mesh.consumption.
        writeConsumption(ADMIN, consumption(orderPlaced.toString(), "pp-analytics.weekly", ANALYTICS, 1234, readAt));
        writeConsumption(ADMIN, consumption("pp-billing.invoices.v1", "pp-billing-reader", CUSTOMERS, 99, readAt));
        try (var tenant = new KafkaProducer<>(mesh.clientConfig(CUSTOMERS).kafka(), new StringSerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> tenant.send(new ProducerRecord<>(MeshTopics.CONSUMPTION, orderPlaced + "|pp-forged", new byte[] {0})).get())
                    .as("a tenant can neither make itself a consumer nor hide one").hasRootCauseInstanceOf(TopicAuthorizationException.class);
        }

        signIn(ORDERS);
        awaitConsumer("/inbox", orderPlaced + "|pp-analytics.weekly");
        assertThat(consumerCells(orderPlaced + "|pp-analytics.weekly"))
                .containsExactly(orderPlaced.toString(), "User:" + ANALYTICS, "pp-analytics.weekly", "1234", "2026-12-01T09:30:00Z", orderPlaced.topic());
        assertThat(BROWSER.driver().findElements(By.cssSelector("#consumers tbody tr"))).as("another domain's consumers").hasSize(1);

        signIn(CUSTOMERS);
        BROWSER.driver().get(catalog.restUrl() + "/inbox");
        assertThat(BROWSER.driver().findElements(By.cssSelector("#consumers tbody tr"))).isEmpty();

        signIn(ADMIN);
        MeshClientConfig admin = mesh.clientConfig(ADMIN);
        try (var producer = new KafkaProducer<>(admin.kafka(), new StringSerializer(), MeshSerdes.<AuditChainStatus>valueSerializer(admin, false))) {
            // audit-sink's ChainCheck, as it writes its result.
            producer.send(new ProducerRecord<>(MeshTopics.AUDIT_CHAIN, MeshTopics.AUDIT, AuditChainStatus.newBuilder().setIntact(false)
                    .setVerifiedEvents(41).setFirstBreak("partition 2 offset 17: hash does not match").setCheckedAt(readAt).build())).get();
        }
        await().atMost(SOON).until(() -> {
            BROWSER.driver().get(catalog.restUrl() + "/audit");
            return BROWSER.driver().findElement(By.id("chain")).getText();
        }, "BROKEN at partition 2 offset 17: hash does not match; checked at 2026-12-01T09:30:00Z."::equals);
    }

    @Test
    void atPhoneWidthAConsumerSignsInFindsAProductAndAsksForAccessWithTheKeyboardAlone() throws Exception {
        WebDriver browser = BROWSER.driver();
        browser.manage().deleteAllCookies();
        browser.manage().window().setSize(PHONE);
        try {
            browser.get(catalog.restUrl() + "/login");
            // Chrome applies autofocus at its next rendering update, which on a busy machine comes after the page loads:
            // type once the caret is in the field, as a person would.
            await().atMost(SOON).until(() -> "principal".equals(browser.switchTo().activeElement().getAttribute("id")));
            press(ANALYTICS, Keys.TAB, mesh.clientConfig(ANALYTICS).password().reveal(), Keys.ENTER);
            await().atMost(SOON).ignoreExceptions().until(() -> browser.findElement(By.id("signed-in-as")).getText(), ("User:" + ANALYTICS)::equals);
            assertFitsThePhone("the catalog");

            tabTo("the search box", e -> "q".equals(e.getAttribute("id")));
            press("pp-orders.order-placed", Keys.ENTER);
            await().atMost(SOON).until(() -> rowAddresses().equals(List.<Object>of(orderPlaced.toString())));
            String productPage = catalog.restUrl() + "/products/" + orderPlaced;
            // A late answer of the search may redraw the rows under the focus: tab to the link again until it opens.
            await().atMost(SOON).ignoreExceptions().until(() -> {
                tabTo("the product's link", e -> productPage.equals(e.getAttribute("href")));
                press(Keys.ENTER);
                return browser.getCurrentUrl().equals(productPage);
            });
            assertFitsThePhone("the product page");
            BROWSER.screenshot("PortalPagesIT-product-at-390px");

            tabTo("the view", e -> "view".equals(e.getAttribute("id")));
            press(Keys.ARROW_DOWN);
            assertThat(browser.findElement(By.id("view")).getDomProperty("value")).isEqualTo("analytics");
            tabTo("the consumer group", e -> "group".equals(e.getAttribute("id")));
            assertThat(browser.findElement(By.id("group")).getDomProperty("value")).as("the principal's own group").isEqualTo(ANALYTICS);
            press(Keys.END);
            press(".keyboard");
            tabTo("the purpose", e -> "purpose".equals(e.getAttribute("id")));
            press("asked without a mouse");
            tabTo("the request button", e -> "request-submit".equals(e.getAttribute("id")));
            press(Keys.ENTER);

            String url = await().atMost(SOON).until(browser::getCurrentUrl, u -> u.startsWith(catalog.restUrl() + "/access?filed="));
            String requestId = url.substring(url.indexOf('=') + 1);
            awaitCell("/access", "#requests", requestId, ".status", "PENDING");
            assertFitsThePhone("my access");
            assertThat(row("#requests", requestId).findElement(By.cssSelector("td:nth-child(5)")).getText()).isEqualTo("asked without a mouse");
        } finally {
            browser.manage().window().setSize(DESKTOP);
        }
    }

    @Test
    void withoutASessionAPageSendsToSignInAndAWriteByHttpBasicIsRefused() throws Exception {
        var http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(catalog.restUrl() + "/inbox")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location")).hasValue("/login");

        HttpResponse<String> basicWrite = http.send(HttpRequest.newBuilder(URI.create(catalog.restUrl() + "/portal/requests"))
                .header("Authorization", CatalogClient.basicAuthorization(mesh.clientConfig(ANALYTICS)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("product=" + orderPlaced + "&view=analytics&group=pp-basic&purpose=p&days=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(basicWrite.statusCode()).isEqualTo(403);
        assertThat(basicWrite.body()).contains("the portal writes only for a person signed in at /login (HTTP Basic is not enough)");
        assertThat(requestsOf(ANALYTICS)).noneMatch(r -> r.at("/request/consumerGroup").asText().equals("pp-basic"));
    }

    @Test
    void theHealthChartsFollowNewRecordsWithoutAReload() throws Exception {
        ProductAddress live = publish("pp-orders.live.v1", "A product that gets records while its page is open.");
        try (var admin = Admin.create(mesh.clientConfig("mesh-enforcer").kafka())) {
            admin.createTopics(List.of(new NewTopic(live.topic(), 1, (short) 1))).all().get();
        }
        signIn(ANALYTICS);
        WebDriver browser = BROWSER.driver();
        browser.get(catalog.restUrl() + "/products/" + live);
        assertThat(browser.findElement(By.id("health-status")).getText()).isEqualTo("UNKNOWN");
        ((JavascriptExecutor) browser).executeScript("window.portalPageMarker = 'still here'");

        Map<String, byte[]> records = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            records.put("k" + i, "v".getBytes(StandardCharsets.UTF_8));
        }
        ProductRecords.writeBytes(mesh, live.topic(), records);

        await().atMost(SOON).until(() -> browser.findElement(By.id("health-status")).getText().equals("OK"));
        assertThat(Double.parseDouble(browser.findElement(By.id("throughput-now")).getText())).isPositive();
        assertThat(browser.findElement(By.cssSelector("#chart-throughput polyline")).getAttribute("points")).isNotEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.portalPageMarker")).as("the same page, never reloaded")
                .isEqualTo("still here");
    }

    private void signIn(String principal) {
        WebDriver browser = BROWSER.driver();
        browser.manage().deleteAllCookies();
        browser.get(catalog.restUrl() + "/login");
        browser.findElement(By.id("principal")).sendKeys(principal);
        browser.findElement(By.id("password")).sendKeys(mesh.clientConfig(principal).password().reveal());
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        await().atMost(SOON).ignoreExceptions()
                .until(() -> browser.findElement(By.id("signed-in-as")).getText(), name -> name.equals("User:" + principal));
        assertThat(browser.getCurrentUrl()).isEqualTo(catalog.restUrl() + "/catalog");
    }

    /** Fills the product page's form; @return the id of the request filed, from the page it lands on */
    private String requestAccess(String view, String group, String purpose) {
        WebDriver browser = BROWSER.driver();
        browser.findElement(By.cssSelector("#view option[value='" + view + "']")).click();
        browser.findElement(By.id("group")).clear();
        browser.findElement(By.id("group")).sendKeys(group);
        browser.findElement(By.id("purpose")).sendKeys(purpose);
        browser.findElement(By.id("request-submit")).click();
        // The answer comes once the request is on the principal's topic.
        String url = await().atMost(SOON).until(browser::getCurrentUrl, u -> u.startsWith(catalog.restUrl() + "/access?filed="));
        return url.substring(url.indexOf('=') + 1);
    }

    /** Waits for the inbox the decision's answer sends the browser back to, once the decision is on the domain's topic. */
    private void awaitDecisionSent(String requestId) {
        WebDriver browser = BROWSER.driver();
        await().atMost(SOON).until(browser::getCurrentUrl, url -> url.startsWith(catalog.restUrl() + "/inbox?decided="));
        assertThat(browser.findElement(By.cssSelector(".notice")).getText()).isEqualTo("Decision on " + requestId + " sent.");
    }

    /** Reloads a page until the row of a request holds a cell with the text: the catalog decides asynchronously. */
    private void awaitCell(String path, String table, String requestId, String cell, String text) {
        WebDriver browser = BROWSER.driver();
        await().atMost(SOON).until(() -> {
            browser.get(catalog.restUrl() + path);
            return browser.findElements(By.cssSelector(table + " tr[data-request='" + requestId + "'] " + cell)).stream()
                    .anyMatch(e -> e.getText().equals(text));
        });
    }

    private WebElement row(String table, String requestId) {
        return BROWSER.driver().findElement(By.cssSelector(table + " tr[data-request='" + requestId + "']"));
    }

    /** @return the addresses the catalog's table shows, read in one go: search as you type replaces the rows at any time */
    @SuppressWarnings("unchecked")
    private List<Object> rowAddresses() {
        return (List<Object>) ((JavascriptExecutor) BROWSER.driver())
                .executeScript("return [...document.querySelectorAll('#products tbody tr')].map(row => row.dataset.address)");
    }

    private List<JsonNode> requestsOf(String principal) {
        var api = new CatalogClient(catalog.restUrl(), mesh.clientConfig(principal));
        List<JsonNode> requests = new java.util.ArrayList<>();
        api.get("/api/access/requests").path("requests").forEach(requests::add);
        return requests;
    }

    private static ProductConsumption consumption(String product, String group, String principal, long records, Instant at) {
        return ProductConsumption.newBuilder().setProduct(product).setConsumerGroup(group).setPrincipal("User:" + principal)
                .setRecords(records).setTopics(List.of(ProductAddress.parse(product).topic())).setLastReadAt(at).build();
    }

    private void writeConsumption(String writer, ProductConsumption consumption) throws Exception {
        MeshClientConfig config = mesh.clientConfig(writer);
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(), MeshSerdes.<ProductConsumption>valueSerializer(config, false))) {
            producer.send(new ProducerRecord<>(MeshTopics.CONSUMPTION, consumption.getProduct() + "|" + consumption.getConsumerGroup(), consumption)).get();
        }
    }

    private void awaitConsumer(String path, String key) {
        WebDriver browser = BROWSER.driver();
        await().atMost(SOON).until(() -> {
            browser.get(catalog.restUrl() + path);
            return !browser.findElements(By.cssSelector("#consumers tr[data-consumer='" + key + "']")).isEmpty();
        });
    }

    private List<String> consumerCells(String key) {
        return BROWSER.driver().findElements(By.cssSelector("#consumers tr[data-consumer='" + key + "'] td")).stream()
                .map(e -> e.getText().strip()).toList();
    }

    /** Types keys into whatever has the focus, as a person at the keyboard would. */
    private void press(CharSequence... keys) {
        new Actions(BROWSER.driver()).sendKeys(keys).perform();
    }

    /** Presses Tab until the focus is on the element, failing if it is not reachable within a page's worth of controls. */
    private void tabTo(String what, Predicate<WebElement> target) {
        WebDriver browser = BROWSER.driver();
        for (int presses = 0; presses < MAX_TABS; presses++) {
            if (target.test(browser.switchTo().activeElement())) {
                return;
            }
            press(Keys.TAB);
        }
        throw new AssertionError(what + " is not reachable with the Tab key within " + MAX_TABS + " presses");
    }

    /** Nothing wider than the phone: no sideways scrolling of the page. */
    private void assertFitsThePhone(String page) {
        Object overflow = ((JavascriptExecutor) BROWSER.driver())
                .executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(((Number) overflow).longValue()).as(page + " scrolls sideways at 390 px by").isZero();
    }

    /** Registers the schema under the product's subject as its domain would, then publishes the product naming it. */
    private ProductAddress publishWithSchema(String address, String version, String schema) {
        long contentId;
        try (var registry = SchemaRegistry.connect(mesh.clientConfig(ORDERS))) {
            contentId = registry.register(address + "-value", schema).contentId();
        }
        return publish(CatalogTopologyTest.orders().setVersion(version).setSchemaSubject(address + "-value").setSchemaContentId(contentId)
                .setPiiFields(List.of("customerEmail")).setEncryption(new ProductEncryption("customerId", List.of("customerEmail"))),
                address, "Orders, as the shop's contract version " + version + " describes them.");
    }

    /** @return the texts of the cells of a table's row for a schema field */
    private List<String> cells(String table, String field) {
        return BROWSER.driver().findElements(By.cssSelector(table + " tr[data-field='" + field + "'] td")).stream().map(WebElement::getText).toList();
    }

    private ProductAddress publish(String address, String description) {
        return publish(CatalogTopologyTest.orders(), address, description);
    }

    private ProductAddress publish(ProductRegistration.Builder builder, String address, String description) {
        ProductAddress parsed = ProductAddress.parse(address);
        ProductRegistration registration = builder.setAddress(address).setDomain(parsed.domain())
                .setName(parsed.product()).setDescription(description)
                .setOwner(Owner.newBuilder().setTeam("pp-orders-team").setPrincipal("User:" + ORDERS).setContact("pp-orders@example.com").build())
                .build();
        MeshClientConfig config = mesh.clientConfig(parsed.domain());
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(),
                MeshSerdes.<ProductRegistration>valueSerializer(config, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations(parsed.domain()), address, registration)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + address, e);
        }
        var api = new CatalogClient(catalog.restUrl(), mesh.clientConfig(ANALYTICS));
        await().atMost(SOON).until(() -> api.get("/api/products?domain=" + parsed.domain()).findValuesAsText("address").contains(address));
        return parsed;
    }
}
