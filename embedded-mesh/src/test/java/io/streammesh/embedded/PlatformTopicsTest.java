package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.junit.jupiter.api.Test;

class PlatformTopicsTest {

    private static final Map<String, String> WANTED = Map.of("cleanup.policy", "compact", "delete.retention.ms", "2592000000",
            PlatformTopics.BROKER_TIME_KEY, "LogAppendTime");

    @Test
    void aConfigTheTopicHasNoValueOfItsOwnForIsSet() {
        var current = new Config(List.of(topicOwn("cleanup.policy", "compact"), brokerDefault("delete.retention.ms", "86400000"),
                topicOwn(PlatformTopics.BROKER_TIME_KEY, "LogAppendTime")));

        assertThat(set(PlatformTopics.missingConfigs(WANTED, current))).containsExactly(Map.entry("delete.retention.ms", "2592000000"));
    }

    @Test
    void whatAnOperatorSetOnTheTopicStays() {
        var current = new Config(List.of(topicOwn("cleanup.policy", "compact,delete"), topicOwn("delete.retention.ms", "3600000"),
                topicOwn(PlatformTopics.BROKER_TIME_KEY, "LogAppendTime")));

        assertThat(PlatformTopics.missingConfigs(WANTED, current)).isEmpty();
    }

    @Test
    void theBrokersTimeIsSetWhateverTheTopicSays() {
        var current = new Config(List.of(topicOwn("cleanup.policy", "compact"), topicOwn("delete.retention.ms", "2592000000"),
                topicOwn(PlatformTopics.BROKER_TIME_KEY, "CreateTime")));

        assertThat(set(PlatformTopics.missingConfigs(WANTED, current))).containsExactly(Map.entry(PlatformTopics.BROKER_TIME_KEY, "LogAppendTime"));
    }

    @Test
    void aConfigTheBrokerDoesNotDescribeIsSet() {
        assertThat(set(PlatformTopics.missingConfigs(Map.of("cleanup.policy", "compact"), new Config(List.of()))))
                .containsExactly(Map.entry("cleanup.policy", "compact"));
    }

    private static List<Map.Entry<String, String>> set(List<AlterConfigOp> ops) {
        assertThat(ops).allMatch(op -> op.opType() == AlterConfigOp.OpType.SET);
        return ops.stream().map(op -> Map.entry(op.configEntry().name(), op.configEntry().value())).toList();
    }

    private static ConfigEntry topicOwn(String name, String value) {
        return new ConfigEntry(name, value, ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, false, false, List.of(), null, null);
    }

    private static ConfigEntry brokerDefault(String name, String value) {
        return new ConfigEntry(name, value, ConfigEntry.ConfigSource.DEFAULT_CONFIG, false, false, List.of(), null, null);
    }
}
