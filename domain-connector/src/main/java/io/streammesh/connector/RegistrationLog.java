package io.streammesh.connector;

import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.RecordProducers;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A domain's registrations topic, {@code mesh.registrations.<domain>}: read back the latest per address, append new ones. */
final class RegistrationLog {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrationLog.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final MeshClientConfig clientConfig;

    RegistrationLog(MeshClientConfig clientConfig) {
        this.clientConfig = clientConfig;
    }

    /**
     * @param address a product address
     * @return the latest registration of it, if its domain's topic has one
     */
    Optional<ProductRegistration> latest(ProductAddress address) {
        return Optional.ofNullable(readAll(address.domain()).get(address.toString()));
    }

    /** @return the latest registration of every address of a domain */
    Map<String, ProductRegistration> readAll(String domain) {
        String topic = MeshTopics.registrations(domain);
        var props = clientConfig.kafka();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mesh-registrations-reader");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        // as the catalog reads them: a registration written in a transaction that was aborted is none
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, ProductRegistration> latest = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
             var deserializer = MeshSerdes.<ProductRegistration>valueDeserializer(clientConfig, true)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new MeshException("could not read " + topic + " to its end within " + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    decode(deserializer, record).ifPresentOrElse(r -> latest.put(record.key(), r), () -> latest.remove(record.key()));
                }
            }
        } catch (AuthorizationException e) {
            throw new MeshException("refused by the broker: " + clientConfig.kafkaPrincipal() + " may not read "
                    + topic + " (only " + MeshNames.kafkaPrincipal(domain) + " may); act as the domain's principal", e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new MeshException("the broker at " + props.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + " did not answer while trying to read " + topic + " (" + e.getMessage() + "); is the mesh running?", e);
        }
        return latest;
    }

    private Optional<ProductRegistration> decode(org.apache.kafka.common.serialization.Deserializer<ProductRegistration> deserializer,
                                                 ConsumerRecord<String, byte[]> record) {
        String registryUrl = MeshSerdes.registryUrl(clientConfig);
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(deserializer.deserialize(record.topic(), record.value()));
        } catch (RuntimeException e) {
            if (SchemaRegistry.isOutage(e)) {
                // not a verdict on the record: without its schema, no registration can be read
                throw new SchemaRegistry.Unreachable("the schema registry at " + registryUrl + " does not answer ("
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ") while trying to read " + record.topic()
                        + "; is the mesh running?", e);
            }
            LOG.warn("Skipping {}-{}@{}: not a ProductRegistration ({})", record.topic(), record.partition(), record.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Appends a registration and waits until the broker has it.
     *
     * @param registration the registration
     */
    void append(ProductRegistration registration) {
        String topic = MeshTopics.registrations(registration.getDomain());
        try (KafkaProducer<String, ProductRegistration> producer = RecordProducers.create(clientConfig, "mesh-publisher")) {
            producer.send(new ProducerRecord<>(topic, registration.getAddress(), registration)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                throw new MeshException("refused by the broker: " + clientConfig.kafkaPrincipal() + " may not write "
                        + topic + " (only " + MeshNames.kafkaPrincipal(registration.getDomain()) + " may)", e.getCause());
            }
            throw new MeshException("could not write the registration to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new MeshException("could not write the registration to " + topic + " within 30 s: is the mesh running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while writing the registration", e);
        }
    }
}
