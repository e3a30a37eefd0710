package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

class KafkaCallsTest {

    @Test
    void aFailureWithoutAMessageIsStillNamed() {
        assertThatThrownBy(() -> KafkaCalls.await(failed(new UnknownTopicOrPartitionException("")), "read the config of topic a.b.v1.dlq"))
                .isInstanceOf(MeshException.class)
                .hasMessage("could not read the config of topic a.b.v1.dlq: no such topic");
        assertThatThrownBy(() -> KafkaCalls.await(failed(new UnknownServerException((String) null)), "read the broker's ACLs"))
                .hasMessage("could not read the broker's ACLs: UnknownServerException");
    }

    @Test
    void aFailureWithAMessageKeepsIt() {
        assertThatThrownBy(() -> KafkaCalls.await(failed(new UnknownServerException("disk full")), "create topic a.b.v1"))
                .hasMessage("could not create topic a.b.v1: disk full");
    }

    private static <T> KafkaFuture<T> failed(Throwable failure) {
        var future = new KafkaFutureImpl<T>();
        future.completeExceptionally(failure);
        return future;
    }
}
