package io.streammesh.bench;

import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.KafkaCalls;
import io.streammesh.audit.AuditChain;
import io.streammesh.audit.AuditVerifier;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordProducers;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.embedded.MeshConfig;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.query.AuditQuery;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuditEventType;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.flink.types.RowKind;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Issue 17's scale benchmark, synthetic but through the real paths, in phases:
 * <ol>
 * <li>Audit, on a mesh of its own whose broker runs Kafka's plain authorizer, so that the trail
 * holds only the benchmark's events and is in time order as a live mesh's is (a timestamp seek
 * lands where the hour starts only then): N authorisation events of 200 principals, 90 %
 * timestamped 25 h to 70 min ago, the rest within the last 30 minutes, sealed here with
 * audit-sink's own {@link AuditChain} into each principal's partition as {@code mesh-audit}
 * (audit-sink itself seals a few hundred events a second on our 2-core machines: an hour for a
 * million); {@link AuditVerifier} checks every chain. Then one SQL query over the whole trail
 * and the same with {@code --since 1h}, after an uncounted first query that starts the engine;
 * the query counts the rows its table read (no WHERE) and how many are older than the hour,
 * which shows whether the second read only the hour (goal: the whole trail under 15 s). Then
 * audit-sink's real path is timed on a fresh mesh: {@link AuthorizationEvent}s written to
 * {@code mesh.audit.raw} as the broker's authorizer writes them, sealed by {@link AuditApp}.</li>
 * <li>Products over D domains with {@code ProductPublisher} (one partition each), admitted by
 * catalog-stream, with policy-enforcer's {@link GrantEnforcer} running as {@code mesh up} runs it;
 * then the portal's product page and search (goal p99 under 200 ms).</li>
 * <li>Grants: G access requests (a few requester teams, each asking for every product's
 * {@code full} view) filed with {@link AccessClient}, each approved by the owning domain; the
 * enforcer writes their ACLs. With all of them in place, a sample of further requests is
 * approved and then revoked one at a time, each timed from the owner's decision until the
 * broker lists its READ ACL, then until it no longer does (goal p99 under 2 s).</li>
 * <li>Heap: used heap after a full GC with catalog and enforcer loaded, again after closing the
 * enforcer, again after closing the catalog. Broker, apps and benchmark share this JVM, so each
 * app's share is the drop when it closes (the broker's ACL and topic metadata stay; the apps'
 * RocksDB stores are off the heap).</li>
 * </ol>
 */
final class ScaleBenchmark {

    private static final Duration STALLED = Duration.ofMinutes(5);
    private static final int REQUESTS = 500;
    private static final int SAMPLES = 50;
    private static final int WORKERS = 4;
    private static final String TEAM_PREFIX = "bench-team-";
    private static final String SAMPLER = "bench-sampler";
    private static final String AUDITEE_PREFIX = "bench-auditee-";
    private static final int AUDITEES = 200;
    private static final String SOURCE = "bench-scale";
    /** Events that take the real path through audit-sink, at most. */
    private static final int REAL_PATH_EVENTS = 20_000;
    private static final Duration FULL_QUERY_GOAL = Duration.ofSeconds(15);
    private static final long REST_GOAL_MS = 200;
    private static final long GRANT_GOAL_MS = 2000;
    private static final DateTimeFormatter SQL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** One printed line of the summary; {@code met} is null for a measure without a goal. */
    private record Measure(String name, String value, String goal, Boolean met) {
    }

    private final int domains;
    private final int products;
    private final int grants;
    private final int auditEvents;
    private final Path state;
    private final List<Measure> measures = new ArrayList<>();

    ScaleBenchmark(int domains, int products, int grants, int auditEvents, Path state) {
        if (products > 0 && (domains < 1 || products < domains) || grants < 0 || auditEvents != 0 && auditEvents < 10) {
            throw new IllegalArgumentException("scale needs domains >= 1 and products >= domains (or products 0: no catalog phases), grants >= 0,"
                    + " audit-events >= 10 (or 0: no audit phase); got " + domains + " " + products + " " + grants + " " + auditEvents);
        }
        this.domains = domains;
        this.products = products;
        this.grants = grants;
        this.auditEvents = auditEvents;
        this.state = state;
    }

    void run(PrintStream out) throws Exception {
        out.printf("scale: %,d domains, %,d products, %,d grants, %,d audit events%n", domains, products, grants, auditEvents);
        if (auditEvents > 0) {
            audit(out);
        }
        if (products > 0) {
            try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(state.resolve("mesh")))) {
                catalogAndGrants(out, mesh);
            }
        }
        summary(out);
    }

    private void catalogAndGrants(PrintStream out, EmbeddedMesh mesh) throws Exception {
        var portal = new PortalBenchmark(mesh, domains, products, REQUESTS, state);
        portal.onboard();
        int teams = (grants + products - 1) / products;
        for (int t = 0; t < teams; t++) {
            mesh.onboarding().ensurePrincipal(TEAM_PREFIX + t, PrincipalKind.TEAM);
        }
        mesh.onboarding().ensurePrincipal(SAMPLER, PrincipalKind.TEAM);
        CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()), state.resolve("catalog"),
                mesh.state().credentials(), 0));
        GrantEnforcer enforcer = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
        try {
            long started = System.nanoTime();
            portal.publishAll();
            portal.awaitCatalogued(catalog.restUrl());
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("products: %,d published and catalogued in %.1f s%n", products, seconds);
            measures.add(new Measure("publish rate (publish → catalogued)", String.format("%.1f products/s (%,d in %.0f s)",
                    products / seconds, products, seconds), "—", null));
            long[] pages = portal.timePages(out, catalog.restUrl());
            measures.add(new Measure("catalog REST p99, product page", pages[0] + " ms", "< " + REST_GOAL_MS + " ms", pages[0] < REST_GOAL_MS));
            measures.add(new Measure("catalog REST p99, search", pages[1] + " ms", "< " + REST_GOAL_MS + " ms", pages[1] < REST_GOAL_MS));
            var platform = new CatalogClient(catalog.restUrl(), mesh.clientConfig("mesh-admin"));
            bulkGrants(out, mesh, portal, platform, teams);
            sampleGrants(out, mesh, portal, platform);
            heap(out, enforcer, catalog);
        } finally {
            // After the heap step they are closed already, and closing again does nothing; before it, a failure must not leave them running.
            enforcer.close();
            catalog.close();
        }
    }


    /**
     * The audit phase on a mesh of its own whose broker runs Kafka's plain authorizer: the trail
     * then holds only the benchmark's events, in time order as a live mesh's is (events older
     * than the hour before the hour's), which a timestamp seek needs. The events are sealed here
     * with audit-sink's own {@link AuditChain}, as {@code mesh-audit}, because audit-sink seals a
     * few hundred a second on our machines (an hour for a million); its real path is timed after,
     * on a fresh mesh (see {@link #sealBySink}).
     */
    private void audit(PrintStream out) throws Exception {
        try (var auditMesh = EmbeddedMesh.start(MeshConfig.withFreePorts(state.resolve("audit-mesh")).withAudit(false))) {
            int old = auditEvents - auditEvents / 10;
            Instant now = Instant.now();
            Instant oldFrom = now.minus(Duration.ofHours(25));
            long oldSpan = Duration.ofHours(25).minus(Duration.ofMinutes(70)).toMillis();
            Instant recentFrom = now.minus(Duration.ofMinutes(30));
            long recentSpan = Duration.ofMinutes(30).toMillis();
            long start = System.nanoTime();
            try (KafkaProducer<String, AuditEvent> trail = RecordProducers.create(auditMesh.clientConfig(PlatformApp.AUDIT.applicationId()),
                    "bench-audit-sealed")) {
                int partitions = trail.partitionsFor(MeshTopics.AUDIT).size();
                Map<Integer, String> heads = new HashMap<>();
                for (int i = 0; i < auditEvents; i++) {
                    Instant at = i < old ? oldFrom.plusMillis(oldSpan * i / old) : recentFrom.plusMillis(recentSpan * (i - old) / (auditEvents - old));
                    seal(trail, partitions, heads, authorization(i, at));
                }
                trail.flush();
            }
            double sealSeconds = (System.nanoTime() - start) / 1e9;
            out.printf("audit: %,d events (%,d older than the hour) sealed straight into %s (AuditChain, as mesh-audit) at %,.0f events/s%n",
                    auditEvents, old, MeshTopics.AUDIT, auditEvents / sealSeconds);
            start = System.nanoTime();
            AuditVerifier.Result verified = AuditVerifier.verify(auditMesh.clientConfig("mesh-admin"));
            long verifyMillis = (System.nanoTime() - start) / 1_000_000;
            out.printf("audit verify: %,d events, %s, in %,d ms%n", verified.total(),
                    verified.intact() ? "every chain intact" : "BROKEN at " + verified.firstBreak().orElseThrow(), verifyMillis);
            measures.add(new Measure(String.format("audit verify over %,d events", verified.total()), String.format("%,d ms", verifyMillis),
                    "chains intact", verified.intact() && verified.total() == auditEvents));
            query(out, auditMesh, old);
        }
        try (var sinkMesh = EmbeddedMesh.start(MeshConfig.withFreePorts(state.resolve("sink-mesh")).withAudit(false))) {
            sealBySink(out, sinkMesh, Math.min(REAL_PATH_EVENTS, Math.max(1, auditEvents / 10)));
        }
    }

    /**
     * audit-sink's real path, timed: events written to {@code mesh.audit.raw} as the broker's
     * authorizer writes them (as {@code mesh-admin}, keyed by principal, numbered per source and
     * principal), sealed by {@link AuditApp}, on a fresh mesh of its own and events stamped now:
     * audit-sink's exactly-once commit markers carry the time they are written, so a marker among
     * the back-dated trail would be where a timestamp seek lands; and it starts each partition's
     * chain from its own store, which knows nothing of a trail sealed without it (its start-up
     * chain check reports the seam as a break; started on a million events it also sealed next
     * to nothing for minutes on our machines).
     */
    private void sealBySink(PrintStream out, EmbeddedMesh auditMesh, int events) throws Exception {
        var sealed = new AtomicLong();
        var done = new AtomicBoolean();
        var following = new CountDownLatch(1);
        try (AuditApp app = AuditApp.start(AuditConfig.embedded(auditMesh.clientConfig(PlatformApp.AUDIT.applicationId()), state.resolve("audit")))) {
            Thread tail = new Thread(() -> countSealed(auditMesh, sealed, following, done), "bench-audit-tail");
            tail.start();
            following.await();
            try (KafkaProducer<String, AuthorizationEvent> raw = RecordProducers.create(auditMesh.clientConfig("mesh-admin"), "bench-audit-raw")) {
                long[] sequence = new long[AUDITEES];
                long start = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    Instant at = Instant.now();
                    AuditEvent event = authorization(i, at);
                    int who = i % AUDITEES;
                    raw.send(new ProducerRecord<>(MeshTopics.AUDIT_RAW, null, at.toEpochMilli(), event.getPrincipal(), AuthorizationEvent.newBuilder()
                            .setWindowStart(at).setPrincipal(event.getPrincipal()).setClientAddress(event.getClientAddress()).setClientId("client-" + who)
                            .setOperation(event.getOperation()).setResourceType(event.getResourceType()).setResourceName(event.getResourceName())
                            .setDecision(event.getDecision()).setCount(event.getCount()).setProbe(false).setBrokerId(1).setDropped(0)
                            .setSource(SOURCE).setSequence(++sequence[who]).build()));
                }
                raw.flush();
                double produced = events / ((System.nanoTime() - start) / 1e9);
                awaitCount(out, "sealed by audit-sink", sealed::get, events);
                double sealRate = events / ((System.nanoTime() - start) / 1e9);
                out.printf("audit-sink: %,d events written to %s at %,.0f events/s, sealed into %s at %,.0f events/s%n", events,
                        MeshTopics.AUDIT_RAW, produced, MeshTopics.AUDIT, sealRate);
                measures.add(new Measure(String.format("audit-sink, raw → sealed (%,d events)", events), String.format("%,.0f events/s", sealRate),
                        "—", null));
            } finally {
                done.set(true);
                tail.join();
            }
        }
    }

    /** One synthetic authorisation window of one of the benchmark's principals: mostly allowed reads, one in twenty refused. */
    private static AuditEvent authorization(int i, Instant at) {
        int who = i % AUDITEES;
        String address = PortalBenchmark.domain(i % 100) + ".p-" + String.format("%04d", i % 2000) + ".v1";
        return AuditEvent.newBuilder().setEventTime(at).setType(AuditEventType.AUTHORIZATION).setPrincipal(MeshNames.kafkaPrincipal(AUDITEE_PREFIX + who))
                .setClientAddress("10.0." + (who / 100) + "." + (who % 100)).setOperation(i % 3 == 0 ? "DESCRIBE" : "READ").setResourceType("TOPIC")
                .setResourceName(address).setDecision(i % 20 == 0 ? Decision.DENIED : Decision.ALLOWED).setCount(1 + i % 50).setProduct(address)
                .setPrevHash("").setHash("").build();
    }

    /** Seals an event as audit-sink's chain does: into its principal's partition, after that partition's last hash. */
    private static void seal(KafkaProducer<String, AuditEvent> trail, int partitions, Map<Integer, String> heads, AuditEvent event) {
        int partition = Utils.toPositive(Utils.murmur2(event.getPrincipal().getBytes(StandardCharsets.UTF_8))) % partitions;
        event.setPrevHash(heads.getOrDefault(partition, AuditChain.GENESIS));
        event.setHash(AuditChain.hashOf(event));
        heads.put(partition, event.getHash());
        trail.send(new ProducerRecord<>(MeshTopics.AUDIT, partition, event.getEventTime().toEpochMilli(), event.getPrincipal(), event));
    }

    /** Counts the committed records of {@code mesh.audit} that are the benchmark's (keyed by its principals) from its end on. */
    private static void countSealed(EmbeddedMesh auditMesh, AtomicLong sealed, CountDownLatch following, AtomicBoolean done) {
        var props = auditMesh.clientConfig("mesh-admin").kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        String prefix = MeshNames.kafkaPrincipal(AUDITEE_PREFIX);
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(MeshTopics.AUDIT).stream().map(p -> new TopicPartition(MeshTopics.AUDIT, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            following.countDown();
            while (!done.get()) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (record.key() != null && record.key().startsWith(prefix)) {
                        sealed.incrementAndGet();
                    }
                });
            }
        }
    }

    /**
     * The same query over the whole trail and with {@code --since 1h}: it counts the rows its
     * table read (no WHERE: every row the Kafka source gave) and those older than the hour.
     */
    private void query(PrintStream out, EmbeddedMesh auditMesh, int old) {
        Instant since = Instant.now().minus(Duration.ofHours(1));
        String sql = "SELECT COUNT(*) AS rows_read, SUM(CASE WHEN event_time < TIMESTAMP '" + SQL_TIME.format(since)
                + "' THEN 1 ELSE 0 END) AS older_than_the_hour, SUM(CASE WHEN decision = 'DENIED' THEN event_count ELSE 0 END) AS denied FROM audit";
        MeshClientConfig admin = auditMesh.clientConfig("mesh-admin");
        // Uncounted: the first query of a JVM starts Flink's embedded engine (a fresh `mesh audit query` pays it each time).
        long[] none = new long[3];
        long firstMillis = timeQuery(admin, sql, new AuditQuery.Scan(Instant.now(), null, false), none);
        out.printf("audit SQL, first query (engine start-up, %,d rows): %,d ms, not counted%n", none[0], firstMillis);
        long[] all = new long[3];
        long allMillis = timeQuery(admin, sql, AuditQuery.Scan.everything(), all);
        long[] hour = new long[3];
        long hourMillis = timeQuery(admin, sql, new AuditQuery.Scan(since, null, false), hour);
        out.printf("audit SQL, whole trail: %,d rows read (%,d older than the hour), %,d refusals, in %,d ms%n", all[0], all[1], all[2], allMillis);
        out.printf("audit SQL, --since 1h: %,d rows read (%,d older than the hour), %,d refusals, in %,d ms%n", hour[0], hour[1], hour[2], hourMillis);
        measures.add(new Measure(String.format("audit SQL over the whole trail (%,d events)", all[0]), String.format("%,d ms", allMillis),
                "< " + FULL_QUERY_GOAL.toMillis() + " ms", allMillis < FULL_QUERY_GOAL.toMillis()));
        measures.add(new Measure("audit SQL --since 1h", String.format("%,d ms, read %,d rows of %,d, %,d of them older than the hour", hourMillis,
                hour[0], all[0], hour[1]), "reads only the hour", hour[1] == 0 && all[1] >= old));
    }

    private static long timeQuery(MeshClientConfig principal, String sql, AuditQuery.Scan scan, long[] into) {
        long start = System.nanoTime();
        AuditQuery.run(principal, sql, scan, new AuditQuery.ResultSink() {
            @Override
            public void columns(List<String> names) {
                // the three columns are known: counted rows, older rows, refusals
            }

            @Override
            public void row(RowKind kind, List<Object> values) {
                for (int i = 0; i < into.length; i++) {
                    into[i] = values.get(i) == null ? 0 : ((Number) values.get(i)).longValue();
                }
            }
        });
        return (System.nanoTime() - start) / 1_000_000;
    }


    /** Files every request, waits for the catalog to hold them all, has each owner approve them, and waits for every ACL. */
    private void bulkGrants(PrintStream out, EmbeddedMesh mesh, PortalBenchmark portal, CatalogClient platform, int teams) throws Exception {
        if (grants == 0) {
            return;
        }
        long start = System.nanoTime();
        String[] ids = new String[grants];
        List<Callable<Void>> filing = new ArrayList<>();
        for (int t = 0; t < teams; t++) {
            int team = t;
            filing.add(() -> {
                try (var client = new AccessClient(mesh.clientConfig(TEAM_PREFIX + team))) {
                    for (int g = team * products; g < Math.min(grants, (team + 1) * products); g++) {
                        ids[g] = client.request(ProductAddress.parse(portal.address(g % products)), "full", null, TEAM_PREFIX + team,
                                "scale benchmark", Duration.ofDays(30));
                    }
                }
                return null;
            });
        }
        inParallel(filing);
        double filed = (System.nanoTime() - start) / 1e9;
        List<Callable<Void>> pending = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            pending.add(() -> {
                for (int g = worker; g < grants; g += WORKERS) {
                    awaitStatus(platform, ids[g], "PENDING");
                }
                return null;
            });
        }
        inParallel(pending);
        double held = (System.nanoTime() - start) / 1e9;
        List<Callable<Void>> approving = new ArrayList<>();
        for (int d = 0; d < domains; d++) {
            int domain = d;
            approving.add(() -> {
                try (var owner = new AccessClient(mesh.clientConfig(PortalBenchmark.domain(domain)))) {
                    for (int g = 0; g < grants; g++) {
                        if (g % products % domains == domain) {
                            owner.decide(PortalBenchmark.domain(domain), ids[g], DecisionKind.APPROVED, "scale benchmark", null);
                        }
                    }
                }
                return null;
            });
        }
        inParallel(approving);
        double approved = (System.nanoTime() - start) / 1e9;
        try (Admin admin = Admin.create(mesh.clientConfig("mesh-admin").kafka())) {
            awaitCount(out, "grant READ ACLs on the broker", () -> {
                long acls = 0;
                for (int t = 0; t < teams; t++) {
                    acls += topicReadAcls(admin, TEAM_PREFIX + t, null);
                }
                return acls;
            }, grants);
            long total = countAcls(admin, AclBindingFilter.ANY);
            double all = (System.nanoTime() - start) / 1e9;
            out.printf("grants: %,d requests filed in %.0f s, all PENDING at %.0f s, approved by %d owners at %.0f s, every READ ACL on the broker at %.0f s;"
                    + " the broker holds %,d ACL bindings%n", grants, filed, held, domains, approved, all, total);
            measures.add(new Measure("bulk grants (request → approved → ACL)", String.format("%,d in %.0f s (%.0f grants/s), %,d ACL bindings in all",
                    grants, all, grants / all, total), "—", null));
        }
    }

    /** Approves, then revokes, a sample of further requests one at a time with every bulk ACL in place. */
    private void sampleGrants(PrintStream out, EmbeddedMesh mesh, PortalBenchmark portal, CatalogClient platform) throws Exception {
        int samples = Math.min(SAMPLES, products);
        long[] granted = new long[samples];
        long[] revoked = new long[samples];
        String group = SAMPLER;
        try (Admin admin = Admin.create(mesh.clientConfig("mesh-admin").kafka());
             var requester = new AccessClient(mesh.clientConfig(SAMPLER))) {
            for (int i = 0; i < samples; i++) {
                String address = portal.address(i);
                String domain = PortalBenchmark.domain(i % domains);
                String id = requester.request(ProductAddress.parse(address), "full", null, group, "scale benchmark sample", Duration.ofDays(1));
                awaitStatus(platform, id, "PENDING");
                try (var owner = new AccessClient(mesh.clientConfig(domain))) {
                    long start = System.nanoTime();
                    owner.decide(domain, id, DecisionKind.APPROVED, "scale benchmark sample", null);
                    awaitAcl(admin, address, true);
                    granted[i] = (System.nanoTime() - start) / 1_000_000;
                    start = System.nanoTime();
                    owner.decide(domain, id, DecisionKind.REVOKED, "scale benchmark sample", null);
                    awaitAcl(admin, address, false);
                    revoked[i] = (System.nanoTime() - start) / 1_000_000;
                }
            }
        }
        long grantP99 = Benchmarks.percentile(granted, 99);
        long revokeP99 = Benchmarks.percentile(revoked, 99);
        out.printf("grant → READ ACL on the broker (%d samples): p50 %d ms, p99 %d ms; revoke → ACL gone: p50 %d ms, p99 %d ms%n", samples,
                Benchmarks.percentile(granted, 50), grantP99, Benchmarks.percentile(revoked, 50), revokeP99);
        String at = String.format(" at %,d grants", grants);
        measures.add(new Measure("grant → ACL p99" + at, grantP99 + " ms", "< " + GRANT_GOAL_MS + " ms", grantP99 < GRANT_GOAL_MS));
        measures.add(new Measure("revoke → ACL gone p99" + at, revokeP99 + " ms", "< " + GRANT_GOAL_MS + " ms", revokeP99 < GRANT_GOAL_MS));
    }

    private static void awaitAcl(Admin admin, String address, boolean present) throws Exception {
        long deadline = System.nanoTime() + STALLED.toNanos();
        while ((topicReadAcls(admin, SAMPLER, address) > 0) != present) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the READ ACL of " + SAMPLER + " on " + address + " was still " + (present ? "missing" : "there")
                        + " after " + STALLED.toMinutes() + " minutes");
            }
            Thread.sleep(10);
        }
    }

    /** @return the READ ACLs the broker lists for a team on topics (one topic, or all of them for null) */
    private static long topicReadAcls(Admin admin, String team, String topic) {
        var filter = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntryFilter(MeshNames.kafkaPrincipal(team), null, AclOperation.READ, AclPermissionType.ALLOW));
        return countAcls(admin, filter);
    }

    private static long countAcls(Admin admin, AclBindingFilter filter) {
        return KafkaCalls.await(admin.describeAcls(filter).values(), "list the broker's ACLs").size();
    }

    private static void awaitStatus(CatalogClient platform, String requestId, String status) throws InterruptedException {
        long deadline = System.nanoTime() + STALLED.toNanos();
        while (!platform.find("/api/access/requests/" + requestId).map(r -> r.path("status").asText().equals(status)).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("request " + requestId + " was not " + status + " in the catalog after " + STALLED.toMinutes() + " minutes");
            }
            Thread.sleep(20);
        }
    }


    private void heap(PrintStream out, GrantEnforcer enforcer, CatalogApp catalog) {
        long loaded = usedHeapAfterGc();
        enforcer.close();
        long withoutEnforcer = usedHeapAfterGc();
        catalog.close();
        long withoutApps = usedHeapAfterGc();
        out.printf("heap used after GC: %,d MB with catalog and enforcer, %,d MB without the enforcer, %,d MB without either (broker, clients, benchmark)%n",
                loaded >> 20, withoutEnforcer >> 20, withoutApps >> 20);
        measures.add(new Measure("enforcer heap (drop on closing it)", String.format("%,d MB", (loaded - withoutEnforcer) >> 20), "—", null));
        measures.add(new Measure("catalog heap (drop on closing it)", String.format("%,d MB", (withoutEnforcer - withoutApps) >> 20), "—", null));
        measures.add(new Measure("JVM heap with everything loaded (broker + apps)", String.format("%,d MB", loaded >> 20), "—", null));
    }

    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        // Twice: the first collection may leave objects whose finalisation frees more.
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }


    private static void inParallel(List<Callable<Void>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (Callable<Void> task : tasks) {
                done.add(pool.submit(task));
            }
            for (Future<Void> each : done) {
                each.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits for a count to reach its target, printing progress; a count that stops growing ends the run. */
    private static void awaitCount(PrintStream out, String what, LongSupplier count, long target) throws InterruptedException {
        long seen = -1;
        long progressAt = System.nanoTime();
        long printedAt = System.nanoTime();
        while (true) {
            long now = count.getAsLong();
            if (now >= target) {
                return;
            }
            if (now > seen) {
                seen = now;
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > STALLED.toNanos()) {
                throw new IllegalStateException(what + ": " + seen + " of " + target + " and no more for " + STALLED.toMinutes() + " minutes");
            }
            if (System.nanoTime() - printedAt > Duration.ofSeconds(30).toNanos()) {
                out.printf("  %s: %,d of %,d%n", what, now, target);
                printedAt = System.nanoTime();
            }
            Thread.sleep(500);
        }
    }

    private void summary(PrintStream out) {
        out.printf("%nscale summary (%,d domains, %,d products, %,d grants, %,d audit events; broker, apps and benchmark in one JVM"
                + " of %,d MB max heap on %d processors, the registry in its own process):%n", domains, products, grants, auditEvents,
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        for (Measure m : measures) {
            out.printf("  %-62s %-60s goal %-22s %s%n", m.name(), m.value(), m.goal(), m.met() == null ? "" : m.met() ? "MET" : "MISS");
        }
    }
}
