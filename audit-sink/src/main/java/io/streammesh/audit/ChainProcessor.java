package io.streammesh.audit;

import io.streammesh.schema.AuditEvent;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Seals events into the chain of the {@code mesh.audit} partition they go to. Its input is
 * partitioned exactly as {@code mesh.audit} (same key, same partitioner, same count), so the task
 * of input partition p writes only to partition p and keeps that partition's last hash; the store
 * is changelogged under exactly-once, so a restart continues the chain where it was committed.
 */
final class ChainProcessor implements Processor<String, AuditEvent, String, AuditEvent> {

    private final String storeName;
    private ProcessorContext<String, AuditEvent> context;
    private KeyValueStore<Integer, String> lastHashes;

    ChainProcessor(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, AuditEvent> context) {
        this.context = context;
        this.lastHashes = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, AuditEvent> record) {
        int partition = context.recordMetadata().orElseThrow().partition();
        String previous = lastHashes.get(partition);
        AuditEvent event = AuditEvent.newBuilder(record.value())
                .setPrevHash(previous == null ? AuditChain.GENESIS : previous)
                .setHash("")
                .build();
        event.setHash(AuditChain.hashOf(event));
        lastHashes.put(partition, event.getHash());
        context.forward(record.withValue(event));
    }
}
