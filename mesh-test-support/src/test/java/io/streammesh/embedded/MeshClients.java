package io.streammesh.embedded;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.testing.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients for tests, configured from a principal's written client config. */
final class MeshClients {

    private MeshClients() {
    }

    static MeshClientConfig plain(MeshClientConfig scram) {
        String jaas = scram.kafka().getProperty("sasl.jaas.config")
                .replace("org.apache.kafka.common.security.scram.ScramLoginModule", "org.apache.kafka.common.security.plain.PlainLoginModule");
        return scram.with("sasl.mechanism", "PLAIN").with("sasl.jaas.config", jaas);
    }

    static MeshClientConfig withPassword(MeshClientConfig config, String password) {
        return new MeshClientConfig(config.bootstrap(), config.principal(), config.registryUrl(), new MeshClientConfig.Secret(password), config.extra());
    }

    static MeshClientConfig withUser(MeshClientConfig config, String user) {
        return new MeshClientConfig(config.bootstrap(), user, config.registryUrl(), config.password(), config.extra());
    }

    static Properties quick(MeshClientConfig config) {
        var props = config.kafka();
        props.put("default.api.timeout.ms", "15000");
        props.put("request.timeout.ms", "10000");
        return props;
    }

    static void produce(MeshClientConfig config, String topic, String key, String value) throws Exception {
        var props = quick(config);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        try (var producer = new KafkaProducer<String, String>(props)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    static List<String> readAll(MeshClientConfig config, String topic, String group, int expected) {
        var props = quick(config);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return TopicReader.of(props, new StringDeserializer(), new StringDeserializer())
                .readUntil(topic, expected, Duration.ofSeconds(30)).stream().map(ConsumerRecord::value).toList();
    }

    static void createTopic(MeshClientConfig config, String topic) throws Exception {
        try (var admin = Admin.create(quick(config))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }
}
