package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.client.KafkaCalls;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The portal's audit page in a real Chromium against the real mesh, its queries run by the engine
 * of {@code mesh audit query} as the signed-in principal: an auditor sees the broker's refusals
 * and runs SQL; a domain team can neither open the page nor run SQL there; markup in a result is
 * text; a SQL post without the CSRF token is refused.
 */
@MeshTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// Longer than @MeshTest's two minutes: a test waits up to QUERY for a query, and past its time
// JUnit interrupts a browser command midway, which left the next test reading a stale page.
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PortalAuditIT {

    @RegisterExtension
    static final PortalBrowser BROWSER = new PortalBrowser();

    /** A query starts an embedded Flink job: seconds on a quiet machine, far more at load 30. */
    private static final Duration QUERY = Duration.ofMinutes(3);
    private static final String AUDITOR = "pa-inspector";
    private static final String DOMAIN = "pa-shop";
    private static final String SNOOP = "pa-snoop";
    private static final String SECRET = DOMAIN + ".secret.v1";

    private EmbeddedMesh mesh;
    private CatalogApp catalog;
    private AuditApp audit;

    @BeforeAll
    void start(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        mesh.onboarding().addDomain(DOMAIN);
        mesh.onboarding().ensurePrincipal(SNOOP, PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal(AUDITOR, PrincipalKind.AUDITOR);
        KafkaCalls.createMissing(mesh.admin(), List.of(new NewTopic(SECRET, 1, (short) 1)));
        audit = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), Files.createTempDirectory("portal-audit-it-audit-")));
        catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), Files.createTempDirectory("portal-audit-it-"),
                mesh.state().credentials(), 0));
    }

    @AfterAll
    void stop() {
        catalog.close();
        audit.close();
    }

    @Test
    void anAuditorSeesTheBrokersRefusalsAndRunsSqlAsItself() {
        try (var consumer = new KafkaConsumer<>(mesh.clientConfig(SNOOP).kafka(), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(SECRET, 0)));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(TopicAuthorizationException.class);
        }

        signIn(AUDITOR);
        WebDriver browser = BROWSER.driver();
        assertThat(browser.findElements(By.linkText("Audit"))).hasSize(1);
        await().atMost(QUERY).ignoreExceptions().until(() -> {
            browser.get(catalog.restUrl() + "/audit");
            WebElement refusals = awaitDone("refusals");
            return refusals.getText().contains("User:" + SNOOP) && refusals.getText().contains(SECRET);
        });
        assertThat(awaitDone("consumption").getAttribute("data-state")).isEqualTo("DONE");

        String query = runSql("SELECT principal, resource_name, decision FROM audit WHERE principal = 'User:" + SNOOP
                + "' AND resource_name = '" + SECRET + "' GROUP BY principal, resource_name, decision");
        WebElement asked = awaitAnswer(query);
        assertThat(asked.findElements(By.cssSelector("tbody tr td")).stream().map(WebElement::getText).toList())
                .containsExactly("User:" + SNOOP, SECRET, "DENIED");
    }

    @Test
    void aQueryTheEngineRefusesComesBackAsItsOneLineReason() {
        signIn(AUDITOR);
        String query = runSql("CREATE TABLE loot (principal STRING) WITH ('connector' = 'filesystem', 'path' = '/tmp/loot', 'format' = 'csv')");

        assertThat(awaitAnswer(query).getAttribute("data-state")).isEqualTo("FAILED");
        assertThat(BROWSER.driver().findElement(By.cssSelector("#asked-result .query-error")).getText())
                .isEqualTo("mesh audit query runs one SELECT (or WITH … SELECT, a UNION of SELECTs) and nothing else; this is CREATE TABLE");
    }

    @Test
    void markupInAQueryAndItsResultIsShownAsTextAndNeverRuns() {
        String markup = "<script>window.xssRan = true</script><img src=x onerror=\"window.xssRan = true\">";
        signIn(AUDITOR);
        String query = runSql("SELECT '" + markup.replace("'", "''") + "' AS payload");

        WebElement asked = awaitAnswer(query);
        assertThat(asked.findElement(By.cssSelector("tbody td")).getText()).isEqualTo(markup);
        assertThat(BROWSER.driver().findElement(By.id("sql")).getAttribute("value")).contains(markup);
        assertThat(((JavascriptExecutor) BROWSER.driver()).executeScript("return window.xssRan === true")).isEqualTo(false);
        assertThat(BROWSER.driver().findElements(By.cssSelector("#asked-result img, #asked-result script"))).isEmpty();
    }

    @Test
    void aSqlPostWithoutTheCsrfTokenIsRefusedAndRunsNothing() {
        signIn(AUDITOR);
        BROWSER.driver().get(catalog.restUrl() + "/catalog");

        Object status = post("/portal/audit/queries", "new URLSearchParams({sql: 'SELECT 1'})");

        assertThat(status).isEqualTo(403L);
    }

    @Test
    void aDomainTeamCanNeitherOpenTheAuditPageNorRunSqlThere() {
        signIn(DOMAIN);
        WebDriver browser = BROWSER.driver();
        assertThat(browser.findElements(By.linkText("Audit"))).isEmpty();
        browser.get(catalog.restUrl() + "/audit");
        assertThat(browser.findElement(By.id("error")).getText()).isEqualTo("the audit page is for auditors and platform principals");

        browser.get(catalog.restUrl() + "/catalog");
        Object status = post("/portal/audit/queries", "new URLSearchParams({sql: 'SELECT principal FROM audit', "
                + "csrf: document.querySelector('main').dataset.csrf})");
        assertThat(status).as("with its own valid CSRF token").isEqualTo(403L);
    }

    /**
     * Types the query into the SQL box and runs it; the page comes back with the query running.
     * The page reloads itself while its standing panels run (not while the box is edited); a
     * reload already under way may replace the box under the typing: then it is typed again.
     *
     * @return the id of the query the page now shows as asked
     */
    private String runSql(String sql) {
        WebDriver browser = BROWSER.driver();
        // Also typed again while the portal refuses it for this principal's queries still running
        // (earlier tests', slow on a loaded machine): the page then says so and stays on /audit.
        String asked = catalog.restUrl() + "/audit?query=";
        String url = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
            browser.get(catalog.restUrl() + "/audit");
            WebElement box = browser.findElement(By.id("sql"));
            box.clear();
            box.sendKeys(sql);
            browser.findElement(By.cssSelector("#audit-sql button[type=submit]")).click();
            String at = await().atMost(Duration.ofSeconds(30)).until(browser::getCurrentUrl, shown -> shown.startsWith(asked));
            // A reload that began just before the typing (the page waits while the box is edited, not
            // while a reload is under way) submits the page's default query: the asked page shows which ran.
            return browser.findElement(By.id("sql")).getAttribute("value").equals(sql) ? at : null;
        }, at -> at != null);
        return url.substring(asked.length()).replaceAll("#.*", "");
    }

    /** Waits until the page shows the answer to that query (an answer shown earlier, or another query's, does not count). */
    private WebElement awaitAnswer(String query) {
        return await().atMost(QUERY).ignoreExceptions().until(() -> BROWSER.driver().findElement(By.id("asked-result")),
                e -> e.getAttribute("data-query").equals(query) && !e.getAttribute("data-state").equals("RUNNING"));
    }

    /** The page reloads itself while a query runs: waits until the result's block says it is done or failed. */
    private WebElement awaitDone(String id) {
        return await().atMost(QUERY).ignoreExceptions()
                .until(() -> BROWSER.driver().findElement(By.id(id)), e -> !e.getAttribute("data-state").equals("RUNNING"));
    }

    private Object post(String path, String body) {
        return ((JavascriptExecutor) BROWSER.driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('%s', {method: 'POST', body: %s}).then(response => done(response.status), error => done(String(error)));
                """.formatted(path, body));
    }

    private void signIn(String principal) {
        WebDriver browser = BROWSER.driver();
        browser.manage().deleteAllCookies();
        browser.get(catalog.restUrl() + "/login");
        browser.findElement(By.id("principal")).sendKeys(principal);
        browser.findElement(By.id("password")).sendKeys(mesh.clientConfig(principal).password().reveal());
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> browser.findElement(By.id("signed-in-as")).getText(), name -> name.equals("User:" + principal));
    }
}
