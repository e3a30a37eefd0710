package io.streammesh.connector;

import io.streammesh.client.WaitingBudget;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The contract gate: every product's ingest topic, {@code <address>.ingest} (a pattern, so new
 * products are picked up), with the catalog as a global table → {@link GateProcessor} → each
 * record to its product topic, or to {@code <address>.dlq} with the reason; records of a product
 * not catalogued yet, or whose subject's data key is not at hand yet, wait in a store. No repartitioning:
 * a record keeps its key and its ingest partition's order, and the producer partitions it by key
 * on the product topic as any client would.
 */
public final class GateTopology {

    /** Global table over {@code mesh.catalog}. */
    static final String GLOBAL_CATALOG = "gate-catalog";
    /** Records of products the catalog does not have yet (or waiting for data keys), by ingest topic, partition and offset. */
    static final String PENDING = "gate-pending";
    /**
     * The sink of a record accepted as it is being read: its value's bytes go to the product of
     * the ingest topic it is read from. The gate forwards the record Kafka Streams gave it, so the
     * bulk of its records costs no copy of record and headers.
     */
    static final String PRODUCTS = "gate-products";
    /** The sink of every other record: a {@link GateOutput} names its topic (a dead-letter topic, or the product of a record that waited). */
    static final String ROUTED = "gate-routed";

    private GateTopology() {
    }

    /**
     * The product topic of the ingest topic a record is read from, one String per product (the
     * producer hashes each record's topic name, and a String computes its hash once). Shared by
     * every stream thread of the gate.
     */
    static final class ProductOfIngest implements TopicNameExtractor<byte[], Object> {

        private final Map<String, String> products = new ConcurrentHashMap<>();

        @Override
        public String extract(byte[] key, Object value, RecordContext context) {
            if (context.topic() == null) {
                // a punctuation's record has no topic it is read from: the gate routes those by GateOutput
                throw new IllegalStateException("a record forwarded to " + PRODUCTS + " outside the processing of an ingest record");
            }
            return products.computeIfAbsent(context.topic(), ingest -> ProductAddress.ofIngestTopic(ingest)
                    .orElseThrow(() -> new IllegalStateException("the gate reads only ingest topics, not " + ingest)).topic());
        }
    }

    /**
     * The topology with counters nobody reads (benchmarks, tests that look only at topics).
     *
     * @param config serdes, schemas and limits
     * @return the topology
     */
    public static Topology build(GateConfig config) {
        return build(config, new SimpleMeterRegistry());
    }

    /**
     * @param config serdes, schemas and limits
     * @param meters where the per-product record counts ({@code mesh.gate.records}) go
     * @return the topology
     */
    public static Topology build(GateConfig config, MeterRegistry meters) {
        return build(config, meters, PreparedKeys.thread());
    }

    /**
     * @param config serdes, schemas and limits
     * @param meters where the per-product record counts ({@code mesh.gate.records}) go
     * @param keyWork runs the work of making data keys ready ({@link PreparedKeys}): a thread of
     *        its own, or the stream thread itself in topology tests ({@code Runnable::run})
     * @return the topology
     */
    static Topology build(GateConfig config, MeterRegistry meters, Executor keyWork) {
        var builder = new StreamsBuilder();
        // one of each for all the tasks of this gate: a domain's keys are made ready once, the domains in turn
        var deadLetterKeys = new DeadLetterKeys(new PreparedKeys(config.keys(), keyWork), keyWork, System::currentTimeMillis);
        var seal = new WaitingSeal(config.keys());
        var budget = new WaitingBudget(GateProcessor.DOMAIN_PENDING_RECORDS, GateProcessor.DOMAIN_PENDING_BYTES);
        var contracts = new CompiledContracts(config.schemas(), CompiledContracts.aheadThread());
        // Both stores in memory: they hold a few entries (catalogued products; records waiting for
        // theirs, or for their subjects' keys), so reading their topics back at start costs less than opening RocksDB, which
        // made the gate's start two to three times the start of a stateless app.
        builder.globalTable(MeshTopics.CATALOG, Consumed.with(Serdes.String(), config.serdes().of(DataProduct.class)),
                Materialized.as(Stores.inMemoryKeyValueStore(GLOBAL_CATALOG)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING), Serdes.String(), Serdes.ByteArray()));
        KStream<byte[], Object> checked = builder.stream(ProductAddress.INGEST_TOPICS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                // each task's processor keeps its own counter lookups; the registry gives them all one counter per tags
                .process(() -> new GateProcessor(config, new GateCounters(meters), budget, contracts, deadLetterKeys, seal), PENDING);
        checked.to(new ProductOfIngest(), Produced.<byte[], Object>with(Serdes.ByteArray(),
                Serdes.serdeFrom((topic, value) -> (byte[]) value, (topic, bytes) -> bytes)).withName(PRODUCTS));
        checked.to((key, value, context) -> ((GateOutput) value).topic(), Produced.<byte[], Object>with(Serdes.ByteArray(),
                Serdes.serdeFrom((topic, value) -> ((GateOutput) value).value(), (topic, bytes) -> new GateOutput(topic, bytes)))
                .withName(ROUTED));
        return builder.build();
    }
}
