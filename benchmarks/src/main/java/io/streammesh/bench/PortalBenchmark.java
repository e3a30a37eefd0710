package io.streammesh.bench;

import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.CatalogClient;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.PrincipalKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The portal with a full catalog: N synthetic products (the demo order contract under names
 * {@code p-0000}…, spread over ten domains (or as many as given), one partition each, without its lineage input, which
 * governance would reject as unknown) published through the real path ({@code ProductPublisher}:
 * topics, schema, registration; catalog-stream's governance admits them),
 * then a product page and a catalog search, each asked over HTTP as a signed-in principal would
 * (HTTP Basic of a consumer team), one at a time, after uncounted warm-up requests. Prints p50 and
 * p99 of each; the goal (issue 16) is p99 under 200 ms.
 */
final class PortalBenchmark {

    private static final int PUBLISHERS = 4;
    /** How long the catalog may go without admitting one more product before the run gives up. */
    private static final Duration STALLED = Duration.ofMinutes(2);
    private static final int WARM_UP = 50;
    private static final String READER = "bench-reader";

    private final EmbeddedMesh mesh;
    private final int domains;
    private final int products;
    private final int requests;
    private final Path state;

    PortalBenchmark(EmbeddedMesh mesh, int domains, int products, int requests, Path state) {
        this.mesh = mesh;
        this.domains = domains;
        this.products = products;
        this.requests = requests;
        this.state = state;
    }

    void run(PrintStream out) throws Exception {
        onboard();
        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), state.resolve("catalog"),
                mesh.state().credentials(), 0))) {
            long started = System.nanoTime();
            publishAll();
            awaitCatalogued(catalog.restUrl());
            out.printf("portal: %,d products published and catalogued in %.1f s%n", products, (System.nanoTime() - started) / 1e9);
            timePages(out, catalog.restUrl());
        }
    }

    /** Adds the domains and the reading team. */
    void onboard() {
        for (int d = 0; d < domains; d++) {
            mesh.onboarding().addDomain(domain(d));
        }
        mesh.onboarding().ensurePrincipal(READER, PrincipalKind.TEAM);
    }

    /**
     * Times product pages, then searches, as the reading team.
     *
     * @return p99 of the product page, then of the search, in ms
     */
    long[] timePages(PrintStream out, String restUrl) throws Exception {
        String basic = CatalogClient.basicAuthorization(mesh.clientConfig(READER));
        var http = HttpClient.newHttpClient();
        var random = new Random(16);
        return new long[] {
            report(out, "product page", time(http, basic, restUrl, () -> "/products/" + address(random.nextInt(products)))),
            report(out, "search", time(http, basic, restUrl, () -> "/api/products?q=p-0" + random.nextInt(100)))};
    }

    /** Waits until the catalog lists every product; a catalog that stops admitting them ends the run, naming its rejections. */
    void awaitCatalogued(String restUrl) throws InterruptedException {
        var api = new CatalogClient(restUrl, mesh.clientConfig(READER));
        var platform = new CatalogClient(restUrl, mesh.clientConfig("mesh-admin"));
        int seen = 0;
        long progressAt = System.nanoTime();
        while (seen < products) {
            int now = api.get("/api/products").path("count").asInt();
            if (now > seen) {
                seen = now;
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > STALLED.toNanos()) {
                throw new IllegalStateException("the catalog admitted " + seen + " of " + products + " products and no more for "
                        + STALLED.toSeconds() + " s; rejections: " + platform.get("/api/rejections").path("count").asInt());
            }
            Thread.sleep(500);
        }
    }

    /** Publishes every product, one publisher per domain, a few domains at once: one at a time takes longer than the benchmark itself. */
    void publishAll() throws Exception {
        String template = resource("/schemas/demo/orders/order-placed.yaml").replace("partitions: 3", "partitions: 1")
                .replaceAll("(?m)^lineage:.*$", "");
        ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int d = 0; d < domains; d++) {
                int domain = d;
                done.add(pool.submit(() -> {
                    try (var publisher = ProductPublisher.connect(mesh.clientConfig(domain(domain)))) {
                        for (int i = domain; i < products; i += domains) {
                            publish(publisher, template, i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void publish(ProductPublisher publisher, String template, int i) {
        String domain = domain(i % domains);
        String descriptor = template.replace("domain: orders", "domain: " + domain).replace("name: order-placed", "name: " + name(i))
                .replace(MeshNames.kafkaPrincipal("orders"), MeshNames.kafkaPrincipal(domain));
        ProductContract contract = DataContracts.parse(descriptor, name(i) + ".yaml", file -> resource("/schemas/demo/orders/" + file));
        publisher.publish(contract);
    }

    private long[] time(HttpClient http, String basic, String base, Supplier<String> paths) throws Exception {
        long[] millis = new long[requests];
        for (int i = -WARM_UP; i < requests; i++) {
            var request = HttpRequest.newBuilder(URI.create(base + paths.get())).header("Authorization", basic).build();
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = (System.nanoTime() - start) / 1_000_000;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
            }
            if (i >= 0) {
                millis[i] = took;
            }
        }
        return millis;
    }

    private long report(PrintStream out, String what, long[] millis) {
        long p99 = Benchmarks.percentile(millis, 99);
        out.printf("portal %s: %,d requests, p50 %d ms, p99 %d ms (goal p99 < 200 ms: %s)%n", what, millis.length,
                Benchmarks.percentile(millis, 50), p99, p99 < 200 ? "met" : "NOT met");
        return p99;
    }

    /** @return the address of product {@code i} */
    String address(int i) {
        return domain(i % domains) + "." + name(i) + ".v1";
    }

    /** @return the name of domain {@code d} */
    static String domain(int d) {
        return "bench-d" + d;
    }

    private static String name(int i) {
        return String.format("p-%04d", i);
    }

    private static String resource(String path) {
        try (InputStream in = PortalBenchmark.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
