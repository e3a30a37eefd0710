package io.streammesh.keys;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The key logs on the broker: {@code mesh.keys.<domain>}, read without a consumer group (assigned
 * partitions, from the start) and written with an idempotent producer, acks from every in-sync
 * replica. Only platform principals hold ACLs on these topics. The consumer and the producer are
 * made on first use, so that a holder whose products encrypt nothing (a gate or enforcer of a mesh
 * without encryption) keeps no clients, and starts without making them. A read catches up on the
 * domain asked for only, the other domains' partitions paused: another domain's read no longer
 * has to read a long log (millions of subjects) to its end first, though it still waits for the
 * lock such a read holds, up to {@code CALL_TIMEOUT} a turn. Used by one thread at a time
 * ({@link SubjectKeys} calls it under its lock).
 */
public final class KafkaKeyLog implements KeyLog {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final MeshClientConfig config;
    private final boolean writes;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    /** Each domain's key-log partitions, once it was read. */
    private final Map<String, List<TopicPartition>> partitions = new HashMap<>();

    /** @param config a platform principal's client config */
    public KafkaKeyLog(MeshClientConfig config) {
        this(config, true);
    }

    private KafkaKeyLog(MeshClientConfig config, boolean writes) {
        this.config = config;
        this.writes = writes;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        if (consumer == null) {
            Properties consumerProps = config.kafka();
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        }
        return consumer;
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties producerProps = config.kafka();
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            // Each entry is waited for before the next is written: there is no batch to wait for, and Kafka 4's
            // default linger (5 ms) held every new subject's key, and the gate's stream thread creating it, that long.
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /**
     * A key log that is only read, for a holder that decrypts and never creates nor erases a key
     * (the policy-enforcer's views): its principal needs READ on the key topics, no WRITE.
     *
     * @param config a platform principal's client config
     * @return the key log; {@link #write} refuses
     */
    public static KafkaKeyLog reader(MeshClientConfig config) {
        return new KafkaKeyLog(config, false);
    }

    @Override
    public boolean writes() {
        return writes;
    }

    /** @throws KeyLogUnavailable if a key topic cannot be read now (missing, refused, or the broker does not answer) */
    @Override
    public void catchUp(String domain, Entry entries) {
        try {
            read(domain, entries);
        } catch (KafkaException e) {
            throw new KeyLogUnavailable("cannot read " + MeshTopics.keys(domain) + ": " + e.getMessage(), e);
        }
    }

    private void read(String domain, Entry entries) {
        KafkaConsumer<String, byte[]> reader = consumer();
        List<TopicPartition> own = partitions.get(domain);
        if (own == null) {
            List<PartitionInfo> infos = reader.partitionsFor(MeshTopics.keys(domain), CALL_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new KeyLogUnavailable("key topic " + MeshTopics.keys(domain) + " does not exist: onboard the domain again (mesh domain add "
                        + domain + ")", null);
            }
            own = infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            List<TopicPartition> assigned = new ArrayList<>(reader.assignment());
            assigned.addAll(own);
            // the partitions already assigned keep their positions
            reader.assign(assigned);
            partitions.put(domain, own);
        }
        // Only this domain's log: another's, long to read (a domain with millions of subjects), is read when it is asked for.
        Set<TopicPartition> others = new HashSet<>(reader.assignment());
        own.forEach(others::remove);
        reader.pause(others);
        try {
            Map<TopicPartition, Long> ends = reader.endOffsets(own, CALL_TIMEOUT);
            long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
            while (behind(ends)) {
                if (System.nanoTime() > deadline) {
                    throw new KeyLogUnavailable(MeshTopics.keys(domain) + " was not read to its end within " + CALL_TIMEOUT.toSeconds() + " s",
                            null);
                }
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(100))) {
                    entries.accept(record.topic().substring(MeshTopics.KEYS_PREFIX.length()), record.key(), record.value());
                }
            }
        } finally {
            reader.resume(others);
        }
    }

    private boolean behind(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().anyMatch(end -> consumer().position(end.getKey(), CALL_TIMEOUT) < end.getValue());
    }

    /** @throws KeyLogUnavailable if the entry was not acknowledged (refused, or the broker does not answer) */
    @Override
    public void write(String domain, String subject, byte[] value) {
        send(domain, subject, value);
    }

    /**
     * The key logs are written without transactions, so offsets on a partition follow one another:
     * an entry at the offset this log's reader stands at is the first thing written there since it
     * last read.
     *
     * @throws KeyLogUnavailable if the entry was not acknowledged (refused, or the broker does not answer)
     */
    @Override
    public boolean writeNext(String domain, String subject, byte[] value) {
        RecordMetadata written = send(domain, subject, value);
        var partition = new TopicPartition(written.topic(), written.partition());
        try {
            if (!partitions.containsKey(domain) || !consumer().assignment().contains(partition)
                    || consumer().position(partition, CALL_TIMEOUT) != written.offset()) {
                return false;
            }
        } catch (KafkaException e) {
            throw new KeyLogUnavailable("cannot read " + MeshTopics.keys(domain) + ": " + e.getMessage(), e);
        }
        consumer().seek(partition, written.offset() + 1);
        return true;
    }

    /**
     * As {@link #writeNext}, for entries sent together: they are the next on their partitions when
     * each partition's entries stand one after another from where this log's reader stands.
     *
     * @throws KeyLogUnavailable if an entry was not acknowledged (refused, or the broker does not answer)
     */
    @Override
    public boolean writeAllNext(String domain, Map<String, byte[]> entries) {
        checkWrites(domain);
        var sent = new ArrayList<Future<RecordMetadata>>(entries.size());
        entries.forEach((subject, value) -> sent.add(producer().send(new ProducerRecord<>(MeshTopics.keys(domain), subject, value))));
        var written = new LinkedHashMap<TopicPartition, List<Long>>();
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        for (Future<RecordMetadata> each : sent) {
            RecordMetadata metadata = acknowledged(domain, each, deadline);
            written.computeIfAbsent(new TopicPartition(metadata.topic(), metadata.partition()), p -> new ArrayList<>()).add(metadata.offset());
        }
        try {
            if (!partitions.containsKey(domain)) {
                return false;
            }
            for (var partition : written.entrySet()) {
                List<Long> offsets = partition.getValue();
                if (!consumer().assignment().contains(partition.getKey())
                        || consumer().position(partition.getKey(), CALL_TIMEOUT) != offsets.get(0)
                        || offsets.get(offsets.size() - 1) - offsets.get(0) != offsets.size() - 1) {
                    return false;
                }
            }
        } catch (KafkaException e) {
            throw new KeyLogUnavailable("cannot read " + MeshTopics.keys(domain) + ": " + e.getMessage(), e);
        }
        written.forEach((partition, offsets) -> consumer().seek(partition, offsets.get(offsets.size() - 1) + 1));
        return true;
    }

    private void checkWrites(String domain) {
        if (!writes) {
            throw new MeshException("this holder only reads " + MeshTopics.keys(domain) + ": it creates and erases no data key");
        }
    }

    private static RecordMetadata acknowledged(String domain, Future<RecordMetadata> sent, long deadline) {
        try {
            return sent.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while writing to " + MeshTopics.keys(domain), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new KeyLogUnavailable("cannot write to " + MeshTopics.keys(domain) + ": " + cause.getMessage(), cause);
        }
    }

    private RecordMetadata send(String domain, String subject, byte[] value) {
        checkWrites(domain);
        return acknowledged(domain, producer().send(new ProducerRecord<>(MeshTopics.keys(domain), subject, value)),
                System.nanoTime() + CALL_TIMEOUT.toNanos());
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close();
        }
        if (producer != null) {
            producer.close();
        }
    }
}
