package io.streammesh.enforcer;

import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.client.RecordSerdes;
import io.streammesh.client.WaitingBudget;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ViewStatus;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The policy-enforcer's views: every product topic (a pattern, so new products are picked up)
 * → {@link ViewProcessor}, with the catalog as a global table and a store of the records held
 * until their views are prepared → each record to the view topic it names (or its dead-letter
 * topic, or {@code mesh.view.status}).
 */
final class ViewTopology {

    /** Global table over {@code mesh.catalog}. */
    static final String GLOBAL_CATALOG = "enforcer-catalog";
    /** Product records held until their views are prepared (changelogged, so held exactly once). */
    static final String HELD_RECORDS = "enforcer-held-records";
    /** Product topics, never their dead-letter topics nor the platform's own. */
    static final Pattern PRODUCT_TOPICS = MeshTopics.PRODUCT_TOPICS;

    private ViewTopology() {
    }

    /**
     * @param serdes the serdes of the mesh's records (the catalog, view statuses)
     * @param framing what surrounds the Avro of product and view records (registers view schemas)
     * @param preparation prepares views' topics and schemas off the stream thread
     * @param secret the mesh's view secret
     * @param meters where view counts go
     * @return the topology
     */
    static Topology build(RecordSerdes serdes, RecordFraming framing, ViewPreparation preparation, byte[] secret,
                          MeterRegistry meters) {
        return build(serdes, framing, preparation, secret, null, meters);
    }

    /**
     * @param serdes the serdes of the mesh's records (the catalog, view statuses)
     * @param framing what surrounds the Avro of product and view records (registers view schemas)
     * @param preparation prepares views' topics and schemas off the stream thread
     * @param secret the mesh's view secret
     * @param keys the subjects' data keys, read-only ({@link PreparedKeys#reading}), to open encrypted products' fields in memory; null: none
     * @param meters where view counts go
     * @return the topology
     */
    static Topology build(RecordSerdes serdes, RecordFraming framing, ViewPreparation preparation, byte[] secret, PreparedKeys keys,
                          MeterRegistry meters) {
        var builder = new StreamsBuilder();
        // In memory, as the gate's: the catalog is read again faster than RocksDB opens at each start. Kafka Streams 4.3 reads an
        // in-memory global store from the topic's start whatever offsets a persistent one left checkpointed (ViewAppIT).
        builder.globalTable(MeshTopics.CATALOG, Consumed.with(Serdes.String(), serdes.of(DataProduct.class)),
                Materialized.as(Stores.inMemoryKeyValueStore(GLOBAL_CATALOG)));
        var statuses = serdes.of(ViewStatus.class).serializer();
        var budget = new WaitingBudget(ViewProcessor.DOMAIN_KEY_WAIT_RECORDS, ViewProcessor.DOMAIN_KEY_WAIT_BYTES);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(HELD_RECORDS), Serdes.String(), Serdes.ByteArray()));
        builder.stream(PRODUCT_TOPICS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new ViewProcessor(framing, preparation, HELD_RECORDS, secret, keys, budget, meters, statuses), HELD_RECORDS)
                .to((key, value, context) -> value.topic(),
                        Produced.with(Serdes.ByteArray(), Serdes.serdeFrom((topic, out) -> out.value(), (topic, bytes) -> new ViewOutput(topic, bytes))));
        return builder.build();
    }
}
