package io.streammesh.testing;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.ProductTopicConfigs;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A product's three topics as the policy-enforcer creates them once the catalog admits the
 * product (as its principal, with the latest registration's partitions and retention), for tests
 * that run neither: a domain may not create them itself.
 */
public final class CataloguedTopics {

    private CataloguedTopics() {
    }

    /**
     * Creates those of the product's topics that are missing; changes none that exist.
     *
     * @param mesh the mesh
     * @param address a product
     * @return false, creating nothing, if its domain has published no registration of it
     */
    public static boolean create(EmbeddedMesh mesh, ProductAddress address) {
        Optional<ProductRegistration> published = latest(mesh, address);
        if (published.isEmpty()) {
            return false;
        }
        ProductRegistration registration = published.get();
        List<NewTopic> topics = ProductTopicConfigs.of(registration).entrySet().stream()
                .map(topic -> new NewTopic(topic.getKey(), Optional.of(registration.getPartitions()), Optional.empty()).configs(topic.getValue()))
                .toList();
        try (Admin enforcer = Admin.create(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()).kafka())) {
            KafkaCalls.createMissing(enforcer, topics);
        }
        return true;
    }

    private static Optional<ProductRegistration> latest(EmbeddedMesh mesh, ProductAddress address) {
        MeshClientConfig admin = mesh.clientConfig("mesh-admin");
        var reader = TopicReader.of(admin.kafka(), new StringDeserializer(), MeshSerdes.<ProductRegistration>valueDeserializer(admin, true));
        ProductRegistration latest = null;
        for (ConsumerRecord<String, ProductRegistration> record : reader.committed(MeshTopics.registrations(address.domain()))) {
            if (address.toString().equals(record.key()) && record.value() != null) {
                latest = record.value();
            }
        }
        return Optional.ofNullable(latest);
    }
}
