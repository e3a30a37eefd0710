package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** No broker: a poll that finds nothing shows how long it waits. */
class PromptStartClientsTest {

    private static final Duration LONG_POLL = Duration.ofSeconds(5);
    private final PromptStartClients clients = new PromptStartClients();

    @Test
    void aRestoreConsumerWaitsOnlyBrieflyForRecordsThatAreNotThereUntilTheAppRuns() {
        try (Consumer<byte[], byte[]> restore = clients.getRestoreConsumer(config("restore"))) {
            assertBriefUntilRunning(restore, new TopicPartition("app-store-changelog", 0));
        }
    }

    @Test
    void aStreamThreadsConsumerWaitsOnlyBrieflyUntilTheAppRunsThenAsLongAsItIsAsked() {
        try (Consumer<byte[], byte[]> main = clients.getConsumer(config("main"))) {
            assertBriefUntilRunning(main, new TopicPartition("product", 0));
            clients.onChange(KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING);
            assertThat(timed(main, LONG_POLL)).as("rebalancing").isLessThan(LONG_POLL.dividedBy(2));
        }
    }

    private void assertBriefUntilRunning(Consumer<byte[], byte[]> consumer, TopicPartition partition) {
        consumer.assign(List.of(partition));
        assertThat(timed(consumer, LONG_POLL)).as("starting").isLessThan(LONG_POLL.dividedBy(2));
        clients.onChange(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
        assertThat(timed(consumer, Duration.ofMillis(300))).as("running").isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    private static Duration timed(Consumer<byte[], byte[]> consumer, Duration timeout) {
        long start = System.nanoTime();
        assertThat(consumer.poll(timeout).isEmpty()).isTrue();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static Map<String, Object> config(String clientId) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1", ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.RECONNECT_BACKOFF_MS_CONFIG, "1000");
    }
}
