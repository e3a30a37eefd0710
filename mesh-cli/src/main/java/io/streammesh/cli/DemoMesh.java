package io.streammesh.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.connector.Delivery;
import io.streammesh.connector.ProductProducer;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.demo.customers.CustomerProfile;
import io.streammesh.demo.orders.OrderPlaced;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code mesh up --demo} adds: domains {@code orders} and {@code customers} with the
 * products of their ODCS contracts in {@code examples/}, consumer team {@code analytics}, and a small
 * live stream of records (two orders a second, a profile change every two seconds), a few of which
 * break a quality rule and land in the dead-letter topic, never more than the product's SLO allows
 * ({@link BreakerBudget}); and the access of the {@code analytics} team to orders: its analytics
 * view approved, its full view pending.
 *
 * <p>The demo leaves alone what users did with its products: it never republishes a product
 * published at a newer version (it writes to it as published, see {@link RecordFit}), and never
 * writes to a retired product, also one retired while the demo runs.
 */
final class DemoMesh implements AutoCloseable {

    /**
     * The demo's contracts, in ODCS, kept in examples/ (beside the same contracts in the mesh's own
     * YAML, from which they are written) and packaged by the schemas module under schemas/demo/.
     */
    static final List<String> CONTRACTS = List.of("customers/customer-profile.odcs.yaml", "orders/order-placed.odcs.yaml");
    /** The demo's consumer team. */
    static final String TEAM = "analytics";
    /** How to start the demo afresh, when it cannot adapt to what was done to its products. */
    static final String RESET = "start the demo afresh with: ./mesh up --demo --fresh";

    private static final Logger LOG = LoggerFactory.getLogger(DemoMesh.class);
    private static final String[] COUNTRIES = {"FR", "DE", "NL", "ES", "IT", "GB"};
    private static final Duration RETIREMENT_CHECK = Duration.ofSeconds(2);

    private final ScheduledExecutorService traffic = daemon("mesh-demo-traffic");
    private final ScheduledExecutorService watch = daemon("mesh-demo-watch");
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<String> products = new ArrayList<>();
    private final Random random = new Random();
    private long orders;

    private DemoMesh() {
    }

    /**
     * Onboards the demo's principals, publishes its products (unless published at a newer version,
     * or retired) and starts its traffic into those not retired.
     *
     * @param mesh the running mesh
     * @param catalogUrl the catalog REST API's base URL
     * @param healthWindow the catalog's health window, in which the demo keeps to its SLOs
     * @return the running demo; close it to stop the traffic
     * @throws MeshException if the demo cannot write to a product as published, naming how to reset
     */
    static DemoMesh start(EmbeddedMesh mesh, String catalogUrl, Duration healthWindow) {
        var demo = new DemoMesh();
        try {
            demo.startTraffic(mesh, catalogUrl, healthWindow);
        } catch (RuntimeException e) {
            demo.close();
            throw e;
        }
        return demo;
    }

    private void startTraffic(EmbeddedMesh mesh, String catalogUrl, Duration healthWindow) {
        DemoStream profiles = stream(mesh, contract(CONTRACTS.get(0)), CustomerProfile.getClassSchema(), healthWindow);
        DemoStream orderStream = stream(mesh, contract(CONTRACTS.get(1)), OrderPlaced.getClassSchema(), healthWindow);
        mesh.onboarding().ensurePrincipal(TEAM, PrincipalKind.TEAM);
        if (!orderStream.retired) {
            requestAccess(mesh, catalogUrl, orderStream.address);
        }
        traffic.scheduleAtFixedRate(() -> send(orderStream, this::order), 0, 500, TimeUnit.MILLISECONDS);
        traffic.scheduleAtFixedRate(() -> send(profiles, this::profile), 0, 2, TimeUnit.SECONDS);
        watch.scheduleWithFixedDelay(() -> List.of(profiles, orderStream).forEach(this::checkRetired),
                RETIREMENT_CHECK.toMillis(), RETIREMENT_CHECK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes a demo product unless users moved it on, and opens its producer unless it is retired. */
    private DemoStream stream(EmbeddedMesh mesh, ProductContract contract, Schema demoSchema, Duration healthWindow) {
        ProductAddress address = contract.address();
        mesh.onboarding().addDomain(address.domain());
        MeshClientConfig config = mesh.clientConfig(address.domain());
        var publisher = ProductPublisher.connect(config);
        resources.add(publisher);
        Optional<ProductRegistration> current = publisher.registration(address);
        if (current.isPresent() && current.get().getRetired()) {
            LOG.info("Demo: {} is retired; the demo leaves it alone", address);
            return new DemoStream(address, publisher, null, null, null, true);
        }
        if (current.isPresent() && ProductPublisher.compareVersions(current.get().getVersion(), contract.version()) > 0) {
            LOG.info("Demo: {} is published at version {}, newer than the demo's {}; the demo writes to it as published",
                    address, current.get().getVersion(), contract.version());
        } else {
            publish(publisher, contract);
        }
        ProductProducer<GenericRecord> producer = ProductProducer.open(address, config, new SimpleMeterRegistry());
        resources.add(producer);
        var fit = new RecordFit(demoSchema, producer.schema());
        checkFits(address, fit);
        ProductRegistration registration = publisher.registration(address).orElseThrow();
        products.add(address.toString());
        return new DemoStream(address, publisher, producer, fit, new BreakerBudget(registration.getMaxViolationRate(), healthWindow), false);
    }

    private static void publish(ProductPublisher publisher, ProductContract contract) {
        try {
            publisher.publish(contract);
        } catch (MeshException e) {
            throw new MeshException("the demo cannot publish " + contract.address() + ": " + e.getMessage() + "; " + RESET, e);
        }
    }

    private void checkFits(ProductAddress address, RecordFit fit) {
        try {
            fit.apply(address.domain().equals("orders") ? order(false) : profile(false));
        } catch (RuntimeException e) {
            throw new MeshException("the demo cannot write its records to " + address + " as published (" + e.getMessage() + "); " + RESET, e);
        }
    }

    /**
     * Stops the traffic into a product once it is retired: the flag stops new sends, and the flush,
     * queued behind a send under way on the traffic thread, puts out what was sent before it.
     */
    private void checkRetired(DemoStream stream) {
        if (stream.retired) {
            return;
        }
        try {
            if (stream.publisher.registration(stream.address).map(ProductRegistration::getRetired).orElse(false)) {
                stream.retired = true;
                traffic.execute(() -> {
                    stream.producer.flush();
                    LOG.info("Demo: {} was retired; the demo no longer writes to it", stream.address);
                });
            }
        } catch (RuntimeException e) {
            LOG.debug("Demo: could not check whether {} is retired: {}", stream.address, e.getMessage());
        }
    }

    private void send(DemoStream stream, Function<Boolean, SpecificRecord> next) {
        if (stream.retired) {
            return;
        }
        SpecificRecord record = next.apply(stream.budget.nextBreaks(System.currentTimeMillis()));
        safely(() -> stream.producer.send(stream.fit.apply(record)));
    }

    /** One demo product: where its traffic goes, and whether it still may. */
    private static final class DemoStream {
        final ProductAddress address;
        final ProductPublisher publisher;
        final ProductProducer<GenericRecord> producer;
        final RecordFit fit;
        final BreakerBudget budget;
        volatile boolean retired;

        DemoStream(ProductAddress address, ProductPublisher publisher, ProductProducer<GenericRecord> producer, RecordFit fit,
                   BreakerBudget budget, boolean retired) {
            this.address = address;
            this.publisher = publisher;
            this.producer = producer;
            this.fit = fit;
            this.budget = budget;
            this.retired = retired;
        }
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            var thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
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
        return List.copyOf(products);
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

    private OrderPlaced order(boolean bad) {
        long n = ++orders;
        boolean negative = bad && random.nextBoolean();
        return OrderPlaced.newBuilder()
                .setOrderId("o-" + n)
                .setCustomerId("c-" + (1 + random.nextInt(50)))
                .setCustomerEmail("customer" + random.nextInt(50) + "@example.com")
                .setShippingAddress(random.nextInt(200) + " Demo Street")
                .setCountry(COUNTRIES[random.nextInt(COUNTRIES.length)])
                .setAmount(negative ? -1.0 * (1 + random.nextInt(100)) : 5 + random.nextInt(500) + 0.99)
                .setCurrency(bad && !negative ? "XXX" : "EUR")
                .setItems(1 + random.nextInt(5))
                .setPlacedAt(Instant.now())
                .build();
    }

    private CustomerProfile profile(boolean bad) {
        int id = 1 + random.nextInt(50);
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
        watch.shutdownNow();
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("Demo traffic: could not close a producer or publisher: {}", e.toString());
            }
        }
    }
}
