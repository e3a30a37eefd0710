package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshException;
import org.junit.jupiter.api.Test;

class ReplicationTest {

    @Test
    void oneBrokerKeepsOneCopyAndThreeOrMoreKeepThreeWithTwoInSync() {
        assertThat(Replication.forBrokers(1)).isEqualTo(Replication.SINGLE);
        assertThat(Replication.forBrokers(3)).isEqualTo(new Replication(3, 2));
        assertThat(Replication.forBrokers(5)).isEqualTo(new Replication(3, 2));
    }

    @Test
    void theBrokerDefaultsCarryTheReplicationToEveryTopicKafkaCreates() {
        assertThat(BrokerSettings.replicated(new Replication(3, 2)))
                .containsEntry("default.replication.factor", "3")
                .containsEntry("min.insync.replicas", "2")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2");
        assertThat(BrokerSettings.singleNode()).containsEntry("default.replication.factor", "1").containsEntry("min.insync.replicas", "1");
    }

    @Test
    void refusesAReplicationThatCannotAcknowledgeAWrite() {
        assertThatThrownBy(() -> new Replication(2, 3))
                .isInstanceOf(MeshException.class)
                .hasMessage("replication 2 with min.insync.replicas 3 cannot acknowledge a write (need 1 <= min.insync.replicas <= replication)");
    }
}
