package io.streammesh.keys;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
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
 * replica. Only platform principals hold ACLs on these topics. Each domain's log is read by a
 * consumer of its own, made when the domain is first read, and used by one thread at a time: a
 * domain whose log is long to read (millions of subjects), or whose topic does not answer (up to
 * {@code CALL_TIMEOUT} a call), holds up no other domain's read or write. The producer, shared, is
 * made on first write, so that a holder whose products encrypt nothing (a gate or enforcer of a mesh
 * without encryption) keeps no clients, and starts without making them. Thread-safe; a domain's
 * entries are read and written in the order its callers take turns ({@link SubjectKeys} calls it
 * under the domain's lock).
 */
public final class KafkaKeyLog implements KeyLog {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final MeshClientConfig config;
    private final boolean writes;
    /** Each domain's reader, once it was read or written. */
    private final Map<String, DomainReader> readers = new ConcurrentHashMap<>();
    private KafkaProducer<String, byte[]> producer;
    private boolean closed;

    /** One domain's consumer and partitions, used under its own lock. */
    private static final class DomainReader {
        /** Volatile: {@link #close} wakes it up without the reader's lock, which a read that hangs holds. */
        private volatile KafkaConsumer<String, byte[]> consumer;
        private List<TopicPartition> partitions;
        private boolean closed;
    }

    /** @param config a platform principal's client config */
    public KafkaKeyLog(MeshClientConfig config) {
        this(config, true);
    }

    private KafkaKeyLog(MeshClientConfig config, boolean writes) {
        this.config = config;
        this.writes = writes;
    }

    /** Under the reader's lock: its consumer, made on first use. */
    private KafkaConsumer<String, byte[]> consumer(String domain, DomainReader reader) {
        if (reader.closed) {
            throw new KeyLogUnavailable("cannot read " + MeshTopics.keys(domain) + ": the key log is closed", null);
        }
        if (reader.consumer == null) {
            Properties consumerProps = config.kafka();
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            reader.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        }
        return reader.consumer;
    }

    private DomainReader reader(String domain) {
        DomainReader reader = readers.computeIfAbsent(domain, d -> new DomainReader());
        synchronized (this) {
            if (closed) {
                reader.closed = true;
            }
        }
        return reader;
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (closed) {
            throw new KeyLogUnavailable("cannot write to the key logs: the key log is closed", null);
        }
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
        DomainReader reader = reader(domain);
        synchronized (reader) {
            try {
                read(domain, reader, entries);
            } catch (KafkaException e) {
                throw new KeyLogUnavailable("cannot read " + MeshTopics.keys(domain) + ": " + e.getMessage(), e);
            }
        }
    }

    private void read(String domain, DomainReader reader, Entry entries) {
        KafkaConsumer<String, byte[]> consumer = consumer(domain, reader);
        if (reader.partitions == null) {
            List<PartitionInfo> infos = consumer.partitionsFor(MeshTopics.keys(domain), CALL_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                // no consumer kept for a domain without a key topic: made again when it is read again
                consumer.close();
                reader.consumer = null;
                throw new KeyLogUnavailable("key topic " + MeshTopics.keys(domain) + " does not exist: onboard the domain again (mesh domain add "
                        + domain + ")", null);
            }
            reader.partitions = infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(reader.partitions);
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(reader.partitions, CALL_TIMEOUT);
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (behind(consumer, ends)) {
            if (System.nanoTime() > deadline) {
                throw new KeyLogUnavailable(MeshTopics.keys(domain) + " was not read to its end within " + CALL_TIMEOUT.toSeconds() + " s",
                        null);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                entries.accept(domain, record.key(), record.value());
            }
        }
    }

    private static boolean behind(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey(), CALL_TIMEOUT) < end.getValue());
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
        return readPast(domain, Map.of(new TopicPartition(written.topic(), written.partition()), List.of(written.offset())));
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
        return readPast(domain, written);
    }

    /**
     * Moves the domain's reader past entries just written, where they stand right where it stands
     * (nothing came between): then they are the next a read would find.
     *
     * @param written per partition, the offsets written, in order
     * @return whether it moved past them (else the caller reads past them)
     */
    private boolean readPast(String domain, Map<TopicPartition, List<Long>> written) {
        DomainReader reader = reader(domain);
        synchronized (reader) {
            try {
                if (reader.partitions == null) {
                    return false;
                }
                KafkaConsumer<String, byte[]> consumer = consumer(domain, reader);
                for (var partition : written.entrySet()) {
                    List<Long> offsets = partition.getValue();
                    if (!reader.partitions.contains(partition.getKey())
                            || consumer.position(partition.getKey(), CALL_TIMEOUT) != offsets.get(0)
                            || offsets.get(offsets.size() - 1) - offsets.get(0) != offsets.size() - 1) {
                        return false;
                    }
                }
                written.forEach((partition, offsets) -> consumer.seek(partition, offsets.get(offsets.size() - 1) + 1));
                return true;
            } catch (KafkaException e) {
                throw new KeyLogUnavailable("cannot read " + MeshTopics.keys(domain) + ": " + e.getMessage(), e);
            }
        }
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

    /** Closes the producer and each domain's consumer, a read that hangs woken up first. */
    @Override
    public void close() {
        KafkaProducer<String, byte[]> made;
        synchronized (this) {
            closed = true;
            made = producer;
        }
        // outside the lock: the in-flight entries may take their time, and no domain's reader waits for them
        if (made != null) {
            made.close();
        }
        readers.values().forEach(reader -> {
            KafkaConsumer<String, byte[]> reading = reader.consumer;
            if (reading != null) {
                reading.wakeup();
            }
            synchronized (reader) {
                reader.closed = true;
                if (reader.consumer != null) {
                    reader.consumer.close();
                }
            }
        });
    }
}
