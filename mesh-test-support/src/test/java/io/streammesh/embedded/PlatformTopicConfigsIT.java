package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.MeshTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * {@code mesh up} (and {@code mesh platform init}) gives the platform's topics of a mesh from an
 * older version the configs this version added, keeps what an operator set on them, and sets the
 * broker's time on tenants' topics whatever they say.
 */
@MeshTest
class PlatformTopicConfigsIT {

    @Test
    void anOlderMeshsTopicsGetTheConfigsThisVersionAddedAndAnOperatorsOwnStay(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("upgraded");
        // What older meshes had: grants' tombstones kept the broker's default day, a key topic without its cleaning schedule,
        // registrations stamped with the client's time.
        alter(mesh, MeshTopics.ACCESS_GRANTS, new AlterConfigOp(new ConfigEntry("delete.retention.ms", ""), AlterConfigOp.OpType.DELETE));
        alter(mesh, MeshTopics.keys("upgraded"), new AlterConfigOp(new ConfigEntry("max.compaction.lag.ms", ""), AlterConfigOp.OpType.DELETE));
        alter(mesh, MeshTopics.registrations("upgraded"),
                new AlterConfigOp(new ConfigEntry(PlatformTopics.BROKER_TIME_KEY, "CreateTime"), AlterConfigOp.OpType.SET));
        // and an operator's own choice: the raw audit topic kept a day instead of a week.
        alter(mesh, MeshTopics.AUDIT_RAW, new AlterConfigOp(new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET));
        try {
            // the broker applies a change after the controller took it: the older mesh is in place once it describes it so
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(topicOwn(mesh, MeshTopics.ACCESS_GRANTS)).doesNotContainKey("delete.retention.ms");
                assertThat(topicOwn(mesh, MeshTopics.keys("upgraded"))).doesNotContainKey("max.compaction.lag.ms");
                assertThat(topicOwn(mesh, MeshTopics.registrations("upgraded"))).containsEntry(PlatformTopics.BROKER_TIME_KEY, "CreateTime");
                assertThat(topicOwn(mesh, MeshTopics.AUDIT_RAW)).containsEntry("retention.ms", "86400000");
            });

            mesh.onboarding().ensurePlatform();

            assertThat(mesh.onboarding().topicsConfigured()).as("what it reports (mesh platform init prints it)").contains(
                    MeshTopics.ACCESS_GRANTS + " [delete.retention.ms=2592000000]",
                    MeshTopics.keys("upgraded") + " [max.compaction.lag.ms=3600000]",
                    MeshTopics.registrations("upgraded") + " [" + PlatformTopics.BROKER_TIME_KEY + "=LogAppendTime]");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(topicOwn(mesh, MeshTopics.ACCESS_GRANTS)).containsEntry("delete.retention.ms", "2592000000")
                        .containsEntry("cleanup.policy", "compact");
                assertThat(topicOwn(mesh, MeshTopics.keys("upgraded"))).containsAllEntriesOf(PlatformTopics.KEY_LOG);
                assertThat(topicOwn(mesh, MeshTopics.registrations("upgraded"))).containsEntry(PlatformTopics.BROKER_TIME_KEY, "LogAppendTime");
            });
            assertThat(topicOwn(mesh, MeshTopics.AUDIT_RAW)).as("the operator's own").containsEntry("retention.ms", "86400000");
        } finally {
            // the mesh is shared by the tests of this JVM
            alter(mesh, MeshTopics.AUDIT_RAW, new AlterConfigOp(new ConfigEntry("retention.ms", "604800000"), AlterConfigOp.OpType.SET));
        }
    }

    /** An operator's own setting the mesh's would contradict: the broker refuses the mesh's, and mesh up still starts. */
    @Test
    void aConfigTheBrokerRefusesIsLeftAndTheMeshStillStarts(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("tuned");
        String keys = MeshTopics.keys("tuned");
        alter(mesh, keys, new AlterConfigOp(new ConfigEntry("max.compaction.lag.ms", ""), AlterConfigOp.OpType.DELETE));
        alter(mesh, keys, new AlterConfigOp(new ConfigEntry("min.compaction.lag.ms", "7200000"), AlterConfigOp.OpType.SET));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(topicOwn(mesh, keys))
                .doesNotContainKey("max.compaction.lag.ms").containsEntry("min.compaction.lag.ms", "7200000"));

        mesh.onboarding().ensurePlatform();

        assertThat(mesh.onboarding().topicsConfigured()).noneMatch(change -> change.startsWith(keys + " "));
        assertThat(topicOwn(mesh, keys)).as("the operator's, and no max.compaction.lag.ms below it")
                .containsEntry("min.compaction.lag.ms", "7200000").doesNotContainKey("max.compaction.lag.ms");
    }

    private static void alter(EmbeddedMesh mesh, String topic, AlterConfigOp op) throws Exception {
        mesh.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(op))).all().get();
    }

    /** The configs set on the topic itself. */
    private static Map<String, String> topicOwn(EmbeddedMesh mesh, String topic) throws Exception {
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return mesh.admin().describeConfigs(List.of(resource)).all().get().get(resource).entries().stream()
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
    }
}
