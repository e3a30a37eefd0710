package io.streammesh.connector;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.SubjectId;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the erasures domains ask for: every record on {@code mesh.erasures.<domain>} (key =
 * subject id) replaces that subject's data key in {@code mesh.keys.<domain>} with an erasure ({@link SubjectKeys#erase}). The domain is the
 * topic's, which only it (and the platform) may write: no field or header says who asked.
 * At least once (erasing twice changes nothing); a failure is logged and the record tried again.
 */
final class SubjectErasures implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SubjectErasures.class);
    /** The group: under the gate's application id, whose group ACL it holds. */
    static final String GROUP = PlatformApp.GATE.applicationId() + ".erasures";
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaConsumer<String, String> consumer;
    private final SubjectKeys keys;
    private final Thread thread;
    private volatile boolean closed;

    SubjectErasures(MeshClientConfig config, SubjectKeys keys) {
        Properties props = config.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        // a domain may write its erasure topic in a transaction: one it aborted erases nothing (nor is it audited)
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        this.keys = keys;
        this.thread = new Thread(this::run, "mesh-gate-erasures");
        this.thread.setDaemon(true);
        consumer.subscribe(MeshTopics.ERASURE_TOPICS);
        thread.start();
    }

    private void run() {
        try {
            while (!closed) {
                ConsumerRecords<String, String> records = consumer.poll(POLL);
                Map<TopicPartition, OffsetAndMetadata> applied = new HashMap<>();
                for (TopicPartition partition : records.partitions()) {
                    applyInOrder(partition, records.records(partition)).ifPresent(next -> applied.put(partition, next));
                }
                if (!applied.isEmpty()) {
                    consumer.commitSync(applied);
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
     * Applies one partition's erasures in order up to the first that fails, which is read again
     * next poll; only what was applied is committed, so one domain's failure never skips another's.
     *
     * @return the offset to commit, if any erasure was applied
     */
    private Optional<OffsetAndMetadata> applyInOrder(TopicPartition partition, List<ConsumerRecord<String, String>> records) {
        Optional<OffsetAndMetadata> next = Optional.empty();
        for (ConsumerRecord<String, String> record : records) {
            if (!apply(record)) {
                consumer.seek(partition, record.offset());
                break;
            }
            next = Optional.of(new OffsetAndMetadata(record.offset() + 1));
        }
        return next;
    }

    private boolean apply(ConsumerRecord<String, String> record) {
        String domain = record.topic().substring(MeshTopics.ERASURES_PREFIX.length());
        var problem = SubjectId.problem("the erasure's subject id (its key)", record.key());
        if (problem.isPresent()) {
            // never the platform's own keys (a product's dead-letter key), whatever a domain writes
            LOG.warn("The erasure on {} at offset {} erases nothing: {}", record.topic(), record.offset(), problem.get());
            return true;
        }
        try {
            keys.erase(domain, record.key());
            LOG.info("Erased the data key of a subject of domain {} (offset {} of {})", domain, record.offset(), record.topic());
            return true;
        } catch (RuntimeException e) {
            LOG.error("Could not erase a subject of domain {} (offset {} of {}), trying again: {}", domain, record.offset(),
                    record.topic(), e.getMessage());
            return false;
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
