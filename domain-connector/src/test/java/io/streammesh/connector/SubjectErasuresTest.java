package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.keys.LocalKms;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.MemoryKeyLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate's one erasure thread applies every domain's erasures: a poll or a commit that fails
 * must not end it, or no domain's erasure is applied until the gate restarts. The broker's side
 * (ACLs, read_committed, batches) is tested on the real mesh in FieldEncryptionIT and GateIsolationIT.
 */
class SubjectErasuresTest {

    private static final TopicPartition SHOP = new TopicPartition(MeshTopics.erasures("shop"), 0);

    @TempDir
    Path dir;

    @Test
    void aFailedPollOrCommitDoesNotEndTheErasureThread() throws Exception {
        var keys = new SubjectKeys(new MemoryKeyLog().reader(), new LocalKms(dir.resolve("keks")), LocalKms::uri, d -> 0,
                System::currentTimeMillis);
        keys.dataKey("shop", "c-1");
        keys.dataKey("shop", "c-2");
        var failedCommits = new AtomicInteger();
        var consumer = new MockConsumer<String, String>("earliest") {
            @Override
            public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                if (failedCommits.getAndIncrement() == 0) {
                    throw new CommitFailedException("the group rebalanced");
                }
                super.commitSync(offsets);
            }
        };
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(SHOP));
            consumer.updateBeginningOffsets(Map.of(SHOP, 0L));
        });
        consumer.setPollException(new KafkaException("the broker did not answer"));

        try (var erasures = new SubjectErasures(consumer, keys)) {
            consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(SHOP.topic(), 0, 0, "c-1", "asked")));
            await().atMost(Duration.ofSeconds(30)).until(() -> keys.existing("shop", "c-1").isEmpty());

            consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(SHOP.topic(), 0, 1, "c-2", "asked")));
            await().atMost(Duration.ofSeconds(30)).until(() -> keys.existing("shop", "c-2").isEmpty());
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.committed(Set.of(SHOP)).get(SHOP) != null);

            assertThat(failedCommits).as("the first commit failed, a later one went through").hasValueGreaterThan(1);
            assertThat(consumer.committed(Set.of(SHOP)).get(SHOP).offset()).isEqualTo(2);
        }
    }
}
