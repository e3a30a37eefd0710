package io.streammesh.catalog;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which access records are over their writer's rate, and the order the access task reads them in.
 * Every principal's requests and decisions share one task, and Kafka Streams takes a task's
 * buffered records lowest timestamp first across its partitions, so a tenant writing its topic
 * faster than the task reads (tiny records, within its byte quota) would hold every later record
 * of every other principal behind its backlog. Each writer (topic) has a {@link WriterRate}: its
 * records within it keep their time; those over it are timed {@link #BEHIND} later, so that the
 * task reads them only when no other writer's record is waiting, and {@link SourceStamp} refuses
 * them unread (they would otherwise queue ahead of everyone on the repartition topic).
 *
 * <p>The times are the broker's: the mesh creates access topics with log-append time and sets it
 * on older meshes' topics at start. (Kafka Streams does not tell an extractor which kind of time a
 * record has.)
 */
final class AccessOrder implements TimestampExtractor {

    /** Added to the time of a record over its writer's rate: far beyond any real time (2^50 ms, some 35,000 years). */
    static final long BEHIND = 1L << 50;
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(AccessOrder.class);

    private final CatalogConfig.AccessRate rate;
    private final Map<String, WriterRate> rates = new ConcurrentHashMap<>();
    private final Map<String, Long> warned = new ConcurrentHashMap<>();

    /** @param rate how many records each writer may have taken in their time */
    AccessOrder(CatalogConfig.AccessRate rate) {
        this.rate = rate;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long at = record.timestamp();
        if (rates.computeIfAbsent(record.topic(), topic -> new WriterRate(rate)).take(at)) {
            return at;
        }
        warn(record.topic());
        // Saturated: a client's own time near the end of time (a topic not yet stamped by the broker) must not wrap to a negative one, which Streams drops.
        return at > Long.MAX_VALUE - BEHIND ? Long.MAX_VALUE : at + BEHIND;
    }

    /** @param timestamp a time this extractor gave @return whether it put the record behind, over its writer's rate */
    static boolean behind(long timestamp) {
        return timestamp >= BEHIND;
    }

    /** @param timestamp a time this extractor gave @return the record's own time */
    static long timeOf(long timestamp) {
        return behind(timestamp) ? timestamp - BEHIND : timestamp;
    }

    private void warn(String topic) {
        long now = System.nanoTime();
        Long last = warned.get(topic);
        if (last == null || now - last > WARN_EVERY.toNanos()) {
            warned.put(topic, now);
            LOG.warn("{} is written faster than {}: the records over it are refused unread", topic, rate);
        }
    }
}
