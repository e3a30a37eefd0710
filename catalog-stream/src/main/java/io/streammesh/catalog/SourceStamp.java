package io.streammesh.catalog;

import io.streammesh.schema.FreeText;
import io.streammesh.schema.SourcedRecord;
import io.streammesh.schema.WriterRefusals;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Wraps each record read from a source topic in a {@link SourcedRecord} naming that topic, as
 * Kafka reports it. The access workflow repartitions its inputs and would lose where they came
 * from; this is the one place that says, and it reads only record metadata, never a header or a
 * field a client could set.
 *
 * <p>A record without a key goes on under the empty key ({@link #NO_KEY}): the repartition
 * would drop it silently, and it must be refused and audited instead. A record whose key or value
 * is far bigger than a request or decision ever is goes on with its key cut, its value dropped and
 * the sizes said ({@code oversized}), to be refused: passed on whole, its stamp would not fit the
 * repartition topic, and a record the task cannot write fails it on every attempt.
 *
 * <p>Every principal's requests and decisions share one task, so each writer (topic) gets a
 * {@link WriterRate}: the records over it are dropped here, before anything is decoded, stored or
 * repartitioned, and once a second one record per writer goes on in their stead ({@code overRate},
 * their count and times), to be refused and audited. A tenant flooding its request topic at its
 * byte quota so costs the others the reading of its records, not their processing.
 */
final class SourceStamp implements Processor<String, byte[], String, SourcedRecord> {

    /** The key of a record that had none. */
    static final String NO_KEY = "";
    /** Longest key of an access record (a request id), in characters. */
    static final int MAX_KEY_LENGTH = 200;
    /**
     * Largest value of an access record (one request or decision), in bytes: a request at its
     * limits (an id of 200 characters, names of 249, a purpose of 500, each character up to three
     * bytes, and its principals) is under 5 KiB, and what a bigger record would cost the task every principal shares (stored,
     * changelogged, quoted in its rejection) is not spent.
     */
    static final int MAX_RECORD_BYTES = 8 * 1024;
    /** How often the records refused over a writer's rate are reported. */
    static final Duration REPORT_INTERVAL = Duration.ofSeconds(1);

    private final CatalogConfig.AccessRate rate;
    private final String refusalsStore;
    private final Map<String, WriterRate> rates = new HashMap<>();
    private ProcessorContext<String, SourcedRecord> context;
    private KeyValueStore<String, WriterRefusals> refused;

    /**
     * @param rate how many records each writer may put through
     * @param refusalsStore topic → the {@link WriterRefusals} not reported yet: a store, so that
     *        the counts commit with the offsets of the records they count
     */
    SourceStamp(CatalogConfig.AccessRate rate, String refusalsStore) {
        this.rate = rate;
        this.refusalsStore = refusalsStore;
    }

    @Override
    public void init(ProcessorContext<String, SourcedRecord> context) {
        this.context = context;
        this.refused = context.getStateStore(refusalsStore);
        // The buckets start full after a restart: at most one burst more than the rate, never a record refused twice.
        rates.clear();
        // Wall-clock time: the last report of a flood that stopped goes out without waiting for anyone's next record.
        context.schedule(REPORT_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> reportRefused());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a source record without metadata: its topic is unknown"))
                .topic();
        String key = record.key() == null ? NO_KEY : record.key();
        if (!rates.computeIfAbsent(topic, t -> new WriterRate(rate)).take(record.timestamp())) {
            Instant at = Instant.ofEpochMilli(record.timestamp());
            WriterRefusals before = refused.get(topic);
            refused.put(topic, before == null ? new WriterRefusals(1L, at, at, FreeText.cut(key, MAX_KEY_LENGTH))
                    : new WriterRefusals(before.getCount() + 1, before.getFirst(), at.isAfter(before.getLast()) ? at : before.getLast(),
                            before.getFirstKey()));
            return;
        }
        byte[] value = record.value() == null ? new byte[0] : record.value();
        var sourced = SourcedRecord.newBuilder().setSourceTopic(topic);
        if (key.length() > MAX_KEY_LENGTH || value.length > MAX_RECORD_BYTES) {
            sourced.setOversized("a key of " + key.length() + " characters and a value of " + value.length + " bytes; at most " + MAX_KEY_LENGTH
                    + " and " + MAX_RECORD_BYTES + " are allowed");
            key = FreeText.cut(key, MAX_KEY_LENGTH);
            value = new byte[0];
        }
        // Headers stay behind: nothing downstream may read what a client wrote beside the value.
        context.forward(record.withKey(key).withValue(sourced.setPayload(ByteBuffer.wrap(value)).build()).withHeaders(new RecordHeaders()));
    }

    private void reportRefused() {
        List<KeyValue<String, WriterRefusals>> pending = new ArrayList<>();
        try (var all = refused.all()) {
            all.forEachRemaining(pending::add);
        }
        for (KeyValue<String, WriterRefusals> entry : pending) {
            WriterRefusals over = entry.value;
            context.forward(new Record<>(over.getFirstKey(), SourcedRecord.newBuilder().setSourceTopic(entry.key).setPayload(ByteBuffer.allocate(0))
                    .setOverRate(String.format("%,d record(s) written from %s to %s, over its writer's rate of %s a second in bursts of %,d",
                            over.getCount(), over.getFirst(), over.getLast(),
                            BigDecimal.valueOf(rate.recordsPerSecond()).stripTrailingZeros().toPlainString(), rate.burst()))
                    .build(), over.getLast().toEpochMilli()));
            refused.delete(entry.key);
        }
    }
}
