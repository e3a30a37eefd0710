package io.streammesh.enforcer;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.RecordProducers;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewAccess;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Catalog entries and orders for the view tests: a product with an analytics view that drops DE and masks two PII fields. */
final class ViewAppITCatalog {

    private ViewAppITCatalog() {
    }

    static Schema orderSchema() throws java.io.IOException {
        try (java.io.InputStream in = ViewAppITCatalog.class.getResourceAsStream("/schemas/demo/orders/order-placed.avsc")) {
            return new Schema.Parser().parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Registers the schema, creates the product topic (3 partitions) and puts the product in the catalog. */
    static long publishWithTopic(EmbeddedMesh mesh, String address, String domain, Schema schema) throws Exception {
        long contentId;
        try (var registry = io.streammesh.client.SchemaRegistry.connect(mesh.clientConfig(domain))) {
            contentId = registry.register(address + "-value", schema.toString()).contentId();
        }
        mesh.admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(address, 3, (short) 1))).all().get();
        publish(mesh, address, domain, contentId);
        return contentId;
    }

    static void publish(EmbeddedMesh mesh, String address, String domain, long contentId) throws Exception {
        put(mesh, product(address, domain, contentId, Map.of("customerEmail", "hash", "shippingAddress", "redact")));
    }

    /** Puts a product straight into the catalog, as governance would have admitted it (no publish-time checks). */
    static void put(EmbeddedMesh mesh, DataProduct product) throws Exception {
        try (KafkaProducer<String, DataProduct> producer = RecordProducers.create(mesh.clientConfig("mesh-catalog"), "test-catalog")) {
            producer.send(new ProducerRecord<>(MeshTopics.CATALOG, product.getAddress(), product)).get();
        }
    }

    static DataProduct product(String address, String domain, long contentId, Map<String, String> masks) {
        var registration = ProductRegistration.newBuilder().setAddress(address).setDomain(domain).setName(address.split("\\.")[1])
                .setVersion("1.0.0").setOwner(Owner.newBuilder().setTeam("t").setPrincipal("User:" + domain).setContact("c").build())
                .setSchemaSubject(address + "-value").setSchemaContentId(contentId)
                .setViews(List.of(ProductView.newBuilder().setName("analytics").setAccess(ViewAccess.OWNER_APPROVAL)
                        .setFilter("record.country != 'DE'").setMasks(masks).build()))
                .setPublishedAt(Instant.now()).build();
        return DataProduct.newBuilder().setAddress(address).setDomain(domain).setRegistration(registration)
                .setStatus(ProductStatus.ACTIVE).setFirstPublishedAt(Instant.now()).setUpdatedAt(Instant.now()).build();
    }

    static GenericRecord order(Schema schema, String id, String country) {
        GenericRecord order = new GenericData.Record(schema);
        order.put("orderId", id);
        order.put("customerId", "c-1");
        order.put("customerEmail", "ann@example.com");
        order.put("shippingAddress", "1 Main Street");
        order.put("country", country);
        order.put("amount", 10.0);
        order.put("currency", "EUR");
        order.put("items", 1);
        order.put("placedAt", 1_795_600_800_000L);
        return order;
    }
}
