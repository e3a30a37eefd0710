package io.streammesh.audit;

import io.streammesh.client.RecordSerdes;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuditEventType;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductConsumption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Each product's consumers for the catalog's owner inbox and audit page: the consumption events
 * of the ledger summed per product and consumer group ({@code <address>|<group>}) into a
 * {@link ProductConsumption} on the compacted {@link MeshTopics#CONSUMPTION}. The catalog reads
 * that topic (and only the platform and the product's owner see it there), so no second copy of
 * the ledger and no shared store are needed. The sums live in a changelogged store, exactly once
 * like the chain: a restart neither counts a range twice nor loses one.
 */
final class ProductConsumers {

    /** The sums per product and group. */
    static final String TOTALS_STORE = "consumption-totals";

    private ProductConsumers() {
    }

    /**
     * Adds the summing to a topology.
     *
     * @param consumption the ledger's consumption events, keyed by principal
     * @param serdes the serdes of the mesh's records
     */
    static void sum(KStream<String, AuditEvent> consumption, RecordSerdes serdes) {
        Serde<ProductConsumption> totals = serdes.of(ProductConsumption.class);
        consumption.filter((principal, event) -> event.getType() == AuditEventType.CONSUMPTION && event.getProduct() != null)
                .groupBy((principal, event) -> key(event), Grouped.with("consumption-by-product", Serdes.String(), serdes.of(AuditEvent.class)))
                .aggregate(() -> null, (key, event, sum) -> add(sum, event),
                        Materialized.<String, ProductConsumption, KeyValueStore<Bytes, byte[]>>as(TOTALS_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(totals))
                .toStream()
                .to(MeshTopics.CONSUMPTION, Produced.with(Serdes.String(), totals));
    }

    /** @return the key of a product's consumption by a group, {@code <address>|<group>} */
    static String key(AuditEvent event) {
        return event.getProduct() + "|" + event.getConsumerGroup();
    }

    /** @return the sum with one more range read; the first range of a group starts it */
    static ProductConsumption add(ProductConsumption sum, AuditEvent event) {
        List<String> topics = sum == null ? new ArrayList<>() : new ArrayList<>(sum.getTopics());
        if (!topics.contains(event.getResourceName())) {
            topics.add(event.getResourceName());
        }
        long before = sum == null ? 0 : sum.getRecords();
        Instant last = sum == null || event.getEventTime().isAfter(sum.getLastReadAt()) ? event.getEventTime() : sum.getLastReadAt();
        return ProductConsumption.newBuilder()
                .setProduct(event.getProduct())
                .setConsumerGroup(event.getConsumerGroup())
                .setPrincipal(event.getPrincipal())
                .setRecords(before + event.getCount())
                .setTopics(topics)
                .setLastReadAt(last)
                .build();
    }
}
