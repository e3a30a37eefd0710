package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshStreamsTest {

    @TempDir
    Path stateDir;

    @Test
    void appsDoNotPushTheirMetricsToTheBrokerUnlessTheirClientConfigAsks() {
        var plain = MeshClientConfig.of("localhost:9092", "mesh-gate", URI.create("http://localhost:8080/apis/registry/v2"), "secret");
        var asking = new MeshClientConfig(plain.bootstrap(), plain.principal(), plain.registryUrl(), plain.password(),
                Map.of(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "true"));

        assertThat(MeshStreams.exactlyOnce(plain, "an-app", stateDir)).containsEntry(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
        assertThat(MeshStreams.exactlyOnce(asking, "an-app", stateDir)).containsEntry(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "true");
    }

    @Test
    void independentPartitionsTurnOffTaskIdlingAndKeepTheRest() {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "an-app");

        Properties independent = MeshStreams.independentPartitions(props);

        assertThat(independent).isSameAs(props);
        assertThat(new StreamsConfig(withBootstrap(independent)).getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG))
                .isEqualTo(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        assertThat(independent).containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "an-app");
    }

    private static Properties withBootstrap(Properties props) {
        var copy = new Properties();
        copy.putAll(props);
        copy.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        return copy;
    }

    @Test
    void theLocalStateOfTasksWhoseSubTopologyIsGoneIsRemovedAndEveryOtherKept() throws Exception {
        // Sub-topology 0 reads a topic into a table; 1 is a global table's (no tasks).
        var builder = new StreamsBuilder();
        builder.table("in", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("kept"));
        builder.globalTable("global-in", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("global-table"));
        Topology topology = builder.build();
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "an-app");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        Path app = stateDir.resolve("an-app");
        for (String kept : new String[] {"0_0/rocksdb/kept", "0_1", "global/rocksdb/global-table", "kafka-streams-process-metadata"}) {
            Files.createDirectories(app.resolve(kept));
        }
        Files.createDirectories(app.resolve("1_2/rocksdb/health"));
        Files.writeString(app.resolve("1_2/.checkpoint"), "0\n");
        Files.createDirectories(app.resolve("7_0"));

        MeshStreams.forgetRemovedSubtopologies(topology, props);

        assertThat(app.resolve("1_2")).as("a task of a sub-topology whose number is now a global table's").doesNotExist();
        assertThat(app.resolve("7_0")).as("a task of a sub-topology the topology does not have").doesNotExist();
        assertThat(app.resolve("0_0/rocksdb/kept")).exists();
        assertThat(app.resolve("0_1")).exists();
        assertThat(app.resolve("global/rocksdb/global-table")).exists();
        assertThat(app.resolve("kafka-streams-process-metadata")).exists();
    }

    @Test
    void anAppThatNeverRanHereHasNothingToRemove() {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "new-app");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());

        MeshStreams.forgetRemovedSubtopologies(new StreamsBuilder().build(), props);

        assertThat(stateDir.resolve("new-app")).doesNotExist();
    }
}
