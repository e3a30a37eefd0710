package io.streammesh.catalog;

import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductActivity;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts the records of product topics and their dead-letter topics, per partition, and
 * forwards the counts by address once a second: health needs counts, not copies of every record.
 * Counts in memory since the last forward are lost if the app crashes, a little undercounting
 * in a health metric, never in the products themselves.
 */
final class ActivityCounter implements Processor<byte[], byte[], String, ProductActivity> {


    private final Duration interval;
    private final Map<String, ProductActivity> counts = new HashMap<>();
    private ProcessorContext<String, ProductActivity> context;

    ActivityCounter(Duration interval) {
        this.interval = interval;
    }

    @Override
    public void init(ProcessorContext<String, ProductActivity> context) {
        this.context = context;
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::flush);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElseThrow();
        boolean deadLetter = topic.endsWith(MeshTopics.DEAD_LETTER_SUFFIX);
        String address = deadLetter ? topic.substring(0, topic.length() - MeshTopics.DEAD_LETTER_SUFFIX.length()) : topic;
        ProductActivity activity = counts.computeIfAbsent(address, a -> new ProductActivity(a, 0L, 0L, null));
        if (deadLetter) {
            activity.setDeadLettered(activity.getDeadLettered() + 1);
        } else {
            activity.setRecords(activity.getRecords() + 1);
            Instant at = Instant.ofEpochMilli(record.timestamp());
            if (activity.getLastRecordAt() == null || at.isAfter(activity.getLastRecordAt())) {
                activity.setLastRecordAt(at);
            }
        }
    }

    private void flush(long now) {
        counts.values().forEach(activity -> context.forward(new Record<>(activity.getAddress(), activity, now)));
        counts.clear();
    }
}
