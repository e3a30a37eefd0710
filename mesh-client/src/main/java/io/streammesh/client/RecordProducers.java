package io.streammesh.client;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Producers of the mesh's own records (registrations, access requests and decisions, audit
 * events): keyed by text, Avro values in the mesh's wire format, acknowledged by every replica,
 * and failing within seconds instead of blocking when the mesh is unreachable or refuses.
 */
public final class RecordProducers {

    private RecordProducers() {
    }

    /**
     * @param clientConfig the acting principal's client config
     * @param clientId how the broker (and the audit) names this client
     * @return a producer; the caller closes it
     */
    public static <T> KafkaProducer<String, T> create(MeshClientConfig clientConfig, String clientId) {
        return new KafkaProducer<>(properties(clientConfig, clientId), new StringSerializer(), MeshSerdes.<T>valueSerializer(clientConfig, true));
    }

    /**
     * Idempotence said outright, not left to Kafka's default: a setting that contradicts it then
     * fails the producer's start instead of quietly turning it off, and a retry after a broker
     * fails over never writes a record twice.
     */
    static Properties properties(MeshClientConfig clientConfig, String clientId) {
        var props = clientConfig.kafka();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }
}
