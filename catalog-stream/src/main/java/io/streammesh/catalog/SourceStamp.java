package io.streammesh.catalog;

import io.streammesh.schema.FreeText;
import io.streammesh.schema.SourcedRecord;
import java.nio.ByteBuffer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

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
 * <p>A record over its writer's rate, which {@link AccessOrder} put behind every other writer's,
 * goes on with its own time back, its value dropped undecoded and {@code overRate} set to
 * {@link #OVER_RATE}: {@link RateReport} counts it and reports it with the others.
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
    /** What {@code overRate} says of one record over its writer's rate, until {@link RateReport} counts it. */
    static final String OVER_RATE = "over its writer's rate";

    private ProcessorContext<String, SourcedRecord> context;

    @Override
    public void init(ProcessorContext<String, SourcedRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a source record without metadata: its topic is unknown"))
                .topic();
        String key = record.key() == null ? NO_KEY : record.key();
        byte[] value = record.value() == null ? new byte[0] : record.value();
        var sourced = SourcedRecord.newBuilder().setSourceTopic(topic);
        if (AccessOrder.behind(record.timestamp())) {
            sourced.setOverRate(OVER_RATE);
            key = FreeText.cut(key, MAX_KEY_LENGTH);
            value = new byte[0];
        } else if (key.length() > MAX_KEY_LENGTH || value.length > MAX_RECORD_BYTES) {
            sourced.setOversized("a key of " + key.length() + " characters and a value of " + value.length + " bytes; at most " + MAX_KEY_LENGTH
                    + " and " + MAX_RECORD_BYTES + " are allowed");
            key = FreeText.cut(key, MAX_KEY_LENGTH);
            value = new byte[0];
        }
        // Headers stay behind: nothing downstream may read what a client wrote beside the value.
        context.forward(record.withKey(key).withValue(sourced.setPayload(ByteBuffer.wrap(value)).build()).withHeaders(new RecordHeaders())
                .withTimestamp(AccessOrder.timeOf(record.timestamp())));
    }
}
