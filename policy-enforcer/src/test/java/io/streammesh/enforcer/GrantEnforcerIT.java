package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.ClientConfigs;
import io.streammesh.client.RecordProducers;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Grants become broker ACLs on the real broker: a team reads only while its grant is ACTIVE. */
@MeshTest
class GrantEnforcerIT {

    @Test
    void aTeamReadsOnlyWhileItsGrantIsActive(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("enf-shop");
        mesh.onboarding().ensurePrincipal("enf-team", PrincipalKind.TEAM);
        String topic = "enf-shop.orders.v1";
        produce(mesh.clientConfig("enf-shop"), topic);
        Properties team = mesh.clientConfig("enf-team");

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            assertThat(canRead(team, topic)).as("no grant yet").isFalse();

            publish(mesh, grant("g-enf-1", topic, GrantStatus.ACTIVE));
            await().atMost(Duration.ofSeconds(5)).until(() -> canRead(team, topic));

            publish(mesh, grant("g-enf-1", topic, GrantStatus.REVOKED));
            await().atMost(Duration.ofSeconds(5)).until(() -> !canRead(team, topic));
        }
    }

    @Test
    void onStartAnAclOfAGrantThatNoLongerExistsIsRemovedAndAHandMadeOneIsLeftAlone(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().ensurePrincipal("enf-orphan", PrincipalKind.TEAM);
        Grant gone = grant("g-enf-gone", "enf-shop.gone.v1", GrantStatus.ACTIVE);
        gone.setPrincipal("User:enf-orphan");
        AclBinding orphan = GrantAcls.of(gone).get(0);
        AclBinding handMade = GrantAcls.of(grant("g-none", "enf-shop.by-hand.v1", GrantStatus.ACTIVE)).get(0);
        mesh.admin().createAcls(List.of(orphan, handMade)).all().get();
        try (var ledger = new KafkaProducer<>(ClientConfigs.kafkaOnly(mesh.clientConfig("mesh-enforcer")), new StringSerializer(), new StringSerializer())) {
            mesh.admin().createTopics(List.of(new NewTopic(GrantEnforcer.LEDGER_TOPIC, 1, (short) 1)));
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                ledger.send(new ProducerRecord<>(GrantEnforcer.LEDGER_TOPIC, GrantAcls.key(orphan), "g-enf-gone")).get();
                return true;
            });
        }

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            var acls = mesh.admin().describeAcls(AclBindingFilter.ANY).values().get();
            assertThat(acls).doesNotContain(orphan).contains(handMade);
        }
    }

    private static Grant grant(String id, String topic, GrantStatus status) {
        return Grant.newBuilder().setGrantId(id).setRequestId(id).setPrincipal("User:enf-team").setProduct(topic).setView("full")
                .setConsumerGroup("enf-team").setTopic(topic).setPurpose("test").setStatus(status).setApprovedBy("User:enf-shop")
                .setGrantedAt(Instant.now()).setExpiresAt(Instant.now().plusSeconds(3600)).build();
    }

    private static void publish(EmbeddedMesh mesh, Grant grant) throws Exception {
        try (KafkaProducer<String, Grant> producer = RecordProducers.create(mesh.clientConfig("mesh-catalog"), "test-grants")) {
            producer.send(new ProducerRecord<>(MeshTopics.ACCESS_GRANTS, grant.getGrantId(), grant)).get();
        }
    }

    private static void produce(Properties domain, String topic) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(ClientConfigs.kafkaOnly(domain))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (var producer = new KafkaProducer<>(ClientConfigs.kafkaOnly(domain), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
        }
    }

    private static boolean canRead(Properties team, String topic) {
        var props = ClientConfigs.kafkaOnly(team);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "enf-team");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        try {
            return !TopicReader.of(props, new StringDeserializer(), new StringDeserializer())
                    .readUntil(topic, 1, Duration.ofSeconds(3)).isEmpty();
        } catch (AuthorizationException e) {
            return false;
        }
    }
}
