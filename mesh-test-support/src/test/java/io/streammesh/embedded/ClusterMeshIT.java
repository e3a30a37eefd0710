package io.streammesh.embedded;

import io.streammesh.client.PlatformApp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.authorizer.AuditingAuthorizer;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** {@code mesh up --brokers 3}: three KRaft nodes, every topic in three copies, and one broker may stop. */
@MeshTest(brokers = 3)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterMeshIT {

    @Test
    void threeBrokersFormTheControllerQuorumAndEachAuthenticatesAndAuditsAlike(EmbeddedMesh mesh) throws Exception {
        QuorumInfo quorum = mesh.admin().describeMetadataQuorum().quorumInfo().get();
        assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactlyInAnyOrder(1, 2, 3);

        for (int node : mesh.brokers().nodeIds()) {
            var resource = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(node));
            Config config = mesh.admin().describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("authorizer.class.name").value()).as("broker %s", node).isEqualTo(AuditingAuthorizer.class.getName());
            assertThat(config.get("listener.security.protocol.map").value()).as("broker %s", node)
                    .isEqualTo("CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
            assertThat(config.get("sasl.enabled.mechanisms").value()).as("broker %s", node).isEqualTo("PLAIN,SCRAM-SHA-512");
            assertThat(config.get("default.replication.factor").value()).as("broker %s", node).isEqualTo("3");
            assertThat(config.get("min.insync.replicas").value()).as("broker %s", node).isEqualTo("2");
            // Timeouts for nodes sharing one loaded machine: Kafka's 2 s made the quorum elect leader after leader in CI.
            assertThat(config.get("controller.quorum.fetch.timeout.ms").value()).as("broker %s", node).isEqualTo("10000");
            assertThat(config.get("broker.session.timeout.ms").value()).as("broker %s", node).isEqualTo("30000");
        }
        // What a timed-out platform call reports about the cluster.
        assertThat(QuorumReport.of(mesh.admin()))
                .matches("metadata quorum: leader [123] at epoch \\d+, high watermark \\d+, voters [123]@\\d+ [123]@\\d+ [123]@\\d+; "
                        + "brokers seen: \\[1, 2, 3\\]");
        System.out.printf("cluster: voters %s, brokers %s; %s%n", quorum.voters().size(), mesh.brokers().runningNodeIds(),
                QuorumReport.of(mesh.admin()));
    }

    @Test
    void aPrincipalWithoutAclsIsRefusedByEachBrokerAlone(EmbeddedMesh mesh) throws Exception {
        mesh.admin().createTopics(List.of(new NewTopic("cluster-acl.records.v1", Optional.of(3), Optional.empty()))).all().get();
        mesh.onboarding().addPrincipal("cluster-stranger", PrincipalKind.TEAM);
        MeshClientConfig stranger = mesh.clientConfig("cluster-stranger");

        for (String broker : mesh.endpoints().bootstrapServers().split(",")) {
            MeshClientConfig viaOneBroker = new MeshClientConfig(broker, stranger.principal(), stranger.registryUrl(), stranger.password(),
                    stranger.extra());
            assertThatThrownBy(() -> MeshClients.produce(viaOneBroker, "cluster-acl.records.v1", "k", "v"))
                    .as("through %s", broker)
                    .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void everyTopicOfTheMeshHasThreeCopiesAndAWriteNeedsTwo(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("cluster-shop");
        MeshClients.produce(mesh.clientConfig("cluster-shop"), MeshTopics.registrations("cluster-shop"), "warm", "up");
        // as the policy-enforcer creates a catalogued product's topics
        try (var admin = Admin.create(MeshClients.quick(mesh.clientConfig(PlatformApp.ENFORCER.applicationId())))) {
            admin.createTopics(List.of(new NewTopic("cluster-shop.orders.v1", Optional.of(3), Optional.empty()))).all().get();
        }
        List<String> topics = List.of(MeshTopics.CATALOG, MeshTopics.ACCESS_GRANTS, MeshTopics.AUDIT_RAW, MeshTopics.AUDIT,
                MeshTopics.registrations("cluster-shop"), MeshTopics.decisions("cluster-shop"),
                MeshTopics.accessRequests("cluster-shop"), "cluster-shop.orders.v1", "__consumer_offsets");

        // A topic just created may not have reached the metadata of the broker that answers yet.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Map<String, TopicDescription> described = mesh.admin().describeTopics(topics).allTopicNames().get();
            for (String topic : topics) {
                assertThat(described.get(topic).partitions()).as(topic)
                        .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3));
                assertThat(minInSyncReplicas(mesh.admin(), topic)).as(topic).isEqualTo("2");
            }
        });
        System.out.printf("cluster: %d topics checked, each partition 3 replicas, min.insync.replicas 2%n", topics.size());
    }

    @Test
    @Timeout(180)
    void aStoppedLeaderLosesNoAcknowledgedWriteAndRejoinsInSync(EmbeddedMesh mesh) throws Exception {
        String topic = "cluster-restart.records.v1";
        mesh.admin().createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
        MeshClientConfig admin = mesh.clientConfig("mesh-admin");
        for (int i = 0; i < 50; i++) {
            MeshClients.produce(admin, topic, "k-" + i, "before-" + i);
        }
        int leader = partition(mesh, topic).leader().id();

        mesh.brokers().stop(leader);
        try {
            for (int i = 50; i < 100; i++) {
                MeshClients.produce(admin, topic, "k-" + i, "during-" + i);
            }
            assertThat(partition(mesh, topic).leader().id()).as("a new leader").isNotEqualTo(leader);
        } finally {
            mesh.brokers().start(leader);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> partition(mesh, topic).isr().size() == 3);

        List<String> read = MeshClients.readAll(admin, topic, "cluster-restart-check", 100);
        assertThat(read).hasSize(100).doesNotHaveDuplicates();
        assertThat(read).containsAll(IntStream.range(0, 50).mapToObj(i -> "before-" + i).toList())
                .containsAll(IntStream.range(50, 100).mapToObj(i -> "during-" + i).toList());
        System.out.printf("cluster: leader %d stopped and restarted; 100 acknowledged, 100 read once; in sync %s%n", leader,
                partition(mesh, topic).isr().size());
    }

    /**
     * Last, as it stops the class's cluster. Each broker's controlled shutdown needs the controller
     * quorum's acknowledgement: the brokers stop while every controller still runs, so closing never
     * leaves a node waiting (five minutes) for a quorum that stopped, still running in the JVM when
     * its directory is deleted.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    @Timeout(150)
    void closingTheClusterStopsEveryNodeWithoutWaitingForAGoneQuorum(EmbeddedMesh mesh) {
        mesh.brokers().close();

        assertThat(mesh.brokers().runningNodeIds()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).extracting(Thread::getName)
                .noneMatch(name -> name.matches("(broker-role|node)-\\d+-stop"));
    }

    private static TopicPartitionInfo partition(EmbeddedMesh mesh, String topic) throws Exception {
        return mesh.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(0);
    }

    private static String minInSyncReplicas(Admin admin, String topic) throws Exception {
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Collection<Config> configs = admin.describeConfigs(List.of(resource)).all().get().values();
        return configs.iterator().next().get("min.insync.replicas").value();
    }
}
