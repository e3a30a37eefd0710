package io.streammesh.catalog;

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
 * would drop it silently, and it must be refused and audited instead.
 */
final class SourceStamp implements Processor<String, byte[], String, SourcedRecord> {

    /** The key of a record that had none. */
    static final String NO_KEY = "";

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
        SourcedRecord sourced = SourcedRecord.newBuilder().setSourceTopic(topic)
                .setPayload(ByteBuffer.wrap(record.value() == null ? new byte[0] : record.value())).build();
        // Headers stay behind: nothing downstream may read what a client wrote beside the value.
        context.forward(record.withKey(record.key() == null ? NO_KEY : record.key()).withValue(sourced).withHeaders(new RecordHeaders()));
    }
}
