package io.streammesh.connector;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.SubjectId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the erasures domains ask for: every record on {@code mesh.erasures.<domain>} (key =
 * subject id) replaces that subject's data key in {@code mesh.keys.<domain>} with an erasure ({@link SubjectKeys#eraseAll},
 * a poll's erasures of a domain together). The domain is the
 * topic's, which only it (and the platform) may write: no field or header says who asked.
 * At least once (erasing twice changes nothing); a batch that fails is logged and read again.
 */
final class SubjectErasures implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SubjectErasures.class);
    /** The group: under the gate's application id, whose group ACL it holds. */
    static final String GROUP = PlatformApp.GATE.applicationId() + ".erasures";
    private static final Duration POLL = Duration.ofMillis(500);

    private final Consumer<String, String> consumer;
    private final SubjectKeys keys;
    private final Thread thread;
    private volatile boolean closed;
    /** Partitions whose failed batch waits to be tried again, and from when (System.nanoTime); the consumer's thread's alone. */
    private final Map<TopicPartition, Long> retries = new HashMap<>();

    SubjectErasures(MeshClientConfig config, SubjectKeys keys) {
        this(new KafkaConsumer<>(consumerProperties(config), new StringDeserializer(), new StringDeserializer()), keys);
    }

    /**
     * @param consumer a consumer of the erasure topics in {@link #GROUP}, read_committed, without auto commit; this closes it
     * @param keys the keys to erase
     */
    SubjectErasures(Consumer<String, String> consumer, SubjectKeys keys) {
        this.consumer = consumer;
        this.keys = keys;
        this.thread = new Thread(this::run, "mesh-gate-erasures");
        this.thread.setDaemon(true);
        consumer.subscribe(MeshTopics.ERASURE_TOPICS);
        thread.start();
    }

    private static Properties consumerProperties(MeshClientConfig config) {
        Properties props = config.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        // a domain may write its erasure topic in a transaction: one it aborted erases nothing (nor is it audited)
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    private void run() {
        try {
            while (!closed) {
                resumeRetries();
                ConsumerRecords<String, String> records;
                try {
                    records = consumer.poll(POLL);
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // a thread that ended here would apply no domain's erasure until the gate restarts
                    LOG.error("Could not read the erasure topics, trying again in {} ms: {}", POLL.toMillis(), e.getMessage());
                    pause();
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> applied = new HashMap<>();
                for (TopicPartition partition : records.partitions()) {
                    applyInOrder(partition, records.records(partition)).ifPresent(next -> applied.put(partition, next));
                }
                if (!applied.isEmpty()) {
                    commit(applied);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    /**
     * A commit that fails (a rebalance, a broker that does not answer) is logged and the thread goes
     * on: the erasures are applied, and whoever reads them again from the last commit (after a
     * rebalance or a restart) applies them again, which changes nothing.
     */
    private void commit(Map<TopicPartition, OffsetAndMetadata> applied) {
        try {
            consumer.commitSync(applied);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.error("Could not commit the erasures applied on {}; they may be applied again: {}", applied.keySet(), e.getMessage());
        }
    }

    private void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /**
     * Applies what one poll brought of a partition's erasures together ({@link SubjectKeys#eraseAll}):
     * a domain writing thousands of erasures holds the keys every domain shares for one batch a
     * poll, not one erasure after another. If the batch fails, the partition is read from its first
     * record again next poll (erasing twice changes nothing); only what was applied is committed,
     * so one domain's failure never skips another's.
     *
     * @return the offset to commit, if the batch was applied
     */
    private Optional<OffsetAndMetadata> applyInOrder(TopicPartition partition, List<ConsumerRecord<String, String>> records) {
        String domain = partition.topic().substring(MeshTopics.ERASURES_PREFIX.length());
        List<String> subjects = new ArrayList<>(records.size());
        for (ConsumerRecord<String, String> record : records) {
            var problem = SubjectId.problem("the erasure's subject id (its key)", record.key());
            if (problem.isPresent()) {
                // never the platform's own keys (a product's dead-letter key), whatever a domain writes
                LOG.warn("The erasure on {} at offset {} erases nothing: {}", record.topic(), record.offset(), problem.get());
            } else {
                subjects.add(record.key());
            }
        }
        long first = records.get(0).offset();
        long last = records.get(records.size() - 1).offset();
        try {
            int written = subjects.isEmpty() ? 0 : keys.eraseAll(domain, subjects);
            LOG.info("Applied {} erasure records of domain {} (offsets {}-{} of {}): {} erasures written, the rest of subjects "
                    + "erased already or named twice", subjects.size(), domain, first, last, partition, written);
            return Optional.of(new OffsetAndMetadata(last + 1));
        } catch (RuntimeException e) {
            LOG.error("Could not erase subjects of domain {} (offsets {}-{} of {}), trying again: {}", domain, first, last, partition,
                    e.getMessage());
            consumer.seek(partition, first);
            // tried again after a poll's time, not at once: a failing KMS is asked once a second, and under the keys' lock no more
            consumer.pause(List.of(partition));
            retries.put(partition, System.nanoTime() + POLL.toNanos());
            return Optional.empty();
        }
    }

    /** Resumes the partitions whose failed batch is due to be tried again. */
    private void resumeRetries() {
        long now = System.nanoTime();
        List<TopicPartition> due = retries.entrySet().stream().filter(retry -> now - retry.getValue() >= 0).map(Map.Entry::getKey).toList();
        if (!due.isEmpty()) {
            due.forEach(retries::remove);
            // a partition revoked meanwhile is no longer this consumer's to resume
            consumer.resume(due.stream().filter(consumer.assignment()::contains).toList());
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
