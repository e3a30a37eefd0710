package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
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

    /** Left to Kafka's default, idempotence would quietly be off with such a setting; asked for outright, the producer refuses to start. */
    @Test
    void aSettingThatWouldTurnIdempotenceOffFailsTheProducersStart() {
        var config = MeshClientConfig.of("127.0.0.1:9092", "orders", URI.create("http://127.0.0.1:8081/apis/registry/v2"), "pw");
        var props = RecordProducers.properties(config, "orders-requests");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "6");

        assertThatThrownBy(() -> new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()).close())
                .isInstanceOf(ConfigException.class).hasMessageContaining("idempotent");
    }
}
