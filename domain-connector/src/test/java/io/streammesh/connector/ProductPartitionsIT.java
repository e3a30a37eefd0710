package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.RecordProducers;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.MeshTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A product with more partitions: published wider than any product before it, and republished
 * with more. A domain may neither create its product's topics nor alter them, so the platform
 * creates them once the catalog admits the product and adds the partitions of a later version
 * (the enforcer, to the product, its dead-letter and its ingest topic together), and the
 * contract gate, whose tasks every domain shares, keeps running for every domain.
 */
@MeshTest
class ProductPartitionsIT {

    @Test
    void aProductPublishedWiderThanAnyBeforeAndRepublishedWiderStillFlowsThroughTheGateOnEveryPartition(EmbeddedMesh mesh)
            throws Exception {
        ProductAddress narrow = ProductAddress.parse("part-narrow.order-placed.v1");
        ProductAddress wide = ProductAddress.parse("part-wide.order-placed.v1");
        mesh.onboarding().addDomain("part-narrow");
        MeshClientConfig narrowDomain = mesh.clientConfig("part-narrow");
        try (var publisher = ProductPublisher.connect(narrowDomain)) {
            publisher.publish(contract("part-narrow", "1.0.0", 1));
        }
        GateIT.catalogue(mesh, narrowDomain, narrow);

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-part"),
                     Duration.ofSeconds(1));
             var narrowProducer = new KafkaProducer<>(narrowDomain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            // The gate runs one task, and its changelog one partition, for the one-partition product.
            sendOnceAllowed(narrowProducer, narrow, 0, "n-1");
            assertThat(GateIT.readCommitted(narrowDomain, narrow.topic(), 1)).extracting(ConsumerRecord::key).containsExactly("n-1");

            mesh.onboarding().addDomain("part-wide");
            MeshClientConfig wideDomain = mesh.clientConfig("part-wide");
            try (var publisher = ProductPublisher.connect(wideDomain);
                 var wideProducer = new KafkaProducer<>(wideDomain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
                assertThat(publisher.publish(contract("part-wide", "1.0.0", 3)).changes())
                        .contains("topic part-wide.order-placed.v1.ingest: 3 partitions, retention 1d (created by the platform once the catalog "
                                + "admits this version)");
                assertThat(mesh.admin().listTopics().names().get()).as("not before the catalog admits it")
                        .doesNotContain(wide.topic(), wide.deadLetterTopic(), wide.ingestTopic());
                catalogueWith(mesh, wide, publisher.registration(wide).orElseThrow());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    for (String topic : List.of(wide.topic(), wide.deadLetterTopic(), wide.ingestTopic())) {
                        assertThat(partitions(mesh, topic)).as("%s, created by the enforcer", topic).isEqualTo(3);
                    }
                });
                var configs = mesh.admin().describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, wide.ingestTopic())))
                        .all().get().values().iterator().next();
                assertThat(configs.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo(Long.toString(Duration.ofDays(1).toMillis()));
                sendOnceAllowed(wideProducer, wide, 0, "w-0");
                for (int partition = 1; partition < 3; partition++) {
                    wideProducer.send(new ProducerRecord<>(wide.ingestTopic(), partition, "w-" + partition, order("w-" + partition))).get();
                }
                assertThat(GateIT.readCommitted(wideDomain, wide.topic(), 3)).extracting(ConsumerRecord::key)
                        .containsExactlyInAnyOrder("w-0", "w-1", "w-2");

                assertThat(publisher.publish(contract("part-wide", "1.1.0", 5)).changes()).contains(
                        "topic part-wide.order-placed.v1: partitions 3 -> 5 (added by the platform once the catalog admits this version)",
                        "topic part-wide.order-placed.v1.dlq: partitions 3 -> 5 (added by the platform once the catalog admits this version)",
                        "topic part-wide.order-placed.v1.ingest: partitions 3 -> 5 (added by the platform once the catalog admits this version)");
                assertThat(partitions(mesh, wide.ingestTopic())).as("not before the catalog admits it").isEqualTo(3);
                GateIT.catalogue(mesh, wideDomain, wide);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    for (String topic : List.of(wide.topic(), wide.deadLetterTopic(), wide.ingestTopic())) {
                        assertThat(partitions(mesh, topic)).as(topic).isEqualTo(5);
                    }
                });
                for (int partition = 3; partition < 5; partition++) {
                    wideProducer.send(new ProducerRecord<>(wide.ingestTopic(), partition, "w-" + partition, order("w-" + partition))).get();
                }
                assertThat(GateIT.readCommitted(wideDomain, wide.topic(), 5)).extracting(ConsumerRecord::key)
                        .containsExactlyInAnyOrder("w-0", "w-1", "w-2", "w-3", "w-4");
            }

            narrowProducer.send(new ProducerRecord<>(narrow.ingestTopic(), 0, "n-2", order("n-2"))).get();
            assertThat(GateIT.readCommitted(narrowDomain, narrow.topic(), 2)).extracting(ConsumerRecord::key)
                    .containsExactly("n-1", "n-2");
        }
    }

    @Test
    void aDomainMayNotAddPartitionsToAnotherDomainsProductNorItsOwnAndTheRefusalsAreAudited(EmbeddedMesh mesh) throws Exception {
        TestContracts.publishOrders(mesh, "part-victim");
        MeshClientConfig attacker = TestContracts.publishOrders(mesh, "part-attacker");
        ProductAddress victims = ProductAddress.parse("part-victim.order-placed.v1");
        ProductAddress own = ProductAddress.parse("part-attacker.order-placed.v1");

        try (var admin = Admin.create(attacker.kafka())) {
            for (String topic : List.of(victims.topic(), victims.ingestTopic(), own.topic())) {
                assertThatThrownBy(() -> admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(6))).all().get())
                        .as(topic).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }

        for (String topic : List.of(victims.topic(), victims.ingestTopic(), own.topic())) {
            assertThat(partitions(mesh, topic)).as(topic).isEqualTo(3);
            AuditTopicReader.raw(mesh).awaitEvents(Duration.ofSeconds(60), e -> e.getPrincipal().equals("User:part-attacker")
                    && e.getOperation().equals("ALTER") && e.getResourceName().equals(topic)
                    && e.getDecision() == Decision.DENIED && !e.getProbe());
        }
    }

    @Test
    void aDomainCannotCreateATopicWiderThanTheMeshsBoundAndTheGateKeepsFlowingForOtherDomains(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig victim = TestContracts.publishOrders(mesh, "part-bystander");
        MeshClientConfig attacker = TestContracts.publishOrders(mesh, "part-greedy");
        ProductAddress bystanders = ProductAddress.parse("part-bystander.order-placed.v1");
        GateIT.catalogue(mesh, victim, bystanders);

        try (var admin = Admin.create(attacker.kafka())) {
            for (String topic : List.of("part-greedy.app-changelog", "part-greedy.app-repartition")) {
                assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(topic, 5000, (short) 1))).all().get())
                        .as(topic).cause().isInstanceOf(PolicyViolationException.class)
                        .hasMessage("topic " + topic + " may have at most 1000 partitions, got 5000");
            }
        }
        assertThat(mesh.admin().listTopics().names().get()).doesNotContain("part-greedy.app-changelog", "part-greedy.app-repartition");

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()));
             GateApp gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), Files.createTempDirectory("gate-bound"),
                     Duration.ofSeconds(1));
             var producer = new KafkaProducer<>(victim.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            sendOnceAllowed(producer, bystanders, 0, "b-1");
            assertThat(GateIT.readCommitted(victim, bystanders.topic(), 1)).extracting(ConsumerRecord::key).containsExactly("b-1");
        }
    }

    @Test
    void aCatalogEntryOverTheBoundAdmittedBeforeTheRuleIsNeverWidenedWhileOthersAre(EmbeddedMesh mesh) throws Exception {
        ProductAddress oversize = ProductAddress.parse("part-old.order-placed.v1");
        ProductAddress growing = ProductAddress.parse("part-grow.order-placed.v1");
        MeshClientConfig old = TestContracts.publishOrders(mesh, "part-old");
        MeshClientConfig grow = TestContracts.publishOrders(mesh, "part-grow");
        ProductRegistration registration = GateIT.catalogue(mesh, old, oversize);
        catalogueWith(mesh, oversize, ProductRegistration.newBuilder(registration).setPartitions(50_000).build());
        try (var publisher = ProductPublisher.connect(grow)) {
            publisher.publish(contract("part-grow", "1.1.0", 4));
        }
        GateIT.catalogue(mesh, grow, growing);

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig(PlatformApp.ENFORCER.applicationId()))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(partitions(mesh, growing.ingestTopic())).isEqualTo(4));
            for (String topic : List.of(oversize.topic(), oversize.deadLetterTopic(), oversize.ingestTopic())) {
                assertThat(partitions(mesh, topic)).as(topic).isEqualTo(3);
            }
        }
    }

    /** A catalog entry as one admitted before the catalog bounded partitions. */
    private static void catalogueWith(EmbeddedMesh mesh, ProductAddress address, ProductRegistration registration) throws Exception {
        var entry = DataProduct.newBuilder().setAddress(address.toString()).setDomain(address.domain()).setRegistration(registration)
                .setStatus(ProductStatus.ACTIVE).setFirstPublishedAt(Instant.now()).setUpdatedAt(Instant.now()).build();
        try (KafkaProducer<String, DataProduct> producer = RecordProducers.create(
                mesh.clientConfig(PlatformApp.CATALOG.applicationId()), "partitions-it-catalog")) {
            producer.send(new ProducerRecord<>(MeshTopics.CATALOG, address.toString(), entry)).get();
        }
    }

    private static ProductContract contract(String domain, String version, int partitions) {
        return TestContracts.parse(TestContracts.orderDescriptor(domain, version).replace("partitions: 3", "partitions: " + partitions),
                TestContracts.ORDER_SCHEMA);
    }

    /** The first write waits for the enforcer's ingest WRITE, granted once the catalog has the product. */
    private static void sendOnceAllowed(KafkaProducer<String, byte[]> producer, ProductAddress address, int partition, String key) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                producer.send(new ProducerRecord<>(address.ingestTopic(), partition, key, order(key))).get() != null);
    }

    private static byte[] order(String key) {
        return GateIT.json(key, 5).getBytes(StandardCharsets.UTF_8);
    }

    private static int partitions(EmbeddedMesh mesh, String topic) throws Exception {
        return mesh.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    }
}
