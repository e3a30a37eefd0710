package io.streammesh.bench;

import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.keys.KeyServiceClient;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The catalog's key service (issue 15): a key fetch on a consumer's cache miss ({@link KeyServiceClient}
 * with a subject it has not asked for, through the catalog's REST API: grant check, key log, Tink
 * keyset), goal p99 under 50 ms; and erasure → every holder refuses the key (a {@link SubjectKeys}
 * holder as the gate and the enforcer keep it, the key service answering 404, a consumer's
 * {@link KeyServiceClient} cache), timed from the domain's erasure record on
 * {@code mesh.erasures.<domain>} (the contract gate destroys the key), goal p99 under 5 s.
 */
final class KeyBenchmark {

    private static final String DOMAIN = "bench-keys";
    private static final String TEAM = "bench-key-team";

    private final EmbeddedMesh mesh;
    private final int fetches;
    private final int erasures;
    private final Path state;

    KeyBenchmark(EmbeddedMesh mesh, int fetches, int erasures, Path state) {
        this.mesh = mesh;
        this.fetches = fetches;
        this.erasures = erasures;
        this.state = state;
    }

    void run(PrintStream out) throws Exception {
        GateProduct product = GateProduct.publish(mesh, DOMAIN, true);
        ProductAddress address = product.address();
        mesh.onboarding().ensurePrincipal(TEAM, PrincipalKind.TEAM);
        Path keks = mesh.state().keks();
        MeshClientConfig gateConfig = mesh.clientConfig(PlatformApp.GATE.applicationId());
        try (var catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()), state.resolve("catalog"),
                     mesh.state().credentials(), 0), keks);
             var gate = GateApp.start(gateConfig, state.resolve("gate"), GateApp.CLEANUP_EVERY, 0, keks);
             var holder = SubjectKeys.local(gateConfig, keks)) {
            var team = mesh.clientConfig(TEAM);
            var api = new CatalogClient(catalog.restUrl(), team);
            grantDecrypt(address, api);
            for (int i = 0; i < fetches + erasures; i++) {
                holder.dataKey(DOMAIN, "s-" + i);
            }
            long[] fetchMillis = new long[fetches];
            var consumerCache = new KeyServiceClient(api, address, System::currentTimeMillis);
            // each subject once: every fetch is a miss of the consumer's cache
            for (int i = 0; i < fetches; i++) {
                long start = System.nanoTime();
                if (consumerCache.key("s-" + i).key().isEmpty()) {
                    throw new IllegalStateException("the key service has no key for s-" + i);
                }
                fetchMillis[i] = (System.nanoTime() - start) / 1_000_000;
            }
            out.printf("key fetch on a cache miss (%d subjects): p50 %d ms, p99 %d ms (goal p99 < 50 ms: %s)%n", fetches,
                    Benchmarks.percentile(fetchMillis, 50), Benchmarks.percentile(fetchMillis, 99),
                    Benchmarks.percentile(fetchMillis, 99) < 50 ? "met" : "NOT met");

            long[] eraseMillis = new long[erasures];
            try (var domain = new KafkaProducer<>(mesh.clientConfig(DOMAIN).kafka(), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < erasures; i++) {
                    String subject = "s-" + (fetches + i);
                    var cache = new KeyServiceClient(api, address, System::currentTimeMillis);
                    cache.key(subject).key().orElseThrow();
                    long start = System.nanoTime();
                    domain.send(new ProducerRecord<>(MeshTopics.erasures(DOMAIN), subject, "benchmark")).get();
                    awaitTrue(() -> holder.existing(DOMAIN, subject).isEmpty() && api.find(keyPath(address, subject)).map(key -> !key.has("keyset")).orElse(true)
                            && cache.key(subject).key().isEmpty());
                    eraseMillis[i] = (System.nanoTime() - start) / 1_000_000;
                }
            }
            out.printf("erase -> every holder refuses the key (gate-side SubjectKeys, key service, consumer cache; %d subjects): "
                            + "p50 %d ms, p99 %d ms (goal p99 < 5000 ms: %s)%n", erasures, Benchmarks.percentile(eraseMillis, 50),
                    Benchmarks.percentile(eraseMillis, 99), Benchmarks.percentile(eraseMillis, 99) < 5000 ? "met" : "NOT met");
        }
    }

    private void grantDecrypt(ProductAddress address, CatalogClient api) throws Exception {
        String request;
        try (var client = new AccessClient(mesh.clientConfig(TEAM))) {
            request = client.request(address, "full", null, TEAM, "key benchmark", Duration.ofDays(1), true);
        }
        awaitTrue(() -> api.find("/api/access/requests/" + request).map(r -> r.path("status").asText().equals("PENDING")).orElse(false));
        try (var owner = new AccessClient(mesh.clientConfig(DOMAIN))) {
            owner.decide(DOMAIN, request, DecisionKind.APPROVED, "benchmark", null);
        }
        awaitTrue(() -> api.get("/api/access/requests/" + request).at("/grant/status").asText().equals("ACTIVE"));
    }

    private static String keyPath(ProductAddress address, String subject) {
        return "/api/products/" + address + "/keys/" + subject;
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within 2 minutes");
            }
            Thread.sleep(10);
        }
    }
}
