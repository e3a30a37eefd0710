package io.streammesh.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.router.JavalinDefaultRouting;
import io.streammesh.client.AccessClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.ProductAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data portal: server-rendered pages for people signed in at {@code /login}, on the REST
 * API's port. Every page shows what the REST API answers that principal ({@link CatalogApi}'s
 * own answers and checks, never a rule of its own), and every write goes to Kafka as the
 * signed-in principal (an {@link AccessClient} with their credentials), exactly as
 * {@code mesh access request|approve|deny|revoke} would: the broker's ACLs decide who may ask or
 * decide, and the catalog still takes a request only from its principal's topic and a decision
 * only from its domain's. Writes need a session (a browser's cached Basic login is never enough)
 * and, as every state change by cookie, its CSRF token.
 */
final class Portal implements AutoCloseable {

    static final String CATALOG = "/catalog";
    static final String ACCESS = "/access";
    static final String INBOX = "/inbox";
    static final String AUDIT = "/audit";
    static final String PRODUCTS = "/products/";
    static final String REQUESTS = "/portal/requests";
    static final String DECISIONS = "/portal/decisions";
    static final String WITHDRAWALS = "/portal/withdrawals";
    static final String AUDIT_QUERIES = "/portal/audit/queries";
    /** The audit page's recent refusals: the broker's refusals, newest first, as {@code mesh audit query} reads them. */
    static final String REFUSALS_SQL = "SELECT principal, operation, resource_type, resource_name, SUM(event_count) AS refusals, "
            + "MAX(event_time) AS last_refused FROM audit WHERE decision = 'DENIED' "
            + "GROUP BY principal, operation, resource_type, resource_name ORDER BY last_refused DESC LIMIT 50";
    /** The audit page's consumption per product and principal: the ledger's CONSUMPTION events, summed. */
    static final String CONSUMPTION_SQL = "SELECT product, principal, consumer_group, SUM(event_count) AS records, "
            + "MAX(event_time) AS last_read FROM audit WHERE event_type = 'CONSUMPTION' "
            + "GROUP BY product, principal, consumer_group ORDER BY records DESC LIMIT 100";
    /** How long the audit page's standing queries' answers stand before a visit runs them again. */
    static final Duration STANDING_QUERY_FRESH = Duration.ofSeconds(30);
    static final String ASSETS = "/assets/";
    static final String HEALTH_EVENTS = "/portal/health/";
    /** How often a product page's live health is pushed: the catalog's own health check runs every few seconds. */
    static final Duration HEALTH_PUSH_INTERVAL = Duration.ofSeconds(2);
    /** The live health charts one principal may have open at once, and all principals. */
    static final int HEALTH_STREAMS_PER_PRINCIPAL = 10;
    static final int HEALTH_STREAMS = 500;
    /** How often every product's health is kept for the charts' last hour. */
    static final Duration HEALTH_SAMPLE_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(Portal.class);

    private static final Set<String> PAGES = Set.of("/", CATALOG, ACCESS, INBOX, AUDIT);
    private static final Set<String> WRITES = Set.of(REQUESTS, DECISIONS, WITHDRAWALS, AUDIT_QUERIES);
    private static final Map<String, String> ASSET_TYPES = Map.of("portal.css", "text/css; charset=utf-8",
            "portal.js", "text/javascript; charset=utf-8");
    private static final List<String> HEALTH_STATES = List.of("OK", "DEGRADED", "VIOLATED", "UNKNOWN");
    private static final int MAX_DURATION_DAYS = 365;
    private static final int MAX_SQL_LENGTH = 10_000;
    private static final String AWAITING_SECOND_APPROVAL = "AWAITING_SECOND_APPROVAL";

    private final CatalogApi api;
    private final PortalTemplates templates;
    private final MeshClientConfig catalogClient;
    private final ProductSchemas schemas;
    private final HealthHistory history = new HealthHistory(Duration.ofHours(1));
    private final HealthStreams healthStreams = new HealthStreams(HEALTH_STREAMS_PER_PRINCIPAL, HEALTH_STREAMS);
    private final AuditQueries auditQueries;
    private final HealthPushes healthPushes = new HealthPushes(HEALTH_PUSH_INTERVAL, HEALTH_STREAMS);
    /** The charts' history is kept on a thread of its own: a push blocked on a client that does not read holds no sample. */
    private final ScheduledExecutorService healthSampling = daemon("portal-health-sampling");

    /**
     * @param api the REST API whose answers the pages show
     * @param templates the pages
     * @param catalogClient the catalog's own client config: where the broker and registry are (people write with their own credentials)
     * @param auditQueries where the audit page's queries run
     */
    Portal(CatalogApi api, PortalTemplates templates, MeshClientConfig catalogClient, AuditQueries auditQueries) {
        this.api = api;
        this.auditQueries = auditQueries;
        this.templates = templates;
        this.catalogClient = catalogClient;
        this.schemas = new ProductSchemas(catalogClient);
    }

    /** @param path a request's path @return whether it is one of the portal's writes, which may be posted to */
    static boolean owns(String path) {
        return WRITES.contains(path);
    }

    /** @param path a request's path @return whether a person's browser asks for it: a refusal is a page, not JSON */
    static boolean serves(String path) {
        return PAGES.contains(path) || WRITES.contains(path) || path.startsWith(PRODUCTS) || path.startsWith(HEALTH_EVENTS);
    }

    /** @param path a request's path @return whether anyone may load it: the pages' stylesheet and script, which hold no data */
    static boolean isAsset(String path) {
        return path.startsWith(ASSETS) && ASSET_TYPES.containsKey(path.substring(ASSETS.length()));
    }

    void routes(JavalinDefaultRouting router) {
        router.get("/", ctx -> ctx.redirect(CATALOG, HttpStatus.SEE_OTHER));
        router.get(ASSETS + "{file}", this::asset);
        router.get(CATALOG, this::catalog);
        router.get(PRODUCTS + "{address}", this::product);
        router.get(ACCESS, this::myAccess);
        router.get(INBOX, this::inbox);
        router.get(AUDIT, this::audit);
        router.post(REQUESTS, this::fileRequest);
        router.post(DECISIONS, this::decide);
        router.post(WITHDRAWALS, this::withdraw);
        router.post(AUDIT_QUERIES, this::askAudit);
        router.sse(HEALTH_EVENTS + "{address}", this::pushHealth);
    }

    /** Starts keeping every product's health for the charts; called once the catalog's stores answer. */
    void startSampling() {
        healthSampling.scheduleAtFixedRate(this::sampleHealth, 0, HEALTH_SAMPLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sampleHealth() {
        try {
            Instant now = Instant.now();
            for (String address : api.addresses()) {
                history.add(address, healthEvent(address, now), now);
            }
        } catch (RuntimeException e) {
            // A failed round (the catalog rebalancing) leaves a gap in the charts; an escaping exception would end the sampling.
            LOG.warn("Portal health sampling skipped a round: {}", e.getMessage());
        }
    }

    /**
     * Server-sent events: {@code history}, the product's last hour of samples (JSON array), then
     * {@code health}, the product's health as the API shows it plus {@code freshnessSeconds} and
     * {@code at} (epoch ms), now and every {@link #HEALTH_PUSH_INTERVAL} until the page goes; or
     * {@code refused}, the reason, and the end, past {@link HealthStreams}' bounds (the answer's
     * status is sent before this runs).
     */
    private void pushHealth(SseClient client) {
        ProductAddress product = CatalogApi.address(client.ctx().pathParam("address"));
        api.product(product);
        String address = product.toString();
        String principal = CatalogApi.caller(client.ctx()).principal().kafkaPrincipal();
        Optional<String> refused = healthStreams.open(principal);
        if (refused.isPresent()) {
            client.sendEvent("refused", refused.get());
            client.close();
            return;
        }
        client.keepAlive();
        var stopPushes = new AtomicReference<Runnable>(() -> { });
        var counted = new AtomicBoolean(true);
        Runnable end = () -> {
            stopPushes.get().run();
            // once per stream, however often it is closed
            if (counted.getAndSet(false)) {
                healthStreams.close(principal);
            }
        };
        // Before anything is written: a client gone by the first write must still give its stream back.
        client.onClose(end);
        var historySent = new AtomicBoolean();
        // Every write on the pushes' writers, the history too: a client that does not read holds none of Jetty's threads.
        stopPushes.set(healthPushes.start(() -> {
            if (client.terminated()) {
                // closed before its pushes started, when its close had nothing to stop yet
                end.run();
                return;
            }
            try {
                if (!historySent.getAndSet(true)) {
                    client.sendEvent("history", JsonNodeFactory.instance.arrayNode().addAll(history.of(address)).toString());
                }
                Instant now = Instant.now();
                client.sendEvent("health", healthEvent(address, now).put("at", now.toEpochMilli()).toString());
            } catch (RuntimeException e) {
                // The page went or the catalog is rebalancing: the browser's EventSource reconnects when it can.
                client.close();
            }
        }));
    }

    private ObjectNode healthEvent(String address, Instant now) {
        ObjectNode health = api.health(address);
        JsonNode last = health.path("lastRecordAt");
        if (last.isTextual()) {
            health.put("freshnessSeconds", Math.max(0, Duration.between(Instant.parse(last.asText()), now).toSeconds()));
        } else {
            health.putNull("freshnessSeconds");
        }
        return health;
    }

    @Override
    public void close() {
        healthPushes.close();
        healthSampling.shutdownNow();
        auditQueries.close();
    }

    /** Renders a refusal of a portal path: no session sends the browser to sign in, anything else is an error page. */
    void refusal(Context ctx, int status, String message) {
        if (status == 401) {
            ctx.redirect(SignIn.LOGIN_PATH, HttpStatus.SEE_OTHER);
            return;
        }
        MeshPrincipal caller = CatalogApi.callerOrNull(ctx);
        PortalPage page = caller == null ? new PortalPage("Error", "", "", "", false, Map.of()) : page(ctx, "Error", "");
        templates.render(ctx, status, "error.jte", Map.of("page", page, "message", message));
    }

    private void asset(Context ctx) throws IOException {
        String file = ctx.pathParam("file");
        String type = ASSET_TYPES.get(file);
        if (type == null) {
            throw new ApiError(404, "no such asset " + file);
        }
        try (InputStream in = Portal.class.getResourceAsStream("/portal/" + file)) {
            ctx.header("Cache-Control", "no-cache");
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private void catalog(Context ctx) {
        PortalPage page = page(ctx, "Catalog", "catalog");
        Map<String, String> search = new HashMap<>();
        for (String key : List.of("q", "domain", "tag", "classification")) {
            if (!page.param(key).isEmpty()) {
                search.put(key, page.param(key));
            }
        }
        ObjectNode result = api.search(search);
        String health = page.param("health");
        if (!health.isEmpty()) {
            if (!HEALTH_STATES.contains(health)) {
                throw new ApiError(400, "health must be one of " + HEALTH_STATES + ", got '" + health + "'");
            }
            ArrayNode kept = JsonNodeFactory.instance.arrayNode();
            result.path("products").forEach(p -> {
                if (p.at("/health/status").asText().equals(health)) {
                    kept.add(p);
                }
            });
            result.put("count", kept.size()).set("products", kept);
        }
        render(ctx, "catalog.jte", page, result);
    }

    private void product(Context ctx) {
        ProductAddress address = CatalogApi.address(ctx.pathParam("address"));
        CatalogSnapshot catalog = api.snapshot();
        ObjectNode product = api.product(catalog, address);
        PortalPage page = page(ctx, address.toString(), "catalog");
        Map<String, Object> params = new HashMap<>(Map.of("page", page, "data", product, "lineage", LineageGraph.of(product.path("lineage"))));
        try {
            params.put("fields", schemas.fields(product));
            params.put("versions", versions(catalog, address, product));
            params.put("schemaProblem", "");
        } catch (MeshException | ApiError e) {
            // The rest of the page comes from the catalog itself: a registry outage or a product without a schema id costs only its fields.
            LOG.warn("Portal product page of {} without its schema: {}", address, e.getMessage());
            params.put("fields", List.of());
            params.put("versions", ProductVersions.of(List.of()));
            params.put("schemaProblem", e.getMessage());
        }
        templates.render(ctx, 200, "product.jte", params);
    }

    /** The catalogued major versions of the product (the same domain and name), oldest first, with their schemas' fields. */
    private ProductVersions versions(CatalogSnapshot catalog, ProductAddress address, ObjectNode product) {
        List<ProductVersions.Version> versions = new ArrayList<>();
        for (ProductAddress major : CatalogApi.majorVersions(catalog, address)) {
            ObjectNode version = major.equals(address) ? product : api.product(catalog, major);
            versions.add(new ProductVersions.Version(major.toString(), version.path("version").asText(), schemas.fields(version)));
        }
        return ProductVersions.of(versions);
    }

    private void myAccess(Context ctx) {
        PortalPage page = page(ctx, "My access", "access");
        String me = page.principal();
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.set("requests", api.requests(Map.of("principal", me), CatalogApi.caller(ctx)).path("requests"));
        data.set("grants", api.grants(Map.of("principal", me), CatalogApi.caller(ctx)).path("grants"));
        data.put("kcatConfig", CatalogApi.callerOrNull(ctx).name() + ".kcat.conf");
        render(ctx, "access.jte", page, data);
    }

    private void inbox(Context ctx) {
        PortalPage page = page(ctx, "Inbox", "inbox");
        String domain = CatalogApi.callerOrNull(ctx).name();
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("domain", domain);
        data.set("pending", api.requests(Map.of("status", "PENDING", "domain", domain), CatalogApi.caller(ctx)).path("requests"));
        data.set("awaiting", awaitingMySecondApproval(ctx));
        ArrayNode active = JsonNodeFactory.instance.arrayNode();
        api.grants(Map.of("status", "ACTIVE"), CatalogApi.caller(ctx)).path("grants").forEach(g -> {
            if (g.path("product").asText().startsWith(domain + ".")) {
                active.add(g);
            }
        });
        data.set("grants", active);
        ArrayNode consumers = JsonNodeFactory.instance.arrayNode();
        api.consumption(null, CatalogApi.caller(ctx)).path("consumers").forEach(c -> {
            if (c.path("product").asText().startsWith(domain + ".")) {
                consumers.add(c);
            }
        });
        data.set("consumers", consumers);
        render(ctx, "inbox.jte", page, data);
    }

    /** The requests whose owner approved and whose view names the signed-in principal for the second approval. */
    private ArrayNode awaitingMySecondApproval(Context ctx) {
        String me = CatalogApi.callerOrNull(ctx).kafkaPrincipal();
        ArrayNode awaiting = JsonNodeFactory.instance.arrayNode();
        api.requests(Map.of("status", AWAITING_SECOND_APPROVAL), CatalogApi.caller(ctx)).path("requests").forEach(r -> {
            if (namesSecondApprover(r, me)) {
                awaiting.add(r);
            }
        });
        return awaiting;
    }

    private static boolean namesSecondApprover(JsonNode request, String kafkaPrincipal) {
        for (JsonNode approver : request.path("secondLevelApprovers")) {
            if (approver.asText().equals(kafkaPrincipal)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The audit page: the chain's status (audit-sink's last check), then recent refusals,
     * consumption per product and principal and the person's own SQL, each run by the engine of
     * {@code mesh audit query} as the signed-in principal (the broker decides what it reads).
     * Queries run beside the request: the page shows them running and reloads until they end.
     */
    private void audit(Context ctx) {
        mayAudit(ctx);
        Map<String, Object> params = new HashMap<>();
        params.put("page", page(ctx, "Audit", "audit"));
        params.put("chain", api.auditChain(CatalogApi.caller(ctx)));
        params.put("engine", auditQueries.available());
        Optional<PortalSession> session = CallerAuthentication.session(ctx);
        params.put("signedIn", session.isPresent());
        if (session.isPresent() && auditQueries.available()) {
            MeshClientConfig asCaller = clientConfigOf(session.get());
            MeshPrincipal me = session.get().principal();
            String asked = ctx.queryParam("query");
            // While the page reloads for the person's own query, the panels keep the answer they have
            // (a query kept is at most minutes old): a long query must not re-run them every 30 s.
            Duration fresh = asked == null ? STANDING_QUERY_FRESH : auditQueries.kept();
            params.put("refusals", auditQueries.standing(asCaller, me, REFUSALS_SQL, fresh));
            params.put("consumption", auditQueries.standing(asCaller, me, CONSUMPTION_SQL, fresh));
            params.put("asked", asked == null ? null : auditQueries.find(asked, me).orElseThrow(() -> new ApiError(404,
                    "no audit query " + asked + " of yours is kept here (queries are kept a while after they are asked)")));
        } else {
            params.put("refusals", null);
            params.put("consumption", null);
            params.put("asked", null);
        }
        templates.render(ctx, 200, "audit.jte", params);
    }

    /** Runs the SQL box's query as the signed-in principal, then shows the audit page with it. */
    private void askAudit(Context ctx) {
        mayAudit(ctx);
        PortalSession session = session(ctx);
        String sql = required(ctx, "sql");
        if (sql.length() > MAX_SQL_LENGTH) {
            throw new ApiError(400, "form field 'sql' may hold at most " + MAX_SQL_LENGTH + " characters, got " + sql.length());
        }
        AuditQueries.Query query = auditQueries.start(clientConfigOf(session), session.principal(), sql);
        ctx.redirect(AUDIT + "?query=" + query.id() + "#asked", HttpStatus.SEE_OTHER);
    }

    /** The audit page is the platform's and auditors', as {@code mesh audit} is: the broker refuses others the audit trail. */
    private static void mayAudit(Context ctx) {
        if (!CatalogApi.caller(ctx).audits()) {
            throw new ApiError(403, "the audit page is for auditors and platform principals");
        }
    }

    private void fileRequest(Context ctx) {
        PortalSession session = session(ctx);
        ProductAddress product = CatalogApi.address(required(ctx, "product"));
        String view = required(ctx, "view");
        String group = required(ctx, "group");
        String purpose = required(ctx, "purpose");
        Duration duration = days(required(ctx, "days"));
        boolean decrypt = "true".equals(ctx.formParam("decrypt"));
        String id;
        try (var access = new AccessClient(clientConfigOf(session))) {
            id = access.request(product, view, null, group, purpose, duration, decrypt);
        }
        ctx.redirect(ACCESS + "?filed=" + URLEncoder.encode(id, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
    }

    private void decide(Context ctx) {
        PortalSession session = session(ctx);
        String requestId = required(ctx, "requestId");
        DecisionKind kind = decision(required(ctx, "decision"));
        String reason = required(ctx, "reason");
        // The request as this principal may see it (404 otherwise); where it stands names the decision topic, which the broker guards.
        JsonNode request = api.request(requestId, CatalogApi.caller(ctx));
        try (var access = new AccessClient(clientConfigOf(session))) {
            access.decide(decisionTopicOwner(request, session.principal()), requestId, kind, reason, null);
        }
        ctx.redirect(INBOX + "?decided=" + URLEncoder.encode(requestId, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
    }

    /**
     * Withdraws one of the signed-in principal's requests (or gives up its grant) on its own
     * decision topic; the catalog counts it only if the request names that principal. A request
     * the person may not see is a 404, one not theirs a 403, one with nothing to withdraw a 409.
     */
    private void withdraw(Context ctx) {
        PortalSession session = session(ctx);
        String requestId = required(ctx, "requestId");
        String reason = Optional.ofNullable(ctx.formParam("reason")).map(String::strip).filter(text -> !text.isEmpty()).orElse(null);
        // The catalog refuses any other withdrawal too, but only in its rejections: the person is told here.
        JsonNode request = api.request(requestId, CatalogApi.caller(ctx));
        String me = session.principal().kafkaPrincipal();
        if (!request.at("/request/principal").asText().equals(me)) {
            throw new ApiError(403, "request " + requestId + " is not " + me + "'s: only the principal a request names withdraws it");
        }
        String status = request.path("status").asText();
        boolean waiting = status.equals("PENDING") || status.equals(AWAITING_SECOND_APPROVAL);
        if (!waiting && !request.at("/grant/status").asText().equals("ACTIVE")) {
            throw new ApiError(409, "request " + requestId + " is " + status + " and holds no active grant: nothing to withdraw");
        }
        // Giving up a grant cannot be undone (a new request waits for the owner again): asked for explicitly, not by a stray click.
        if (!waiting && !"yes".equals(ctx.formParam("confirm"))) {
            throw new ApiError(400, "confirm: giving up request " + requestId + "'s grant ends its group's reading now; tick the box to confirm");
        }
        try (var access = new AccessClient(clientConfigOf(session))) {
            access.withdraw(requestId, reason);
        }
        ctx.redirect(ACCESS + "?withdrawn=" + URLEncoder.encode(requestId, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
    }

    /**
     * Whose decision topic a decision goes to, as {@code mesh access approve} would write it: a
     * second-level approver the view names decides an owner-approved request on its own topic;
     * everything else goes to the owning domain's. The catalog counts a decision only from those
     * topics and the broker lets only their principals write them, so this choice grants nothing.
     */
    private static String decisionTopicOwner(JsonNode request, MeshPrincipal decider) {
        boolean secondLevel = request.path("status").asText().equals(AWAITING_SECOND_APPROVAL)
                && namesSecondApprover(request, decider.kafkaPrincipal());
        return secondLevel ? decider.name() : request.path("domain").asText();
    }

    /** Who writes: the signed-in person, with the password they signed in with; the broker and registry are the catalog's. */
    private MeshClientConfig clientConfigOf(PortalSession session) {
        return new MeshClientConfig(catalogClient.bootstrap(), session.principal().name(), catalogClient.registryUrl(), session.password(),
                Map.of());
    }

    private static PortalSession session(Context ctx) {
        return CallerAuthentication.session(ctx).orElseThrow(() -> new ApiError(403,
                "the portal writes only for a person signed in at " + SignIn.LOGIN_PATH + " (HTTP Basic is not enough)"));
    }

    private static String required(Context ctx, String field) {
        String value = ctx.formParam(field);
        if (value == null || value.isBlank()) {
            throw new ApiError(400, "form field '" + field + "' is required");
        }
        return value.strip();
    }

    private static Duration days(String text) {
        try {
            int days = Integer.parseInt(text);
            if (days >= 1 && days <= MAX_DURATION_DAYS) {
                return Duration.ofDays(days);
            }
        } catch (NumberFormatException e) {
            // Falls through to the one message below.
        }
        throw new ApiError(400, "form field 'days' must be a whole number of days from 1 to " + MAX_DURATION_DAYS + ", got '" + text + "'");
    }

    private static DecisionKind decision(String text) {
        return switch (text) {
            case "APPROVED" -> DecisionKind.APPROVED;
            case "DENIED" -> DecisionKind.DENIED;
            case "REVOKED" -> DecisionKind.REVOKED;
            default -> throw new ApiError(400, "form field 'decision' must be APPROVED, DENIED or REVOKED, got '" + text + "'");
        };
    }

    private void render(Context ctx, String template, PortalPage page, JsonNode data) {
        templates.render(ctx, 200, template, Map.of("page", page, "data", data));
    }

    private static PortalPage page(Context ctx, String title, String nav) {
        MeshPrincipal caller = CatalogApi.callerOrNull(ctx);
        String csrf = CallerAuthentication.session(ctx).map(PortalSession::csrfToken).orElse("");
        return new PortalPage(title, nav, caller.kafkaPrincipal(), csrf, CatalogApi.caller(ctx).audits(), Map.copyOf(CatalogApi.query(ctx)));
    }

    /** Maps a refused write to the status a person should see: the broker's refusal is a 403, anything else the mesh being unwell. */
    static int statusOf(MeshException e) {
        return e.getMessage() != null && e.getMessage().startsWith("refused by the broker") ? 403 : 503;
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            var thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
