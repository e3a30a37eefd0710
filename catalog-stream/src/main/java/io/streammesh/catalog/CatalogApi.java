package io.streammesh.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streammesh.credentials.BasicLogin;
import io.streammesh.credentials.CredentialCheck;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.FreeText;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ViewStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's REST API (JSON; described in {@code catalog-api.yaml}, served at
 * {@code /api/openapi.yaml}). Callers authenticate with their mesh principal (HTTP Basic, the
 * same credentials as the broker: a {@link CredentialCheck} against its credential file); every call is reported for the audit. Any principal may
 * discover products; access requests, grants and rejections are shown to the platform, to the
 * domain owning the product, and to the principal they concern.
 */
final class CatalogApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogApi.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> STATUSES = List.of("PENDING", "APPROVED", "DENIED", "REJECTED");
    private static final List<String> GRANT_STATUSES = List.of("ACTIVE", "REVOKED", "EXPIRED");

    private final HttpServer server;
    private CatalogQueries queries;
    private final CredentialCheck credentials;
    private final RestAccessLog accessLog;
    private final String ccompatUrl;

    private record Caller(MeshPrincipal principal) {
        boolean seesAll() {
            return principal.kind() == PrincipalKind.ADMIN || principal.kind() == PrincipalKind.PLATFORM;
        }

        boolean sees(String domain, String... principals) {
            return seesAll() || principal.name().equals(domain)
                    || List.of(principals).contains(principal.kafkaPrincipal());
        }
    }

    /** A client error or unavailability with its HTTP status. */
    private static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** Binds the port (Kafka Streams needs it as this instance's application.server); {@link #start} serves. */
    CatalogApi(String host, int port, CredentialCheck credentials, RestAccessLog accessLog, String registryApiUrl) {
        this.credentials = credentials;
        this.accessLog = accessLog;
        this.ccompatUrl = registryApiUrl == null ? null : registryApiUrl.replace("/apis/registry/v2", "/apis/ccompat/v7");
        try {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 50);
        } catch (IOException e) {
            throw new MeshException("the catalog REST API cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); is the port in use?", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            var thread = new Thread(r, "catalog-rest");
            thread.setDaemon(true);
            return thread;
        }));
    }

    void start(CatalogQueries catalogQueries) {
        this.queries = catalogQueries;
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String resource = path + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        try (exchange) {
            serve(exchange, path, resource);
        }
    }

    private void serve(HttpExchange exchange, String path, String resource) throws IOException {
        try {
            if (path.equals("/health")) {
                respond(exchange, 200, JSON.createObjectNode().put("status", "UP"));
                return;
            }
            Optional<MeshPrincipal> principal = authenticate(exchange);
            String client = exchange.getRemoteAddress().getAddress().getHostAddress();
            if (principal.isEmpty()) {
                accessLog.record(basicUser(exchange).map(MeshNames::kafkaPrincipal).orElse(MeshNames.kafkaPrincipal("ANONYMOUS")), client, resource, false);
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"StreamMesh catalog\"");
                respond(exchange, 401, error("authenticate with your mesh principal and password (HTTP Basic)"));
                return;
            }
            accessLog.record(principal.get().kafkaPrincipal(), client, resource, true);
            if (!exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 405, error("the catalog API is read-only; write requests and decisions to their topics (mesh access ...)"));
                return;
            }
            respond(exchange, 200, route(path, query(exchange), new Caller(principal.get())));
        } catch (ApiError e) {
            respond(exchange, e.status, error(e.getMessage()));
        } catch (MeshException e) {
            respond(exchange, 503, error(e.getMessage()));
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            respond(exchange, 503, error("the catalog is rebalancing; try again in a moment"));
        } catch (RuntimeException e) {
            LOG.error("Catalog API failed on {}", resource, e);
            respond(exchange, 500, error("internal error: " + e));
        }
    }

    private Object route(String path, Map<String, String> query, Caller caller) throws IOException {
        FreeText.controlProblem("the path", path).ifPresent(problem -> {
            throw new ApiError(400, problem);
        });
        List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/"));
        if (parts.size() < 2 || !parts.get(0).equals("api")) {
            throw new ApiError(404, "no such resource " + path + "; see /api/openapi.yaml");
        }
        switch (parts.get(1)) {
            case "openapi.yaml" -> {
                return openApi();
            }
            case "products" -> {
                if (parts.size() == 2) {
                    return search(only(query, "q", "domain", "tag", "classification", "status"));
                }
                ProductAddress address = address(parts.get(2));
                if (parts.size() == 3) {
                    only(query);
                    return product(address);
                }
                if (parts.size() == 4 && parts.get(3).equals("lineage")) {
                    only(query);
                    return lineage(address);
                }
            }
            case "views" -> {
                if (parts.size() == 2) {
                    return views(only(query, "state"));
                }
            }
            case "access" -> {
                if (parts.size() == 3 && parts.get(2).equals("requests")) {
                    return requests(only(query, "status", "domain", "principal"), caller);
                }
                if (parts.size() == 4 && parts.get(2).equals("requests")) {
                    only(query);
                    return request(parts.get(3), caller);
                }
            }
            case "grants" -> {
                if (parts.size() == 2) {
                    return grants(only(query, "principal", "product", "status"), caller);
                }
            }
            case "rejections" -> {
                if (parts.size() == 2) {
                    return rejections(only(query, "subject", "domain"), caller);
                }
            }
            case "internal" -> {
                if (!caller.seesAll()) {
                    // Instances call each other as the platform; a tenant would see every tenant's requests here.
                    throw new ApiError(403, "/api/internal is for the catalog's own instances (platform principals only)");
                }
                if (parts.size() >= 4 && parts.get(2).equals("stores")) {
                    String store = parts.get(3);
                    if (!Set.of(CatalogTopology.REQUESTS_STORE, CatalogTopology.GRANTS_STORE, CatalogTopology.REJECTIONS_STORE,
                            CatalogTopology.ACCESS_REJECTIONS_STORE).contains(store)) {
                        throw new ApiError(404, "no such store " + store);
                    }
                    return parts.size() == 4 ? queries.local(store) : queries.localGet(store, parts.get(4)).map(List::of)
                            .orElseThrow(() -> new ApiError(404, "no such key"));
                }
            }
            default -> {
                // falls through to 404
            }
        }
        throw new ApiError(404, "no such resource " + path + "; see /api/openapi.yaml");
    }

    private ObjectNode search(Map<String, String> query) {
        String q = query.getOrDefault("q", "").toLowerCase(Locale.ROOT);
        Predicate<DataProduct> matches = p -> q.isEmpty() || text(p).contains(q);
        matches = matches.and(p -> !query.containsKey("domain") || p.getDomain().equals(query.get("domain")));
        matches = matches.and(p -> !query.containsKey("tag") || p.getRegistration().getTags().contains(query.get("tag")));
        matches = matches.and(p -> !query.containsKey("classification")
                || query.get("classification").equals(p.getRegistration().getClassification()));
        matches = matches.and(p -> !query.containsKey("status") || p.getStatus().name().equalsIgnoreCase(query.get("status")));
        ArrayNode products = JSON.createArrayNode();
        queries.products().stream().filter(matches).sorted(Comparator.comparing(DataProduct::getAddress))
                .forEach(p -> products.add(summary(p)));
        ObjectNode result = JSON.createObjectNode();
        result.put("count", products.size());
        result.set("products", products);
        return result;
    }

    private ObjectNode product(ProductAddress address) {
        DataProduct product = queries.product(address.toString())
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
        node.set("views", contract.get("views"));
        Map<String, ViewStatus> statuses = queries.viewStatuses(address);
        node.path("views").forEach(view -> ((ObjectNode) view).set("status", viewStatus(view, statuses.get(view.path("name").asText()))));
        node.set("qualityRules", contract.get("qualityRules"));
        node.set("piiFields", contract.get("piiFields"));
        node.set("slo", JSON.createObjectNode().put("freshnessMs", registration.getFreshnessMs())
                .put("maxViolationRate", registration.getMaxViolationRate()));
        node.set("lineage", lineage(address));
        node.put("firstPublishedAt", product.getFirstPublishedAt().toString());
        node.set("contract", contract);
        try {
            queries.all(CatalogTopology.REJECTIONS_STORE).stream()
                    .filter(r -> r.path("subject").asText().equals(address.toString())).findFirst()
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

    private ObjectNode lineage(ProductAddress address) {
        DataProduct product = queries.product(address.toString())
                .orElseThrow(() -> new ApiError(404, "no product " + address + " in the catalog"));
        ObjectNode node = JSON.createObjectNode();
        node.put("address", address.toString());
        ArrayNode upstream = node.putArray("upstream");
        product.getRegistration().getLineageInputs().forEach(upstream::add);
        ArrayNode downstream = node.putArray("downstream");
        queries.products().stream().filter(p -> p.getRegistration().getLineageInputs().contains(address.toString()))
                .map(DataProduct::getAddress).sorted().forEach(downstream::add);
        return node;
    }

    private ObjectNode requests(Map<String, String> query, Caller caller) {
        if (query.containsKey("status") && !STATUSES.contains(query.get("status").toUpperCase(Locale.ROOT))) {
            throw new ApiError(400, "status must be one of " + STATUSES + ", got '" + query.get("status") + "'");
        }
        ArrayNode list = JSON.createArrayNode();
        queries.all(CatalogTopology.REQUESTS_STORE).stream()
                .filter(r -> caller.sees(r.path("domain").asText(), r.at("/request/principal").asText(), r.at("/request/requestedBy").asText()))
                .filter(r -> !query.containsKey("status") || r.path("status").asText().equalsIgnoreCase(query.get("status")))
                .filter(r -> !query.containsKey("domain") || r.path("domain").asText().equals(query.get("domain")))
                .filter(r -> !query.containsKey("principal") || r.at("/request/principal").asText().equals(principal(query.get("principal"))))
                .sorted(Comparator.comparing(r -> r.at("/request/requestedAt").asText()))
                .forEach(list::add);
        ObjectNode result = JSON.createObjectNode().put("count", list.size());
        result.set("requests", list);
        return result;
    }

    private ObjectNode request(String id, Caller caller) {
        ObjectNode state = queries.get(CatalogTopology.REQUESTS_STORE, id)
                .filter(r -> caller.sees(r.path("domain").asText(), r.at("/request/principal").asText(), r.at("/request/requestedBy").asText()))
                .orElseThrow(() -> new ApiError(404, "no access request " + id + " that you may see"));
        queries.get(CatalogTopology.GRANTS_STORE, id).ifPresent(g -> state.set("grant", g));
        return state;
    }

    private ObjectNode grants(Map<String, String> query, Caller caller) {
        if (query.containsKey("status") && !GRANT_STATUSES.contains(query.get("status").toUpperCase(Locale.ROOT))) {
            throw new ApiError(400, "status must be one of " + GRANT_STATUSES + ", got '" + query.get("status") + "'");
        }
        if (query.containsKey("product")) {
            address(query.get("product"));
        }
        ArrayNode list = JSON.createArrayNode();
        queries.all(CatalogTopology.GRANTS_STORE).stream()
                .filter(g -> caller.sees(g.path("product").asText().split("\\.")[0], g.path("principal").asText()))
                .filter(g -> !query.containsKey("principal") || g.path("principal").asText().equals(principal(query.get("principal"))))
                .filter(g -> !query.containsKey("product") || g.path("product").asText().equals(query.get("product")))
                .filter(g -> !query.containsKey("status") || g.path("status").asText().equalsIgnoreCase(query.get("status")))
                .sorted(Comparator.comparing(g -> g.path("grantedAt").asText()))
                .forEach(list::add);
        ObjectNode result = JSON.createObjectNode().put("count", list.size());
        result.set("grants", list);
        return result;
    }

    private ObjectNode rejections(Map<String, String> query, Caller caller) {
        ArrayNode list = JSON.createArrayNode();
        for (String store : List.of(CatalogTopology.REJECTIONS_STORE, CatalogTopology.ACCESS_REJECTIONS_STORE)) {
            queries.all(store).stream()
                    .filter(r -> caller.seesAll() || caller.principal().name().equals(r.path("domain").asText()))
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
        node.put("classification", registration.getClassification());
        node.put("description", registration.getDescription());
        node.set("tags", JSON.valueToTree(registration.getTags()));
        node.set("owner", registration.getOwner() == null ? null : AvroJson.of(registration.getOwner()));
        node.put("updatedAt", product.getUpdatedAt().toString());
        node.set("health", queries.health(product.getAddress()).map(stats -> {
            ObjectNode health = JSON.createObjectNode();
            health.put("status", stats.getStatus().name());
            health.put("reason", stats.getStatusReason());
            health.put("throughputPerSecond", stats.getThroughputPerSecond());
            health.put("deadLetterRate", stats.getDeadLetterRate());
            health.put("gateLag", stats.getGateLag());
            health.put("lastRecordAt", stats.getLastRecordAt() == null ? null : stats.getLastRecordAt().toString());
            health.put("updatedAt", stats.getUpdatedAt().toString());
            return health;
        }).orElseGet(() -> JSON.createObjectNode().put("status", "UNKNOWN").put("reason", "no records seen yet")));
        return node;
    }

    private static String text(DataProduct product) {
        ProductRegistration r = product.getRegistration();
        return String.join(" ", product.getAddress(), String.valueOf(r.getDescription()), String.join(" ", r.getTags()),
                r.getOwner() == null ? "" : String.valueOf(r.getOwner().getTeam())).toLowerCase(Locale.ROOT);
    }

    private static ProductAddress address(String text) {
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

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            FreeText.controlProblem("a query parameter name", key)
                    .or(() -> FreeText.controlProblem("query parameter '" + key + "'", value))
                    .ifPresent(problem -> {
                        throw new ApiError(400, problem);
                    });
            if (!value.isEmpty()) {
                query.put(key, value);
            }
        }
        return query;
    }

    private Optional<MeshPrincipal> authenticate(HttpExchange exchange) {
        return credentials.principalOf(exchange.getRequestHeaders().getFirst("Authorization"));
    }

    private static Optional<String> basicUser(HttpExchange exchange) {
        return BasicLogin.parse(exchange.getRequestHeaders().getFirst("Authorization")).map(BasicLogin::name);
    }

    private static String openApi() throws IOException {
        try (InputStream in = CatalogApi.class.getResourceAsStream("/catalog-api.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes;
        if (body instanceof String text) {
            exchange.getResponseHeaders().set("Content-Type", "application/yaml");
            bytes = text.getBytes(StandardCharsets.UTF_8);
        } else {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            bytes = JSON.writeValueAsBytes(body);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
