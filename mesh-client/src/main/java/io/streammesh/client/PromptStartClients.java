package io.streammesh.client;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Kafka Streams' own clients, with consumers that do not sit out a whole {@code poll.ms} (100 ms)
 * while an app starts or rebalances. Kafka Streams takes a stateful task up in steps, each ending
 * in a poll: the stream thread's poll that brings the assignment goes on waiting once the new
 * partitions are paused for their stores, a restoration ends each pass with a poll of the restore
 * consumer even when nothing is left to restore, and the stream thread sees restored tasks only
 * after its next poll. For the gate and the views, whose stores hold only what waits (empty
 * changelogs), that was about 0.35 s of each start before the first record.
 *
 * <p>So until the app is {@link KafkaStreams.State#RUNNING} (an active task's restoration always
 * ends before it is) both the stream threads' and the restore consumer polls at most
 * {@link #SETTLING_POLL}. Once it runs, {@code poll.ms} applies as configured: a shorter poll would
 * cost CPU for good to every idle stream thread, and to a state updater that keeps a standby or
 * warm-up replica up to date. With {@code group.protocol=streams} (not the mesh's), Kafka Streams
 * makes the stream threads' consumers itself, and only the restore consumer's poll is shortened.
 */
final class PromptStartClients implements KafkaClientSupplier, KafkaStreams.StateListener {

    /** The longest a consumer's poll waits for records while the app is not running yet. */
    static final Duration SETTLING_POLL = Duration.ofMillis(10);

    /** Whether the app is not running: created, starting or rebalancing. */
    private volatile boolean settling = true;

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        settling = newState != KafkaStreams.State.RUNNING;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return settlingPromptly(config);
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return settlingPromptly(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** @return a consumer whose polls wait at most {@link #SETTLING_POLL} until the app runs */
    private Consumer<byte[], byte[]> settlingPromptly(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()) {
            @Override
            public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
                return super.poll(settling && timeout.compareTo(SETTLING_POLL) > 0 ? SETTLING_POLL : timeout);
            }
        };
    }
}
