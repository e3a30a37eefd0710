package io.streammesh.catalog;

import io.streammesh.schema.SourcedRecord;
import io.streammesh.schema.WriterRefusals;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts the access records {@link SourceStamp} marked as over their writer's rate instead of
 * passing them on, and once a second passes on one record per writer in their stead, its
 * {@code overRate} saying how many and when, to be refused and audited: a flood costs one
 * rejection a second, not one a record. Every other record goes on as it came. The counts are
 * kept in a store, so that they commit with the offsets of the records they count and a crash
 * before the report loses none.
 */
final class RateReport implements Processor<String, SourcedRecord, String, SourcedRecord> {

    /** How often the records refused over a writer's rate are reported. */
    static final Duration REPORT_INTERVAL = Duration.ofSeconds(1);

    private final CatalogConfig.AccessRate rate;
    private final String refusalsStore;
    private ProcessorContext<String, SourcedRecord> context;
    private KeyValueStore<String, WriterRefusals> refused;

    /**
     * @param rate the writers' rate {@link AccessOrder} applies, for the reports
     * @param refusalsStore topic → the {@link WriterRefusals} not reported yet
     */
    RateReport(CatalogConfig.AccessRate rate, String refusalsStore) {
        this.rate = rate;
        this.refusalsStore = refusalsStore;
    }

    @Override
    public void init(ProcessorContext<String, SourcedRecord> context) {
        this.context = context;
        this.refused = context.getStateStore(refusalsStore);
        // Wall-clock time: the last report of a flood that stopped goes out without waiting for anyone's next record.
        context.schedule(REPORT_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> report());
    }

    @Override
    public void process(Record<String, SourcedRecord> record) {
        if (!SourceStamp.OVER_RATE.equals(record.value().getOverRate())) {
            context.forward(record);
            return;
        }
        String topic = record.value().getSourceTopic();
        Instant at = Instant.ofEpochMilli(record.timestamp());
        WriterRefusals before = refused.get(topic);
        refused.put(topic, before == null ? new WriterRefusals(1L, at, at, record.key())
                : new WriterRefusals(before.getCount() + 1, before.getFirst(), at.isAfter(before.getLast()) ? at : before.getLast(),
                        before.getFirstKey()));
    }

    private void report() {
        List<KeyValue<String, WriterRefusals>> pending = new ArrayList<>();
        try (var all = refused.all()) {
            all.forEachRemaining(pending::add);
        }
        for (KeyValue<String, WriterRefusals> entry : pending) {
            WriterRefusals over = entry.value;
            context.forward(new Record<>(over.getFirstKey(), SourcedRecord.newBuilder().setSourceTopic(entry.key).setPayload(ByteBuffer.allocate(0))
                    .setOverRate(String.format(Locale.ROOT, "%,d record(s) written from %s to %s, over its writer's rate of %s",
                            over.getCount(), over.getFirst(), over.getLast(), rate))
                    .build(), over.getLast().toEpochMilli()));
            refused.delete(entry.key);
        }
    }
}
