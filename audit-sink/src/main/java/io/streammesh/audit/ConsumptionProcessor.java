package io.streammesh.audit;

import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.ConsumerOffsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns observed committed offsets into consumption events: each advance of a group's committed
 * offset on a partition is the range of records it read, {@code [from, to)}. A group seen for
 * the first time read from the partition's start; observations that do not advance (repeats,
 * resets backwards) only move the mark. The count is the records the ledger counted in that range
 * (transaction markers take offsets but are no records); only observations of older ledgers,
 * without a count, fall back to the number of offsets.
 */
final class ConsumptionProcessor implements Processor<String, ConsumerOffsets, String, AuditEvent> {

    private final String storeName;
    private ProcessorContext<String, AuditEvent> context;
    private KeyValueStore<String, Long> committed;

    ConsumptionProcessor(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, AuditEvent> context) {
        this.context = context;
        this.committed = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, ConsumerOffsets> record) {
        ConsumerOffsets offsets = record.value();
        String key = offsets.getConsumerGroup() + "|" + offsets.getTopic() + "|" + offsets.getPartition();
        Long last = committed.get(key);
        long from = last == null ? offsets.getLogStartOffset() : last;
        committed.put(key, offsets.getCommittedOffset());
        if (offsets.getCommittedOffset() > from) {
            AuditEvent event = AuditEvents.consumption(offsets, from, recordsRead(offsets, from));
            context.forward(new Record<>(event.getPrincipal(), event, record.timestamp()));
        }
    }

    private static long recordsRead(ConsumerOffsets offsets, long from) {
        boolean countedThisRange = offsets.getRecords() != null && offsets.getCountedFrom() != null
                && offsets.getCountedFrom() == from;
        return countedThisRange ? offsets.getRecords() : offsets.getCommittedOffset() - from;
    }
}
