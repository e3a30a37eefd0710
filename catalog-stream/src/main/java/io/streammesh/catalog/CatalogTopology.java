package io.streammesh.catalog;

import io.streammesh.client.RecordSerdes;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AccessRequestState;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Grant;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.AuditChainStatus;
import io.streammesh.schema.ProductConsumption;
import io.streammesh.schema.ProductStats;
import io.streammesh.schema.Rejection;
import io.streammesh.schema.SourcedRecord;
import io.streammesh.schema.ViewStatus;
import io.streammesh.schema.WriterRefusals;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * catalog-stream's topology: small parts over the catalog's topics (product health is an app of its
 * own, {@link HealthTopology}, so that publishing products does not rebalance these).
 * <ul>
 *   <li>governance: {@code mesh.registrations.*} → {@link GovernanceProcessor} →
 *       {@code mesh.catalog} or {@code mesh.catalog.rejections};</li>
 *   <li>the catalog itself, as a global store every instance holds whole (lookups by address
 *       from any partition), fed by a {@link GlobalStoreFeed} that also keeps the instance's
 *       {@link CatalogSnapshots}, which REST and portal reads use instead of scanning the store;</li>
 *   <li>access: {@code mesh.access.requests.*} and {@code mesh.decisions.*}, each record
 *       stamped with its topic ({@link SourceStamp}) and repartitioned by request id →
 *       {@link AccessProcessor} → {@code mesh.access.grants} or {@code mesh.catalog.rejections};</li>
 *   <li>health: {@code mesh.product.stats}, as {@link HealthTopology} computes it, held as a
 *       global store (and in {@link CatalogSnapshots}) for the REST API;</li>
 *   <li>view status: {@code mesh.view.status}, as the policy-enforcer reports it, held as a
 *       global table for the REST API.</li>
 * </ul>
 */
public final class CatalogTopology {

    /** Address → DataProduct, as governance admitted it. */
    public static final String CATALOG_STORE = "catalog";
    /** {@link #rejectionKey Domain and address} → latest Rejection of a registration. */
    public static final String REJECTIONS_STORE = "registration-rejections";
    /** Global store over {@code mesh.catalog}, kept as a global table would keep it ({@link GlobalStoreFeed}). */
    public static final String GLOBAL_CATALOG = "catalog-global";
    /** Request id → AccessRequestState. */
    public static final String REQUESTS_STORE = "access-requests";
    /** Grant id (= request id) → Grant. */
    public static final String GRANTS_STORE = "grants";
    /** Request id → the principal it named, of each request forgotten after the access history: no id is taken twice. */
    public static final String FORGOTTEN_REQUESTS_STORE = "access-forgotten";
    /** {@link #rejectionKey Writer and request id} → latest Rejection of a request or decision. */
    public static final String ACCESS_REJECTIONS_STORE = "access-rejections";
    /** Source topic → WriterRefusals: its writer's records refused over its rate, not reported yet ({@link RateReport}). */
    public static final String ACCESS_REFUSALS_STORE = "access-refusals";
    /** Global store over {@code mesh.product.stats}, kept as a global table would keep it ({@link GlobalStoreFeed}). */
    public static final String GLOBAL_HEALTH = "health-global";
    /** Global store over {@code mesh.access.grants}, feeding the key service's index of decrypting grants ({@link DecryptGrants}). */
    public static final String GLOBAL_GRANTS = "grants-global";
    /** Global table over {@code mesh.view.status}: {@code <address>/<view>} → ViewStatus. */
    public static final String GLOBAL_VIEW_STATUS = "view-status-global";
    /** Global table of {@link MeshTopics#CONSUMPTION}: each product's consumers, as audit-sink sums them. */
    public static final String GLOBAL_CONSUMPTION = "consumption-global";
    /** Global table of {@link MeshTopics#AUDIT_CHAIN}: audit-sink's last check of the audit chains. */
    public static final String GLOBAL_AUDIT_CHAIN = "audit-chain-global";

    /** The governance processor's node: its children are the sinks of admitted products and of rejections. */
    static final String GOVERNANCE = "governance";
    /** The access processor's node: its children are the sinks of grants and of rejections. */
    static final String ACCESS = "access";

    /** The repartition of requests and decisions by request id. */
    static final String ACCESS_REPARTITION = "access-inputs";
    /** The processor counting and reporting records over their writer's rate. */
    static final String RATE_REPORT = "access-rate-report";

    private static final Pattern REGISTRATIONS = MeshTopics.REGISTRATION_TOPICS;
    private static final Pattern DECISIONS = MeshTopics.DECISION_TOPICS;
    /** Per-principal request topics and per-domain decision topics: each says who wrote its records. */
    private static final Pattern ACCESS_INPUTS = Pattern.compile(MeshTopics.ACCESS_REQUEST_TOPICS.pattern() + "|" + DECISIONS.pattern());

    private CatalogTopology() {
    }

    /**
     * The key of a rejection in its store: one per writer and subject, so that what one tenant
     * writes about another's subject (a registration for another domain's address, a request
     * reusing another's id) is rejected beside the other's rejection, never over it.
     *
     * @param writer the domain whose registrations topic, or the principal whose record, was rejected
     * @param subject the address or request id the record named
     * @return {@code <writer>/<subject>}; the writer has no slash, so keys of two writers never meet
     */
    static String rejectionKey(String writer, String subject) {
        return writer + "/" + subject;
    }

    /**
     * Forgets the rejections older than the catalog's history ({@link CatalogConfig#accessHistory});
     * {@code mesh.catalog.rejections} and the audit trail keep them.
     *
     * @param rejections a store of rejections
     * @param before epoch milliseconds: those rejected earlier are deleted
     */
    static void forgetRejections(KeyValueStore<String, Rejection> rejections, long before) {
        List<String> old = new ArrayList<>();
        try (var all = rejections.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.getRejectedAt().toEpochMilli() < before) {
                    old.add(entry.key);
                }
            });
        }
        old.forEach(rejections::delete);
    }

    /**
     * @param config the app's config (governance rules, grant durations)
     * @param accessPartitions partitions of the access repartition topic (inputs by request id):
     *        those of {@code mesh.access.grants}, so that a request's grant lands on its task's partition
     * @param serdes the serdes of the mesh's records
     * @return the topology
     */
    public static Topology build(CatalogConfig config, int accessPartitions, RecordSerdes serdes) {
        return build(config, accessPartitions, serdes, new CatalogSnapshots());
    }

    /**
     * @param config the app's config (governance rules, grant durations)
     * @param accessPartitions partitions of the access repartition topic (inputs by request id):
     *        those of {@code mesh.access.grants}, so that a request's grant lands on its task's partition
     * @param serdes the serdes of the mesh's records
     * @param snapshots what the global catalog and health stores keep up to date in memory for the REST API and portal
     * @return the topology
     */
    static Topology build(CatalogConfig config, int accessPartitions, RecordSerdes serdes, CatalogSnapshots snapshots) {
        var builder = new StreamsBuilder();
        var products = serdes.of(DataProduct.class);
        var rejections = serdes.of(Rejection.class);
        // A global table's store, fed by a processor that also keeps the in-memory catalog pages and searches read.
        builder.addGlobalStore(globalStore(GLOBAL_CATALOG, products), MeshTopics.CATALOG, Consumed.with(Serdes.String(), products),
                () -> new GlobalStoreFeed<>(GLOBAL_CATALOG, snapshots.catalogFeed()));

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CATALOG_STORE), Serdes.String(), products));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REJECTIONS_STORE), Serdes.String(), rejections));
        var registrations = serdes.of(ProductRegistration.class).deserializer();
        builder.stream(REGISTRATIONS, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(() -> new GovernanceProcessor(new Governance(config.governance()), config.governance(), registrations, CATALOG_STORE, REJECTIONS_STORE,
                        GLOBAL_CATALOG, config), Named.as(GOVERNANCE), CATALOG_STORE, REJECTIONS_STORE);

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REQUESTS_STORE), Serdes.String(),
                serdes.of(AccessRequestState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GRANTS_STORE), Serdes.String(), serdes.of(Grant.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACCESS_REJECTIONS_STORE), Serdes.String(), rejections));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FORGOTTEN_REQUESTS_STORE), Serdes.String(), Serdes.String()));
        // In memory and cached: a flood updates one entry per writer, written to its changelog once per commit.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ACCESS_REFUSALS_STORE), Serdes.String(),
                serdes.of(WriterRefusals.class)).withCachingEnabled());
        // Requests and decisions come from one pattern source (a pattern source shares its
        // sub-topology with no other source), stamped with their topic before the repartition
        // by request id, which would lose it.
        KStream<String, SourcedRecord> inputs = builder
                .stream(ACCESS_INPUTS, Consumed.with(Serdes.String(), Serdes.ByteArray()).withTimestampExtractor(new AccessOrder(config.accessRate())))
                .process(SourceStamp::new)
                // Named, so the processors' generated names after it stay what they were before it existed.
                .process(() -> new RateReport(config.accessRate(), ACCESS_REFUSALS_STORE), Named.as(RATE_REPORT), ACCESS_REFUSALS_STORE)
                .repartition(Repartitioned.<String, SourcedRecord>as(ACCESS_REPARTITION).withKeySerde(Serdes.String())
                        .withValueSerde(serdes.of(SourcedRecord.class)).withNumberOfPartitions(accessPartitions));
        var requests = serdes.of(AccessRequest.class).deserializer();
        var decided = serdes.of(AccessDecision.class).deserializer();
        inputs.process(() -> new AccessProcessor(requests, decided, config, new AccessProcessor.Stores(REQUESTS_STORE, GRANTS_STORE,
                        ACCESS_REJECTIONS_STORE, FORGOTTEN_REQUESTS_STORE, GLOBAL_CATALOG)),
                Named.as(ACCESS), REQUESTS_STORE, GRANTS_STORE, ACCESS_REJECTIONS_STORE, FORGOTTEN_REQUESTS_STORE);

        var grantRecords = serdes.of(Grant.class);
        builder.addGlobalStore(globalStore(GLOBAL_GRANTS, grantRecords), MeshTopics.ACCESS_GRANTS, Consumed.with(Serdes.String(), grantRecords),
                () -> new GlobalStoreFeed<>(GLOBAL_GRANTS, snapshots.decryptGrants().feed()));

        var stats = serdes.of(ProductStats.class);
        builder.addGlobalStore(globalStore(GLOBAL_HEALTH, stats), MeshTopics.PRODUCT_STATS, Consumed.with(Serdes.String(), stats),
                () -> new GlobalStoreFeed<>(GLOBAL_HEALTH, snapshots.healthFeed()));

        builder.globalTable(MeshTopics.VIEW_STATUS, Consumed.with(Serdes.String(), serdes.of(ViewStatus.class)),
                Materialized.as(GLOBAL_VIEW_STATUS));
        builder.globalTable(MeshTopics.CONSUMPTION, Consumed.with(Serdes.String(), serdes.of(ProductConsumption.class)),
                Materialized.as(GLOBAL_CONSUMPTION));
        builder.globalTable(MeshTopics.AUDIT_CHAIN, Consumed.with(Serdes.String(), serdes.of(AuditChainStatus.class)),
                Materialized.as(GLOBAL_AUDIT_CHAIN));
        return withSinks(builder.build(), products.serializer(), rejections.serializer(), serdes.of(Grant.class).serializer());
    }

    /** The store a global table would materialise: RocksDB, timestamped, no changelog (its topic is one). */
    private static <V> StoreBuilder<TimestampedKeyValueStore<String, V>> globalStore(String name, Serde<V> values) {
        return Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(name), Serdes.String(), values)
                .withLoggingDisabled();
    }

    /**
     * One sink per kind of record a processor emits, each with its own type's serializer: a
     * processor forwards each record to the child named for its kind, so nothing downstream
     * tells the kinds apart by {@code instanceof}.
     */
    private static Topology withSinks(Topology topology, Serializer<DataProduct> products, Serializer<Rejection> rejections,
                                      Serializer<Grant> grants) {
        topology.addSink(GovernanceProcessor.ADMITTED, MeshTopics.CATALOG, Serdes.String().serializer(), products, GOVERNANCE);
        topology.addSink(GovernanceProcessor.REJECTED, MeshTopics.CATALOG_REJECTIONS, Serdes.String().serializer(), rejections, GOVERNANCE);
        topology.addSink(AccessProcessor.GRANTED, MeshTopics.ACCESS_GRANTS, Serdes.String().serializer(), grants, ACCESS);
        topology.addSink(AccessProcessor.REJECTED, MeshTopics.CATALOG_REJECTIONS, Serdes.String().serializer(), rejections, ACCESS);
        return topology;
    }
}
