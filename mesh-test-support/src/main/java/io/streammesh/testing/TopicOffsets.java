package io.streammesh.testing;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** How far a topic has been written, as the broker says. */
public final class TopicOffsets {

    private TopicOffsets() {
    }

    /**
     * @param admin an admin client allowed to describe the topic
     * @param topic a topic
     * @return the end offsets of its partitions, summed: how many records were ever written to it
     *         (transaction markers included)
     * @throws ExecutionException if the broker refuses or does not know the topic
     * @throws InterruptedException if interrupted while waiting for the broker
     */
    public static long end(Admin admin, String topic) throws ExecutionException, InterruptedException {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        return admin.listOffsets(partitions).all().get().values().stream().mapToLong(ListOffsetsResultInfo::offset).sum();
    }
}
