package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.junit.jupiter.api.Test;

class ProductTopicConfigsTest {

    @Test
    void theMeshOwnsTheRetentionOfTheRegistrationAndDeleteCleanupOnTheThreeTopicsOfAProduct() {
        ProductRegistration registration = registration();
        registration.setRetentionMs(7L * 24 * 3600 * 1000);
        registration.setIngestRetentionMs(3600_000L);

        assertThat(ProductTopicConfigs.of(registration)).containsExactly(
                Map.entry("orders.order-placed.v1", Map.of("retention.ms", "604800000", "cleanup.policy", "delete")),
                Map.entry("orders.order-placed.v1.dlq", Map.of("retention.ms", "604800000", "cleanup.policy", "delete")),
                Map.entry("orders.order-placed.v1.ingest", Map.of("retention.ms", "3600000", "cleanup.policy", "delete")));
    }

    @Test
    void anIngestTopicRegisteredBeforeTheGateKeepsItsRecordsADay() {
        ProductRegistration registration = registration();
        registration.setIngestRetentionMs(null);

        assertThat(ProductTopicConfigs.of(registration).get("orders.order-placed.v1.ingest")).containsEntry("retention.ms", "86400000");
    }

    @Test
    void everyOverrideTheDomainSetIsDeletedAndTheMeshsConfigsSetOnTheTopicWhereTheyAreNot() {
        Config current = new Config(List.of(
                entry("retention.ms", "1000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG),
                entry("max.message.bytes", "16", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("message.timestamp.before.max.ms", "1", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("segment.bytes", "1073741824", ConfigSource.DEFAULT_CONFIG)));

        var changes = ProductTopicConfigs.changes(Map.of("retention.ms", "604800000", "cleanup.policy", "delete"), current);

        assertThat(changes).extracting(op -> op.opType() + " " + op.configEntry().name() + "=" + op.configEntry().value())
                .containsExactlyInAnyOrder("SET retention.ms=604800000", "SET cleanup.policy=delete", "DELETE max.message.bytes=",
                        "DELETE message.timestamp.before.max.ms=");
    }

    @Test
    void aTopicWithTheMeshsConfigsIsLeftAlone() {
        Config current = new Config(List.of(
                entry("retention.ms", "604800000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("cleanup.policy", "delete", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG)));

        List<AlterConfigOp> changes = ProductTopicConfigs.changes(Map.of("retention.ms", "604800000", "cleanup.policy", "delete"), current);

        assertThat(changes).isEmpty();
    }

    private static ConfigEntry entry(String name, String value, ConfigSource source) {
        return new ConfigEntry(name, value, source, false, false, List.of(), ConfigEntry.ConfigType.UNKNOWN, null);
    }

    private static ProductRegistration registration() {
        return ProductRegistration.newBuilder().setAddress("orders.order-placed.v1").setDomain("orders").setName("order-placed")
                .setVersion("1.0.0").setOwner(Owner.newBuilder().setTeam("t").setPrincipal("User:orders").setContact("c").build())
                .setSchemaSubject("orders.order-placed.v1-value").setSchemaContentId(1L).setPublishedAt(Instant.now()).build();
    }
}
