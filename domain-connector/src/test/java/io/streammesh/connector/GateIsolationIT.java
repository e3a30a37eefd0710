package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.MeshTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** One domain cannot stall the contract gate for another: attacks through what a domain may configure. */
@MeshTest
class GateIsolationIT {

    @Test
    void aDomainThatMakesItsOwnProductRefuseTheGatesWritesDoesNotStallAnotherDomainsProduct(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig attacker = TestContracts.publishOrders(mesh, "iso-attacker");
        MeshClientConfig victim = TestContracts.publishOrders(mesh, "iso-victim");
        ProductAddress poisoned = ProductAddress.parse("iso-attacker.order-placed.v1");
        ProductAddress other = ProductAddress.parse("iso-victim.order-placed.v1");
        GateIT.admit(mesh, attacker, poisoned);
        GateIT.admit(mesh, victim, other);
        // The domain may alter its own topics' configs: a product that takes no record the gate can write.
        var product = new ConfigResource(ConfigResource.Type.TOPIC, poisoned.topic());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(attacker.kafka())) {
            admin.incrementalAlterConfigs(Map.of(product, List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "16"),
                    AlterConfigOp.OpType.SET)))).all().get();
        }

        try (GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-iso"),
                Duration.ofSeconds(1));
             var attacking = new KafkaProducer<>(attacker.kafka(), new StringSerializer(), new ByteArraySerializer());
             var producing = new KafkaProducer<>(victim.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 6; i++) {
                attacking.send(new ProducerRecord<>(poisoned.ingestTopic(), "p-" + i, bytes(GateIT.json("p-" + i, 5)))).get();
            }
            List<String> keys = IntStream.range(0, 12).mapToObj(i -> "v-" + i).toList();
            for (String key : keys) {
                producing.send(new ProducerRecord<>(other.ingestTopic(), key, bytes(GateIT.json(key, 5)))).get();
            }

            List<ConsumerRecord<String, byte[]>> delivered = GateIT.readCommitted(victim, other.topic(), keys.size());
            assertThat(delivered).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(keys);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
