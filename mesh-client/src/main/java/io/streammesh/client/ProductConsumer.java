package io.streammesh.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.keys.FieldDecryption;
import io.streammesh.keys.KeyServiceClient;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a product's topic, or one of its views' topics, with its encrypted fields decrypted: the
 * data keys come from the catalog's key service as this consumer's principal (it needs an ACTIVE
 * grant with {@code decrypt} on the product) and are kept for the service's TTL (2 s), so an
 * erasure reaches this consumer within seconds. An erased subject's encrypted fields read as null,
 * named in {@link ProductRecord#erased()}; the consumer never stops for them.
 *
 * <pre>{@code
 * try (var consumer = ProductConsumer.open(analytics, catalogUrl, ProductAddress.parse("orders.order-placed.v1"), "analytics-orders")) {
 *     consumer.kafka().subscribe(List.of("mesh.view.orders.order-placed.v1.analytics"));
 *     for (ProductConsumer.ProductRecord record : consumer.poll(Duration.ofSeconds(1))) {
 *         if (record.isErased()) { ... }            // record.value().get("customerEmail") == null
 *     }
 * }
 * }</pre>
 */
public final class ProductConsumer implements AutoCloseable {

    private final KafkaConsumer<String, GenericRecord> kafka;
    private final FieldDecryption decryption;

    /**
     * One record, decrypted.
     *
     * @param record the record as read (its value still encrypted)
     * @param value its value, encrypted fields decrypted (null for a tombstone)
     * @param erased the encrypted fields read as null because their subject was erased
     */
    public record ProductRecord(ConsumerRecord<String, GenericRecord> record, GenericRecord value, Set<String> erased) {

        /** @return whether some field of it belonged to an erased subject */
        public boolean isErased() {
            return !erased.isEmpty();
        }
    }

    private ProductConsumer(KafkaConsumer<String, GenericRecord> kafka, FieldDecryption decryption) {
        this.kafka = kafka;
        this.decryption = decryption;
    }

    /**
     * @param config the consuming principal's client config (its login is the catalog's too)
     * @param catalogUrl the catalog REST API's base URL, e.g. {@code http://127.0.0.1:8080}
     * @param product the product read, directly or through a view
     * @param group the consumer group of the principal's grant; null to read assigned partitions without one
     * @return a consumer, not yet subscribed: {@link #kafka()} subscribes or assigns
     * @throws MeshException if the catalog does not know the product, or the product encrypts no field
     */
    public static ProductConsumer open(MeshClientConfig config, String catalogUrl, ProductAddress product, String group) {
        var catalog = new CatalogClient(catalogUrl, config);
        return new ProductConsumer(consumer(config, group), decryption(catalog, product));
    }

    /**
     * @param catalog the catalog API as the consuming principal
     * @param product the product
     * @return how its records are decrypted, its keys fetched from the catalog's key service
     * @throws MeshException if the product encrypts no field
     */
    public static FieldDecryption decryption(CatalogClient catalog, ProductAddress product) {
        JsonNode encryption = catalog.get("/api/products/" + product).path("encryption");
        if (!encryption.isObject()) {
            throw new MeshException("product " + product + " encrypts no field: read it without decryption");
        }
        List<String> fields = new ArrayList<>();
        encryption.path("fields").forEach(field -> fields.add(field.asText()));
        return new FieldDecryption(product, encryption.path("subject").asText(), fields,
                new KeyServiceClient(catalog, product, System::currentTimeMillis));
    }

    private static KafkaConsumer<String, GenericRecord> consumer(MeshClientConfig config, String group) {
        Properties props = config.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        Deserializer<GenericRecord> values = MeshSerdes.valueDeserializer(config, false);
        return new KafkaConsumer<>(props, new StringDeserializer(), values);
    }

    /** @return the Kafka consumer underneath, to subscribe, assign, seek and commit */
    public KafkaConsumer<String, GenericRecord> kafka() {
        return kafka;
    }

    /**
     * @param timeout how long to wait for records
     * @return the records, decrypted
     * @throws MeshException if a ciphertext does not decrypt with its subject's key, or the key service refuses this principal
     */
    public List<ProductRecord> poll(Duration timeout) {
        List<ProductRecord> records = new ArrayList<>();
        for (ConsumerRecord<String, GenericRecord> record : kafka.poll(timeout)) {
            if (record.value() == null) {
                records.add(new ProductRecord(record, null, Set.of()));
            } else {
                FieldDecryption.Decrypted decrypted = decryption.decrypt(record.value());
                records.add(new ProductRecord(record, decrypted.value(), decrypted.erased()));
            }
        }
        return records;
    }

    @Override
    public void close() {
        kafka.close();
    }
}
