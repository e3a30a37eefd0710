package io.streammesh.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.JavalinDefaultRouting;
import io.streammesh.client.AvroJson;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.credentials.CredentialCheck;
import io.streammesh.schema.Classification;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.FreeText;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductConsumption;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.RequestStatus;
import io.streammesh.schema.ViewStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's REST API (JSON; described in {@code catalog-api.yaml}, served at
 * {@code /api/openapi.yaml}) on Javalin (Jetty, a bounded thread pool, no request log). Callers
 * authenticate with their mesh principal: HTTP Basic (the same credentials as the broker: a
 * {@link CredentialCheck} against its credential file), or, for people, the session cookie of a
 * sign-in at {@code /login} ({@link SignIn}, {@link CallerAuthentication}); every call is reported
 * for the audit. Any principal may discover products; access requests, grants and rejections are
 * shown to the platform, to the domain owning the product, and to the principals they concern
 * (a request also to the second-level approvers its view names).
 */
final class CatalogApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogApi.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> STATUSES = Arrays.stream(RequestStatus.values()).map(Enum::name).toList();
    private static final List<String> GRANT_STATUSES = List.of("ACTIVE", "REVOKED", "EXPIRED");
    /** Jetty's threads: acceptor and selector included, so a flood of calls queues instead of growing the JVM. */
    private static final int MAX_THREADS = 16;
    /** The calls one principal may have in flight at once: a share of {@link #MAX_THREADS}, so that no tenant holds them all. */
    private static final int CALLS_IN_FLIGHT_PER_PRINCIPAL = 4;
    private static final Duration SESSION_LIFETIME = Duration.ofHours(8);
    /** Each audit query starts an embedded Flink job (hundreds of MB, seconds of CPU): two at a time on a catalog, a few waiting. */
    private static final int AUDIT_QUERIES_RUNNING = 2;
    private static final int AUDIT_QUERIES_QUEUED = 6;
    private static final int AUDIT_QUERY_ROWS = 500;
    private static final Duration AUDIT_QUERY_RUN_TIME = Duration.ofMinutes(2);
    private static final Duration AUDIT_QUERY_KEPT = Duration.ofMinutes(15);
    private static final int MAX_SESSIONS = 10_000;
    private static final int MAX_SESSIONS_PER_PRINCIPAL = 20;
    private static final int FAILED_SIGN_INS_PER_PRINCIPAL = 5;
    private static final int FAILED_SIGN_INS_PER_ADDRESS = 20;
    private static final Duration FAILED_SIGN_IN_WINDOW = Duration.ofMinutes(15);
    /** Failed HTTP Basic logins of one principal from one address, each a PBKDF2 derivation, before only logins verified before pass. */
    private static final int FAILED_BASIC_LOGINS_PER_PRINCIPAL = 10;

    private final Javalin app;
    private final Portal portal;
    private volatile CatalogQueries queries;
    private volatile PublishedContracts contracts;
    private volatile KeyService keys;
    private final String ccompatUrl;

    record Caller(MeshPrincipal principal) {
        boolean seesAll() {
            return principal.kind() == PrincipalKind.ADMIN || principal.kind() == PrincipalKind.PLATFORM;
        }

        /** @return whether the caller reads the audit trail: the platform and auditors (the audit page, the chain's status) */
        boolean audits() {
            return seesAll() || principal.kind() == PrincipalKind.AUDITOR;
        }

        boolean sees(String domain, String... principals) {
            return seesAll() || principal.name().equals(domain)
                    || List.of(principals).contains(principal.kafkaPrincipal());
        }
    }

    /** Listens on the port at once (Kafka Streams needs it as this instance's application.server); answers 503 until {@link #start}. */
    CatalogApi(String host, int port, CredentialCheck credentials, RestAccessLog accessLog, MeshClientConfig clientConfig) {
        String registryApiUrl = clientConfig.registryUrlText();
        this.ccompatUrl = registryApiUrl == null ? null : registryApiUrl.replace("/apis/registry/v2", "/apis/ccompat/v7");
        var templates = new PortalTemplates();
        this.portal = new Portal(this, templates, clientConfig, new AuditQueries(AuditQueries.installedEngine(), AUDIT_QUERIES_RUNNING,
                AUDIT_QUERIES_QUEUED, AUDIT_QUERY_ROWS, AUDIT_QUERY_RUN_TIME, AUDIT_QUERY_KEPT, Clock.systemUTC()));
        var sessions = new PortalSessions(SESSION_LIFETIME, MAX_SESSIONS, MAX_SESSIONS_PER_PRINCIPAL, Clock.systemUTC());
        var throttle = new SignInThrottle(FAILED_SIGN_INS_PER_PRINCIPAL, FAILED_SIGN_INS_PER_ADDRESS, FAILED_SIGN_IN_WINDOW,
                MAX_SESSIONS, Clock.systemUTC());
        // no limit per address: a login verified before passes anyway, and one address may be a proxy of many (the ingest API)
        var basicFailures = new SignInThrottle(FAILED_BASIC_LOGINS_PER_PRINCIPAL, Integer.MAX_VALUE, FAILED_SIGN_IN_WINDOW, MAX_SESSIONS,
                Clock.systemUTC());
        var authentication = new CallerAuthentication(credentials, sessions, basicFailures, accessLog);
        var signIn = new SignIn(credentials, sessions, throttle, accessLog, templates);
        var callsInFlight = new CallsInFlight(CALLS_IN_FLIGHT_PER_PRINCIPAL);
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.jetty.threadPool = threadPool();
            config.router.mount(router -> {
                router.before(this::refuseWhileStarting);
                router.before(authentication::check);
                router.before(callsInFlight::enter);
                router.after(callsInFlight::leave);
                router.before(CatalogApi::refuseWrites);
                router.before(CatalogApi::refuseControlCharactersInPath);
                router.before(CatalogApi::refuseTenantsInternally);
                router.get("/health", ctx -> respond(ctx, 200, JSON.createObjectNode().put("status", "UP")));
                signIn.routes(router);
                portal.routes(router);
                restRoutes(router);
                exceptionMapping(router, portal);
            });
        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            throw new MeshException("the catalog REST API cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); is the port in use?", e);
        }
    }

    void start(CatalogQueries catalogQueries, PublishedContracts publishedContracts, KeyService keyService) {
        this.keys = keyService;
        this.contracts = publishedContracts;
        this.queries = catalogQueries;
        portal.startSampling();
    }

    int port() {
        return app.port();
    }

    private void restRoutes(JavalinDefaultRouting router) {
        router.get("/api/openapi.yaml", ctx -> respond(ctx, 200, openApi()));
        router.get("/api/products", ctx -> respond(ctx, 200, search(only(query(ctx), "q", "domain", "tag", "classification", "status"))));
        router.get("/api/products/{address}", ctx -> {
            Map<String, String> query = query(ctx);
            ProductAddress address = address(ctx.pathParam("address"));
            only(query);
            respond(ctx, 200, product(address));
        });
        router.get("/api/products/{address}/contract", ctx -> {
            Map<String, String> query = only(query(ctx), "format");
            ProductAddress address = address(ctx.pathParam("address"));
            ContractRenderer.Format format = PublishedContracts.format(query.get("format"));
            respond(ctx, 200, contracts.render(queries.snapshot().product(address.toString())
                    .orElseThrow(() -> new ApiError(404, "no product " + address + " in the catalog")), format));
        });
        router.get("/api/products/{address}/lineage", ctx -> {
            Map<String, String> query = query(ctx);
            ProductAddress address = address(ctx.pathParam("address"));
            only(query);
            respond(ctx, 200, lineage(queries.snapshot(), address));
        });
        router.get("/api/products/{address}" + KeyService.PATH_PART + "{subject}", ctx -> {
            Caller caller = caller(ctx);
            String client = CallerAuthentication.clientAddress(ctx);
            ProductAddress address;
            Map<String, String> query;
            try {
                query = only(query(ctx), "latest");
                address = address(ctx.pathParam("address"));
            } catch (ApiError e) {
                // refused before the key service saw it: a refused fetch all the same, in the audit trail as every other
                keys.refusedUnread(caller, client, ctx.pathParam("address"), ctx.pathParam("subject"));
                throw e;
            }
            respond(ctx, 200, keys.fetch(caller, client, address, ctx.pathParam("subject"),
                    "true".equals(query.get("latest")), () -> queries.snapshot().product(address.toString()), queries::decryptGrants,
                    () -> queries.all(CatalogTopology.GRANTS_STORE)));
        });
        router.get("/api/views", ctx -> respond(ctx, 200, views(only(query(ctx), "state"))));
        router.get("/api/access/requests", ctx -> respond(ctx, 200, requests(only(query(ctx), "status", "domain", "principal"), caller(ctx))));
        router.get("/api/access/requests/{id}", ctx -> {
            only(query(ctx));
            respond(ctx, 200, request(ctx.pathParam("id"), caller(ctx)));
        });
        router.get("/api/grants", ctx -> respond(ctx, 200, grants(only(query(ctx), "principal", "product", "status"), caller(ctx))));
        router.get("/api/rejections", ctx -> respond(ctx, 200, rejections(only(query(ctx), "subject", "domain"), caller(ctx))));
        router.get("/api/internal/stores/{store}", ctx -> respond(ctx, 200, queries.local(store(ctx))));
        router.get("/api/internal/stores/{store}/{key}", ctx -> respond(ctx, 200, queries.localGet(store(ctx), ctx.pathParam("key"))
                .map(List::of).orElseThrow(() -> new ApiError(404, "no such key"))));
    }

    /** Maps every failure to the API's one-line JSON error; on a portal path, to the portal's page for it ({@link Portal#refusal}). */
    private static void exceptionMapping(JavalinDefaultRouting router, Portal portal) {
        router.exception(ApiError.class, (e, ctx) -> {
            if (Portal.serves(ctx.path())) {
                portal.refusal(ctx, e.status(), e.getMessage());
            } else {
                respond(ctx, e.status(), error(e.getMessage()));
            }
        });
        router.exception(MeshException.class, (e, ctx) -> {
            if (Portal.serves(ctx.path())) {
                portal.refusal(ctx, Portal.statusOf(e), e.getMessage());
            } else {
                respond(ctx, 503, error(e.getMessage()));
            }
        });
        router.exception(InvalidStateStoreException.class, (e, ctx) -> respond(ctx, 503, error("the catalog is rebalancing; try again in a moment")));
        // Javalin's own refusals, such as no route for the path, in the API's words.
        router.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, e.getStatus(),
                error(e.getStatus() == 404 ? noSuchResource(ctx) : e.getMessage())));
        router.exception(Exception.class, (e, ctx) -> {
            LOG.error("Catalog API failed on {}", CallerAuthentication.resource(ctx), e);
            respond(ctx, 500, error("internal error: " + e));
        });
    }

    private void refuseWhileStarting(Context ctx) {
        if (queries == null) {
            throw new ApiError(503, "the catalog is starting; try again in a moment");
        }
    }

    private static void refuseWrites(Context ctx) {
        if (!ctx.method().name().equals("GET") && !SignIn.owns(ctx.path()) && !Portal.owns(ctx.path())) {
            throw new ApiError(405, "the catalog API is read-only; write requests and decisions to their topics (mesh access ...)");
        }
    }

    private static void refuseControlCharactersInPath(Context ctx) {
        FreeText.controlProblem("the path", CallerAuthentication.path(ctx)).ifPresent(problem -> {
            throw new ApiError(400, problem);
        });
    }

    private static void refuseTenantsInternally(Context ctx) {
        String path = CallerAuthentication.path(ctx);
        boolean internal = path.equals("/api/internal") || path.startsWith("/api/internal/");
        if (internal && !caller(ctx).seesAll()) {
            // Instances call each other as the platform; a tenant would see every tenant's requests here.
            throw new ApiError(403, "/api/internal is for the catalog's own instances (platform principals only)");
        }
    }

    static Caller caller(Context ctx) {
        return new Caller(CallerAuthentication.caller(ctx));
    }

    /** @return who calls, or null on a path open to all (the sign-in form, assets) */
    static MeshPrincipal callerOrNull(Context ctx) {
        return CallerAuthentication.caller(ctx);
    }

    private static String store(Context ctx) {
        String store = ctx.pathParam("store");
        if (!Set.of(CatalogTopology.REQUESTS_STORE, CatalogTopology.GRANTS_STORE, CatalogTopology.REJECTIONS_STORE,
                CatalogTopology.ACCESS_REJECTIONS_STORE).contains(store)) {
            throw new ApiError(404, "no such store " + store);
        }
        return store;
    }

    private static String noSuchResource(Context ctx) {
        return "no such resource " + CallerAuthentication.path(ctx) + "; see /api/openapi.yaml";
    }

    ObjectNode search(Map<String, String> query) {
        Predicate<DataProduct> matches = p -> !query.containsKey("domain") || p.getDomain().equals(query.get("domain"));
        matches = matches.and(p -> !query.containsKey("tag") || p.getRegistration().getTags().contains(query.get("tag")));
        matches = matches.and(p -> !query.containsKey("classification")
                || query.get("classification").equals(label(p.getRegistration())));
        matches = matches.and(p -> !query.containsKey("status") || p.getStatus().name().equalsIgnoreCase(query.get("status")));
        ArrayNode products = JSON.createArrayNode();
        queries.snapshot().matching(query.getOrDefault("q", "")).stream().filter(matches).forEach(p -> products.add(summary(p)));
        ObjectNode result = JSON.createObjectNode();
        result.put("count", products.size());
        result.set("products", products);
        return result;
    }

    /** @return the catalog as this instance holds it now, for a page that reads it more than once */
    CatalogSnapshot snapshot() {
        return queries.snapshot();
    }

    ObjectNode product(ProductAddress address) {
        return product(queries.snapshot(), address);
    }

    /**
     * @param catalog the catalog to read, so that every part of the answer comes from the same one
     * @param address a product
     * @return the product as {@code /api/products/{address}} answers it
     */
    ObjectNode product(CatalogSnapshot catalog, ProductAddress address) {
        DataProduct product = catalog.product(address.toString())
                .orElseThrow(() -> new ApiError(404, "no product " + address + " in the catalog"));
        ProductRegistration registration = product.getRegistration();
        ObjectNode node = summary(product);
        ObjectNode schema = node.putObject("schema");
        schema.put("subject", registration.getSchemaSubject());
        schema.put("version", registration.getSchemaVersion());
        schema.put("contentId", registration.getSchemaContentId());
        if (ccompatUrl != null && registration.getSchemaContentId() != null) {
            schema.put("url", ccompatUrl + "/schemas/ids/" + registration.getSchemaContentId());
        }
        node.put("topic", address.topic());
        node.put("deadLetterTopic", address.deadLetterTopic());
        node.set("ingest", JSON.createObjectNode().put("topic", address.ingestTopic())
                .put("retentionMs", registration.getIngestRetentionMs()));
        ObjectNode contract = AvroJson.of(registration);
        // A copy: the views get their live status below, which is not part of the registration.
        node.set("views", contract.get("views").deepCopy());
        Map<String, ViewStatus> statuses = queries.viewStatuses(address);
        node.path("views").forEach(view -> ((ObjectNode) view).set("status", viewStatus(view, statuses.get(view.path("name").asText()))));
        node.set("qualityRules", contract.get("qualityRules"));
        // What a decrypting consumer needs to find a record's subject and its encrypted fields.
        node.set("encryption", contract.get("encryption"));
        node.set("piiFields", contract.get("piiFields"));
        node.set("slo", JSON.createObjectNode().put("freshnessMs", registration.getFreshnessMs())
                .put("maxViolationRate", registration.getMaxViolationRate()));
        node.set("lineage", lineage(catalog, address));
        node.put("firstPublishedAt", product.getFirstPublishedAt().toString());
        node.set("contract", contract);
        try {
            queries.all(CatalogTopology.REJECTIONS_STORE).stream()
                    .filter(r -> r.path("subject").asText().equals(address.toString()))
                    // Only the owning domain's: another domain's registration of this address is its own rejection.
                    .filter(r -> r.path("domain").asText().equals(product.getDomain()))
                    // The newest: a mesh from before rejections were kept per writer may still hold one under the address alone.
                    .max(Comparator.comparing(r -> Instant.parse(r.path("rejectedAt").asText())))
                    .ifPresent(r -> node.set("lastRejection", r));
        } catch (MeshException | org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            // The product itself comes from the global catalog; its last rejection can wait for the rebalance to end.
            node.put("lastRejection", "unavailable while the catalog rebalances");
        }
        return node;
    }

    /** A view the policy-enforcer has not reported on is OK if it has nothing to do, else not known yet. */
    private static ObjectNode viewStatus(JsonNode view, ViewStatus status) {
        if (status != null) {
            return viewStatus(status);
        }
        boolean transformed = !view.path("filter").isNull() || !view.path("masks").isEmpty();
        return transformed ? JSON.createObjectNode().put("state", "UNKNOWN").put("reason", "no record through the view yet")
                : JSON.createObjectNode().put("state", "OK");
    }

    private static ObjectNode viewStatus(ViewStatus status) {
        return JSON.createObjectNode().put("state", status.getState().name()).put("reason", status.getReason())
                .put("failures", status.getFailures())
                .put("lastFailureAt", status.getLastFailureAt() == null ? null : status.getLastFailureAt().toString())
                .put("updatedAt", status.getUpdatedAt().toString());
    }

    /** The views the policy-enforcer has reported on, DEGRADED ones first, optionally of one state. */
    private ObjectNode views(Map<String, String> query) {
        ArrayNode list = JSON.createArrayNode();
        queries.viewStatuses().stream()
                .filter(s -> !query.containsKey("state") || s.getState().name().equalsIgnoreCase(query.get("state")))
                .sorted(Comparator.comparing((ViewStatus s) -> s.getState().ordinal()).reversed()
                        .thenComparing(ViewStatus::getAddress).thenComparing(ViewStatus::getView))
                .forEach(s -> list.add(viewStatus(s).put("address", s.getAddress()).put("view", s.getView())));
        ObjectNode result = JSON.createObjectNode().put("count", list.size());
        result.set("views", list);
        return result;
    }

    private static ObjectNode lineage(CatalogSnapshot catalog, ProductAddress address) {
        DataProduct product = catalog.product(address.toString())
                .orElseThrow(() -> new ApiError(404, "no product " + address + " in the catalog"));
        ObjectNode node = JSON.createObjectNode();
        node.put("address", address.toString());
        ArrayNode upstream = node.putArray("upstream");
        product.getRegistration().getLineageInputs().forEach(upstream::add);
        ArrayNode downstream = node.putArray("downstream");
        catalog.downstream(address.toString()).forEach(downstream::add);
        return node;
    }

    ObjectNode requests(Map<String, String> query, Caller caller) {
        if (query.containsKey("status") && !STATUSES.contains(query.get("status").toUpperCase(Locale.ROOT))) {
            throw new ApiError(400, "status must be one of " + STATUSES + ", got '" + query.get("status") + "'");
        }
        ArrayNode list = JSON.createArrayNode();
        queries.all(CatalogTopology.REQUESTS_STORE).stream()
                .filter(r -> caller.sees(r.path("domain").asText(), concerned(r)))
                .filter(r -> !query.containsKey("status") || r.path("status").asText().equalsIgnoreCase(query.get("status")))
                .filter(r -> !query.containsKey("domain") || r.path("domain").asText().equals(query.get("domain")))
                .filter(r -> !query.containsKey("principal") || r.at("/request/principal").asText().equals(principal(query.get("principal"))))
                .sorted(Comparator.comparing(r -> r.at("/request/requestedAt").asText()))
                .forEach(list::add);
        ObjectNode result = JSON.createObjectNode().put("count", list.size());
        result.set("requests", list);
        return result;
    }

    /** Who a request concerns besides its domain: the grantee, who asked, and the principals named for its second approval. */
    private static String[] concerned(JsonNode request) {
        List<String> principals = new ArrayList<>(List.of(request.at("/request/principal").asText(), request.at("/request/requestedBy").asText()));
        request.path("secondLevelApprovers").forEach(approver -> principals.add(approver.asText()));
        return principals.toArray(String[]::new);
    }

    ObjectNode request(String id, Caller caller) {
        ObjectNode state = queries.get(CatalogTopology.REQUESTS_STORE, id)
                .filter(r -> caller.sees(r.path("domain").asText(), concerned(r)))
                .orElseThrow(() -> new ApiError(404, "no access request " + id + " that you may see"));
        queries.get(CatalogTopology.GRANTS_STORE, id).ifPresent(g -> state.set("grant", g));
        return state;
    }

    ObjectNode grants(Map<String, String> query, Caller caller) {
        if (query.containsKey("status") && !GRANT_STATUSES.contains(query.get("status").toUpperCase(Locale.ROOT))) {
            throw new ApiError(400, "status must be one of " + GRANT_STATUSES + ", got '" + query.get("status") + "'");
        }
        if (query.containsKey("product")) {
            address(query.get("product"));
        }
        ArrayNode list = JSON.createArrayNode();
        queries.all(CatalogTopology.GRANTS_STORE).stream()
                .filter(g -> caller.sees(g.path("product").asText().split("\\.")[0], g.path("principal").asText(), g.path("secondApprovedBy").asText()))
                .filter(g -> !query.containsKey("principal") || g.path("principal").asText().equals(principal(query.get("principal"))))
                .filter(g -> !query.containsKey("product") || g.path("product").asText().equals(query.get("product")))
                .filter(g -> !query.containsKey("status") || g.path("status").asText().equalsIgnoreCase(query.get("status")))
                .sorted(Comparator.comparing(g -> g.path("grantedAt").asText()))
                .forEach(list::add);
        ObjectNode result = JSON.createObjectNode().put("count", list.size());
        result.set("grants", list);
        return result;
    }

    /**
     * Each product's consumers from the audit trail's consumption ledger: which groups read how
     * much, and when last. A product's consumers are its owning domain's business and the
     * platform's, nobody else's: a tenant learns neither who reads another's products nor how much.
     *
     * @param product an address, or null for every product the caller may see consumers of
     * @param caller who asks
     * @return {@code count} and {@code consumers} (product, consumerGroup, principal, records, topics, lastReadAt), most records first
     */
    ObjectNode consumption(ProductAddress product, Caller caller) {
        ArrayNode list = JSON.createArrayNode();
        queries.consumption(product == null ? null : product.toString()).stream()
                .filter(c -> caller.seesAll() || caller.principal().name().equals(ProductAddress.parse(c.getProduct()).domain()))
                .sorted(Comparator.comparingLong(ProductConsumption::getRecords).reversed()
                        .thenComparing(ProductConsumption::getProduct).thenComparing(ProductConsumption::getConsumerGroup))
                .forEach(c -> list.add(AvroJson.of(c)));
        ObjectNode result = JSON.createObjectNode().put("count", list.size());
        result.set("consumers", list);
        return result;
    }

    /**
     * @param caller who asks: the platform and auditors, as for {@code mesh audit verify}
     * @return audit-sink's last check of the audit chains (intact, verifiedEvents, firstBreak, checkedAt), or {@code checked: false} before its first
     */
    ObjectNode auditChain(Caller caller) {
        if (!caller.audits()) {
            throw new ApiError(403, "the audit chain's status is for auditors and platform principals");
        }
        return queries.auditChain().map(status -> AvroJson.of(status).put("checked", true))
                .orElseGet(() -> JSON.createObjectNode().put("checked", false));
    }

    ObjectNode rejections(Map<String, String> query, Caller caller) {
        ArrayNode list = JSON.createArrayNode();
        for (String store : List.of(CatalogTopology.REJECTIONS_STORE, CatalogTopology.ACCESS_REJECTIONS_STORE)) {
            queries.all(store).stream()
                    .filter(r -> caller.seesAll() || caller.principal().name().equals(r.path("domain").asText())
                            || caller.principal().kafkaPrincipal().equals(r.path("writer").asText()))
                    .filter(r -> !query.containsKey("subject") || r.path("subject").asText().equals(query.get("subject")))
                    .filter(r -> !query.containsKey("domain") || r.path("domain").asText().equals(query.get("domain")))
                    .forEach(list::add);
        }
        ObjectNode result = JSON.createObjectNode().put("count", list.size());
        result.set("rejections", list);
        return result;
    }

    private ObjectNode summary(DataProduct product) {
        ProductRegistration registration = product.getRegistration();
        ObjectNode node = JSON.createObjectNode();
        node.put("address", product.getAddress());
        node.put("domain", product.getDomain());
        node.put("name", registration.getName());
        node.put("version", registration.getVersion());
        node.put("status", product.getStatus().name());
        node.put("classification", label(registration));
        node.put("description", registration.getDescription());
        node.set("tags", JSON.valueToTree(registration.getTags()));
        node.set("owner", registration.getOwner() == null ? null : AvroJson.of(registration.getOwner()));
        node.put("updatedAt", product.getUpdatedAt().toString());
        node.set("health", health(product.getAddress()));
        return node;
    }

    /** @return the address of every product in the catalog */
    List<String> addresses() {
        return queries.snapshot().products().stream().map(DataProduct::getAddress).toList();
    }

    /** @return a product's health as the API shows it; {@code UNKNOWN} before its first record */
    ObjectNode health(String address) {
        return queries.health(address).map(stats -> {
            ObjectNode health = JSON.createObjectNode();
            health.put("status", stats.getStatus().name());
            health.put("reason", stats.getStatusReason());
            health.put("throughputPerSecond", stats.getThroughputPerSecond());
            health.put("deadLetterRate", stats.getDeadLetterRate());
            health.put("gateLag", stats.getGateLag());
            health.put("lastRecordAt", stats.getLastRecordAt() == null ? null : stats.getLastRecordAt().toString());
            health.put("updatedAt", stats.getUpdatedAt().toString());
            return health;
        }).orElseGet(() -> JSON.createObjectNode().put("status", "UNKNOWN").put("reason", "no records seen yet"));
    }

    /** The classification's label, by the enum when the registration has it; else what it wrote, if anything. */
    private static String label(ProductRegistration registration) {
        return Classification.declaredBy(registration).map(Classification::label).orElse(registration.getClassification());
    }

    /**
     * @param catalog the catalog to read
     * @param address a product
     * @return its catalogued major versions, oldest first
     */
    static List<ProductAddress> majorVersions(CatalogSnapshot catalog, ProductAddress address) {
        return catalog.majorVersions(address).stream().map(ProductAddress::parse).toList();
    }

    static ProductAddress address(String text) {
        try {
            return ProductAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
    }

    private static String principal(String text) {
        return MeshNames.kafkaPrincipal(MeshNames.withoutKafkaPrefix(text));
    }

    private static Map<String, String> only(Map<String, String> query, String... known) {
        for (String key : query.keySet()) {
            if (!List.of(known).contains(key)) {
                throw new ApiError(400, "unknown parameter '" + key + "'" + (known.length == 0 ? "; this resource takes none"
                        : "; known: " + String.join(", ", known)));
            }
        }
        return query;
    }

    /** The query's parameters, the last of a repeated one winning; an empty value counts as absent. */
    static Map<String, String> query(Context ctx) {
        Map<String, String> query = new HashMap<>();
        ctx.queryParamMap().forEach((key, values) -> {
            String value = values.isEmpty() ? "" : values.get(values.size() - 1);
            FreeText.controlProblem("a query parameter name", key)
                    .or(() -> FreeText.controlProblem("query parameter '" + key + "'", value))
                    .ifPresent(problem -> {
                        throw new ApiError(400, problem);
                    });
            if (!value.isEmpty()) {
                query.put(key, value);
            }
        });
        return query;
    }

    private static String openApi() throws IOException {
        try (InputStream in = CatalogApi.class.getResourceAsStream("/catalog-api.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    /** Answers YAML for a String (the OpenAPI document), else the body as indented JSON. */
    static void respond(Context ctx, int status, Object body) {
        ctx.status(status);
        if (body instanceof String text) {
            ctx.contentType("application/yaml").result(text.getBytes(StandardCharsets.UTF_8));
            return;
        }
        try {
            ctx.contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the catalog API could not write its answer as JSON: " + e.getMessage(), e);
        }
    }

    private static QueuedThreadPool threadPool() {
        var pool = new QueuedThreadPool(MAX_THREADS, 2);
        pool.setName("catalog-rest");
        pool.setDaemon(true);
        return pool;
    }

    @Override
    public void close() {
        app.stop();
        portal.close();
    }
}
