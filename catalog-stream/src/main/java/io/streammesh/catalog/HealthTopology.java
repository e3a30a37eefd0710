package io.streammesh.catalog;

import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordSerdes;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductActivity;
import io.streammesh.schema.ProductStats;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * catalog-stream's health tracking, a Kafka Streams app of its own ({@link #APPLICATION_ID}, the
 * catalog's principal): product topics and their DLQs → {@link ActivityCounter} (counts per
 * partition) → repartitioned by address → {@link HealthProcessor} (with the contract's SLOs from
 * its own global table of {@code mesh.catalog}, and the gate's lag, {@link GateLags}) →
 * {@code mesh.product.stats}, which the catalog app holds for the REST API.
 *
 * <p>Apart from governance and access because it subscribes to every product topic by pattern:
 * each product published adds topics that match, and with them a rebalance of the group that
 * reads them. In one group, publishing products rebalanced the access workflow (at 2,000 products
 * published a few a second, one rebalance every second or so); in a group of its own only health
 * tracking rebalances.
 */
public final class HealthTopology {

    /** The app's {@code application.id}: its group, transactional ids and internal topics. */
    public static final String APPLICATION_ID = PlatformApp.CATALOG.applicationId() + "-health";
    /** Address → ProductStats, as health tracking computes them. */
    static final String HEALTH_STORE = "health";
    /** The repartition of product activity by address. */
    static final String ACTIVITY_REPARTITION = "activity";
    /** This app's global table of {@code mesh.catalog}: each product's SLOs. */
    static final String CATALOG_TABLE = "catalog-slos";

    /** Product topics and their dead-letter topics: {@code <domain>.<product>.v<major>[.dlq]}, never the platform's own. */
    static final Pattern PRODUCT_TOPICS = MeshTopics.PRODUCT_AND_DEAD_LETTER_TOPICS;

    private HealthTopology() {
    }

    /**
     * @param config the app's config (health check intervals, the gate's lag limit)
     * @param partitions partitions of the activity repartition topic (given: the pattern may match
     *        no topic yet, and Streams cannot size a repartition topic from nothing)
     * @param serdes the serdes of the mesh's records
     * @param gateLags the contract gate's lag per product, measured off the stream thread
     * @param healthMeters where each product's health is shown to Prometheus
     * @return the topology
     */
    static Topology build(CatalogConfig config, int partitions, RecordSerdes serdes, GateLags gateLags, ProductHealthMeters healthMeters) {
        var builder = new StreamsBuilder();
        var stats = serdes.of(ProductStats.class);
        // In memory: a second RocksDB copy of the catalog (the catalog app holds one) for a few KB of SLOs per product.
        builder.globalTable(MeshTopics.CATALOG, Consumed.with(Serdes.String(), serdes.of(DataProduct.class)),
                Materialized.<String, DataProduct>as(Stores.inMemoryKeyValueStore(CATALOG_TABLE)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HEALTH_STORE), Serdes.String(), stats));
        builder.stream(PRODUCT_TOPICS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new ActivityCounter(config.health().countInterval()))
                .repartition(Repartitioned.<String, ProductActivity>as(ACTIVITY_REPARTITION).withKeySerde(Serdes.String())
                        .withValueSerde(serdes.of(ProductActivity.class)).withNumberOfPartitions(partitions))
                .process(() -> new HealthProcessor(config, gateLags, healthMeters, HEALTH_STORE, CATALOG_TABLE), HEALTH_STORE)
                .to(MeshTopics.PRODUCT_STATS, Produced.with(Serdes.String(), stats));
        return builder.build();
    }
}
