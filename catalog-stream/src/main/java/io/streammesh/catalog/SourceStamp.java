package io.streammesh.catalog;

import io.streammesh.schema.SourcedRecord;
import java.nio.ByteBuffer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Wraps each record read from a source topic in a {@link SourcedRecord} naming that topic, as
 * Kafka reports it. The access workflow repartitions its inputs and would lose where they came
 * from; this is the one place that says, and it reads only record metadata, never a header or a
 * field a client could set.
 */
final class SourceStamp implements FixedKeyProcessor<String, byte[], SourcedRecord> {

    private FixedKeyProcessorContext<String, SourcedRecord> context;

    @Override
    public void init(FixedKeyProcessorContext<String, SourcedRecord> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        String topic = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a source record without metadata: its topic is unknown"))
                .topic();
        SourcedRecord sourced = SourcedRecord.newBuilder().setSourceTopic(topic)
                .setPayload(ByteBuffer.wrap(record.value() == null ? new byte[0] : record.value())).build();
        // Headers stay behind: nothing downstream may read what a client wrote beside the value.
        context.forward(record.withValue(sourced).withHeaders(new org.apache.kafka.common.header.internals.RecordHeaders()));
    }
}
