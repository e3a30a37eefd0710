package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class RecordProducersTest {

    /** On a cluster, a write must survive its leader's loss and its retry must not write it twice (issue 17's cluster mode). */
    @Test
    void theMeshsRecordsAreAcknowledgedByEveryReplicaAndWrittenIdempotently() {
        var config = MeshClientConfig.of("127.0.0.1:9092", "orders", URI.create("http://127.0.0.1:8081/apis/registry/v2"), "pw");

        var props = RecordProducers.properties(config, "orders-requests");

        assertThat(props).containsEntry(ProducerConfig.ACKS_CONFIG, "all").containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "orders-requests");
    }
}
