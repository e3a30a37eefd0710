package io.streammesh.testing;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.EmbeddedMesh;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Records already in a product, for tests about what reads products (views, grants, audit):
 * written to the product topic as the mesh writes it, by the contract gate's principal, the only
 * one allowed to. A test about producing goes through the gate instead ({@code GateApp}).
 */
public final class ProductRecords {

    private ProductRecords() {
    }

    /**
     * Writes Avro records with the subject's registered schema, in the map's iteration order;
     * returns once the broker has them all.
     *
     * @param mesh the mesh
     * @param topic a product topic (or a dead-letter topic)
     * @param records the records by key
     */
    public static void write(EmbeddedMesh mesh, String topic, Map<String, ? extends GenericRecord> records) {
        MeshClientConfig gate = gate(mesh);
        send(gate, MeshSerdes.<GenericRecord>valueSerializer(gate, false), topic, records);
    }

    /**
     * Writes records of raw bytes, in the map's iteration order; returns once the broker has them all.
     *
     * @param mesh the mesh
     * @param topic a product topic (or a dead-letter topic)
     * @param records the values, as they are, by key
     */
    public static void writeBytes(EmbeddedMesh mesh, String topic, Map<String, byte[]> records) {
        send(gate(mesh), new ByteArraySerializer(), topic, records);
    }

    private static MeshClientConfig gate(EmbeddedMesh mesh) {
        return mesh.clientConfig(PlatformApp.GATE.principal().name());
    }

    private static <V> void send(MeshClientConfig gate, Serializer<V> values, String topic, Map<String, ? extends V> records) {
        var props = gate.kafka();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "test-product-records");
        try (var producer = new KafkaProducer<String, V>(props, new StringSerializer(), values)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (var record : records.entrySet()) {
                sent.add(producer.send(new ProducerRecord<>(topic, record.getKey(), record.getValue())));
            }
            for (Future<RecordMetadata> each : sent) {
                each.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not write to " + topic + " as " + gate.kafkaPrincipal() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        }
    }
}
