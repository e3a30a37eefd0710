package io.streammesh.authorizer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.CreateTopicPolicy.RequestMetadata;
import org.junit.jupiter.api.Test;

class MeshTopicPolicyTest {

    private final MeshTopicPolicy policy = new MeshTopicPolicy();

    @Test
    void aTopicOfUpToAThousandPartitionsMayBeCreated() {
        assertThatCode(() -> policy.validate(new RequestMetadata("orders.x.v1.ingest", 1000, (short) 1, null, Map.of())))
                .doesNotThrowAnyException();
    }

    @Test
    void aWiderTopicIsRefusedNamingTheBound() {
        assertThatThrownBy(() -> policy.validate(new RequestMetadata("orders.x.v1.ingest", 5000, (short) 1, null, Map.of())))
                .isInstanceOf(PolicyViolationException.class)
                .hasMessage("topic orders.x.v1.ingest may have at most 1000 partitions, got 5000");
    }

    @Test
    void aWiderTopicIsRefusedWhenItsPartitionsAreAssignedOneByOne() {
        Map<Integer, List<Integer>> assignments = IntStream.range(0, 1001).boxed().collect(Collectors.toMap(p -> p, p -> List.of(1)));

        assertThatThrownBy(() -> policy.validate(new RequestMetadata("orders.x.v1", null, null, assignments, Map.of())))
                .isInstanceOf(PolicyViolationException.class)
                .hasMessage("topic orders.x.v1 may have at most 1000 partitions, got 1001");
    }
}
