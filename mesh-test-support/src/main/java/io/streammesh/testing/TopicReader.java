package io.streammesh.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a topic the way a test asserts on it: "the first N records, or what came within a
 * deadline", or "everything committed so far". One reader for every integration test, so each
 * test says what it expects, not how to poll for it.
 *
 * <p>A reader is a description (consumer config and deserializers); every read opens its own
 * consumer and closes it before returning, on the calling thread. Authorisation errors propagate:
 * a test that expects a refusal catches them.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TopicReader<K, V> {

    private static final Duration POLL = Duration.ofMillis(200);

    private final Properties consumerConfig;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final Duration settle;

    private TopicReader(Properties consumerConfig, Deserializer<K> keys, Deserializer<V> values, Duration settle) {
        this.consumerConfig = consumerConfig;
        this.keys = keys;
        this.values = values;
        this.settle = settle;
    }

    /**
     * @param consumerConfig the consumer's config as the test wants it (principal, group,
     *        {@code auto.offset.reset}, isolation level); copied, so later changes do not apply
     * @param keys the key deserializer
     * @param values the value deserializer
     * @param <K> the key type
     * @param <V> the value type
     * @return a reader that stops as soon as its condition holds
     */
    public static <K, V> TopicReader<K, V> of(Properties consumerConfig, Deserializer<K> keys, Deserializer<V> values) {
        var copy = new Properties();
        copy.putAll(consumerConfig);
        return new TopicReader<>(copy, keys, values, Duration.ZERO);
    }

    /**
     * @param period how long to keep reading once the condition holds (not after a missed
     *        deadline), so that records that should not be there (duplicates, a second copy after a
     *        crash) show up too
     * @return a copy of this reader that reads on for {@code period}
     */
    public TopicReader<K, V> settlingFor(Duration period) {
        return new TopicReader<>(consumerConfig, keys, values, period);
    }

    /**
     * Subscribes to {@code topic} and reads until {@code count} records came or {@code within}
     * passed, whichever is first (a topic that does not exist yet is waited for).
     *
     * @param topic the topic
     * @param count how many records the test expects
     * @param within how long to wait for them
     * @return the records read, fewer than {@code count} when the deadline passed first
     */
    public List<ConsumerRecord<K, V>> readUntil(String topic, int count, Duration within) {
        return readUntil(topic, records -> records.size() >= count, within);
    }

    /**
     * Subscribes to {@code topic} and reads until {@code done} holds for the records read so far
     * or {@code within} passed, whichever is first (a topic that does not exist yet is waited for).
     *
     * @param topic the topic
     * @param done when the test has what it waits for
     * @param within how long to wait for it
     * @return the records read
     */
    public List<ConsumerRecord<K, V>> readUntil(String topic, Predicate<List<ConsumerRecord<K, V>>> done, Duration within) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(consumerConfig, keys, values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + within.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                pollInto(consumer, records);
            }
            long settled = System.nanoTime() + settle.toNanos();
            while (done.test(records) && System.nanoTime() < settled) {
                pollInto(consumer, records);
            }
        }
        return records;
    }

    /**
     * Everything committed on {@code topic} so far, from the beginning of each partition to its
     * end offset when the read starts (read_committed, no consumer group).
     *
     * @param topic the topic
     * @return its records in partition order
     */
    public List<ConsumerRecord<K, V>> committed(String topic) {
        var config = new Properties();
        config.putAll(consumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, keys, values)) {
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(POLL).forEach(records::add);
            }
        }
        return records;
    }

    private static <K, V> void pollInto(KafkaConsumer<K, V> consumer, List<ConsumerRecord<K, V>> records) {
        try {
            consumer.poll(POLL).forEach(records::add);
        } catch (UnknownTopicOrPartitionException notYet) {
            // The topic is created by the app under test; the deadline bounds the wait.
        }
    }
}
