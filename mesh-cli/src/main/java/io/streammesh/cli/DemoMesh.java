package io.streammesh.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.catalog.AccessClient;
import io.streammesh.catalog.CatalogClient;
import io.streammesh.connector.Delivery;
import io.streammesh.connector.ProductProducer;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.demo.customers.CustomerProfile;
import io.streammesh.demo.orders.OrderPlaced;
import io.streammesh.platform.EmbeddedMesh;
import io.streammesh.platform.MeshException;
import io.streammesh.platform.PrincipalKind;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.ProductAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code mesh up --demo} adds: domains {@code orders} and {@code customers} with the
 * products of their contracts in {@code examples/}, consumer team {@code analytics}, and a small
 * live stream of records (two orders a second, a profile change every two seconds), about one in
 * ten of which breaks a quality rule and lands in the dead-letter topic; and the access of the
 * {@code analytics} team to orders: its analytics view approved, its full view pending.
 */
final class DemoMesh implements AutoCloseable {

    /** The demo's contracts, kept in examples/ and packaged by the schemas module under schemas/demo/. */
    static final List<String> CONTRACTS = List.of("customers/customer-profile.yaml", "orders/order-placed.yaml");
    /** The demo's consumer team. */
    static final String TEAM = "analytics";

    private static final Logger LOG = LoggerFactory.getLogger(DemoMesh.class);
    private static final String[] COUNTRIES = {"FR", "DE", "NL", "ES", "IT", "GB"};

    private final ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor(r -> {
        var thread = new Thread(r, "mesh-demo-traffic");
        thread.setDaemon(true);
        return thread;
    });
    private final List<AutoCloseable> producers = new ArrayList<>();
    private final List<String> products;
    private final Random random = new Random();
    private long orders;

    private DemoMesh(List<String> products) {
        this.products = List.copyOf(products);
    }

    /**
     * Onboards the demo's principals, publishes its products and starts its traffic.
     *
     * @param mesh the running mesh
     * @return the running demo; close it to stop the traffic
     */
    static DemoMesh start(EmbeddedMesh mesh, String catalogUrl) {
        List<String> published = new ArrayList<>();
        for (String path : CONTRACTS) {
            ProductContract contract = contract(path);
            mesh.onboarding().addDomain(contract.address().domain());
            try (var publisher = ProductPublisher.connect(mesh.clientConfig(contract.address().domain()))) {
                publisher.publish(contract);
            }
            published.add(contract.address().toString());
        }
        mesh.onboarding().ensurePrincipal(TEAM, PrincipalKind.TEAM);
        requestAccess(mesh, catalogUrl, ProductAddress.parse(published.get(1)));
        var demo = new DemoMesh(published);
        MeterRegistry meters = new SimpleMeterRegistry();
        ProductProducer<CustomerProfile> profiles = ProductProducer.open(ProductAddress.parse(published.get(0)),
                mesh.clientConfig("customers"), meters);
        ProductProducer<OrderPlaced> orders = ProductProducer.open(ProductAddress.parse(published.get(1)),
                mesh.clientConfig("orders"), meters);
        demo.producers.add(profiles);
        demo.producers.add(orders);
        demo.traffic.scheduleAtFixedRate(() -> demo.safely(() -> orders.send(demo.order())), 0, 500, TimeUnit.MILLISECONDS);
        demo.traffic.scheduleAtFixedRate(() -> demo.safely(() -> profiles.send(demo.profile())), 0, 2, TimeUnit.SECONDS);
        return demo;
    }

    /**
     * The analytics team's access to the orders product, once: the analytics view approved by the
     * orders domain, the full view still waiting for a decision.
     */
    private static void requestAccess(EmbeddedMesh mesh, String catalogUrl, ProductAddress orders) {
        var catalog = new CatalogClient(catalogUrl, mesh.clientConfig("orders"));
        await("the demo products in the catalog", () -> catalog.get("/api/products?domain=orders").path("count").asInt() > 0);
        // read through await too: under load the catalog may rebalance between two calls
        var requests = new java.util.concurrent.atomic.AtomicInteger();
        await("the demo's access requests in the catalog", () -> {
            requests.set(catalog.get("/api/access/requests?domain=orders").path("count").asInt());
            return true;
        });
        if (requests.get() > 0) {
            return;
        }
        try (var team = new AccessClient(mesh.clientConfig(TEAM)); var owner = new AccessClient(mesh.clientConfig("orders"))) {
            String analytics = team.request(orders, "analytics", null, TEAM, "weekly sales dashboard", Duration.ofDays(90));
            await("the demo request", () -> catalog.get("/api/access/requests/" + analytics).path("status").asText().equals("PENDING"));
            owner.decide("orders", analytics, DecisionKind.APPROVED, "dashboards may use the masked view", null);
            team.request(orders, "full", null, TEAM, "fraud investigation", Duration.ofDays(7));
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (MeshException e) {
                LOG.debug("waiting for {}: {}", what, e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                throw new MeshException("the demo timed out waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted", e);
            }
        }
    }

    /** @return the addresses of the demo's products */
    List<String> products() {
        return products;
    }

    /** The demo's contracts, as packaged from examples/. */
    static ProductContract contract(String path) {
        String dir = path.substring(0, path.indexOf('/') + 1);
        return DataContracts.parse(resource(path), "examples/" + path, name -> resource(dir + name));
    }

    /**
     * The producers never call the registry once open, so a registry outage does not touch the
     * traffic; while the broker does not answer, a send waits (up to the producer's outage wait)
     * and the record is then reported here, never dead-lettered.
     */
    private void safely(Supplier<CompletableFuture<Delivery>> send) {
        try {
            send.get().whenComplete((delivery, error) -> {
                if (error != null) {
                    LOG.warn("Demo traffic: a record was not sent: {}", error.getMessage());
                }
            });
        } catch (MeshException | org.apache.kafka.common.KafkaException e) {
            LOG.warn("Demo traffic: could not send a record: {}", e.getMessage());
        }
    }

    private OrderPlaced order() {
        long n = ++orders;
        boolean bad = random.nextInt(10) == 0;
        return OrderPlaced.newBuilder()
                .setOrderId("o-" + n)
                .setCustomerId("c-" + (1 + random.nextInt(50)))
                .setCustomerEmail("customer" + random.nextInt(50) + "@example.com")
                .setShippingAddress(random.nextInt(200) + " Demo Street")
                .setCountry(COUNTRIES[random.nextInt(COUNTRIES.length)])
                .setAmount(bad && random.nextBoolean() ? -1.0 * (1 + random.nextInt(100)) : 5 + random.nextInt(500) + 0.99)
                .setCurrency(bad && random.nextBoolean() ? "XXX" : "EUR")
                .setItems(1 + random.nextInt(5))
                .setPlacedAt(Instant.now())
                .build();
    }

    private CustomerProfile profile() {
        int id = 1 + random.nextInt(50);
        boolean bad = random.nextInt(10) == 0;
        return CustomerProfile.newBuilder()
                .setCustomerId("c-" + id)
                .setFullName("Customer " + id)
                .setEmail(bad ? "customer" + id + ".example.com" : "customer" + id + "@example.com")
                .setPhone(id % 3 == 0 ? null : "+33 6 00 00 00 " + String.format("%02d", id))
                .setCountry(COUNTRIES[id % COUNTRIES.length])
                .setSegment(id % 4 == 0 ? "business" : "consumer")
                .setUpdatedAt(Instant.now())
                .build();
    }

    private static String resource(String path) throws UncheckedIOException {
        try (InputStream in = DemoMesh.class.getResourceAsStream("/schemas/demo/" + path)) {
            if (in == null) {
                throw new UncheckedIOException(new NoSuchFileException("schemas/demo/" + path));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        traffic.shutdownNow();
        for (AutoCloseable producer : producers) {
            try {
                producer.close();
            } catch (Exception e) {
                LOG.warn("Demo traffic: could not close a producer: {}", e.toString());
            }
        }
    }
}
