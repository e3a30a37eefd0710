package io.streammesh.connector;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The contract gate: every product's ingest topic, {@code <address>.ingest} (a pattern, so new
 * products are picked up), with the catalog as a global table → {@link GateProcessor} → each
 * record to its product topic, or to {@code <address>.dlq} with the reason. No repartitioning:
 * a record keeps its key and its ingest partition's order, and the producer partitions it by key
 * on the product topic as any client would.
 */
public final class GateTopology {

    /** Global table over {@code mesh.catalog}. */
    static final String GLOBAL_CATALOG = "gate-catalog";

    private GateTopology() {
    }

    /**
     * @param config serdes, schemas and limits
     * @return the topology
     */
    public static Topology build(GateConfig config) {
        var builder = new StreamsBuilder();
        builder.globalTable(MeshTopics.CATALOG, Consumed.with(Serdes.String(), config.serdes().of(DataProduct.class)),
                Materialized.as(GLOBAL_CATALOG));
        builder.stream(ProductAddress.INGEST_TOPICS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new GateProcessor(config))
                .to((key, value, context) -> value.topic(), Produced.with(Serdes.ByteArray(),
                        Serdes.serdeFrom((topic, out) -> out.value(), (topic, bytes) -> new GateOutput(topic, bytes))));
        return builder.build();
    }
}
