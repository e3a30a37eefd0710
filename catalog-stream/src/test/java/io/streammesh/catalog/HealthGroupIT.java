package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Health tracking subscribes to every product topic by pattern, so each product published
 * rebalances the group that reads them: it is a group of its own, and publishing products leaves
 * the catalog's governance and access group (and its REST answers, 503 while it rebalances) alone.
 */
@MeshTest
class HealthGroupIT {

    /** A consumer's rebalances as Prometheus shows them (Micrometer's binding of the consumer coordinator's metrics). */
    private static final Pattern REBALANCES = Pattern.compile(
            "^kafka_consumer_coordinator_rebalance_total\\{[^}]*client_id=\"([^\"]+)\"[^}]*} ([0-9.E]+)$", Pattern.MULTILINE);

    @Test
    void publishingProductsRebalancesHealthTrackingAndNotTheAccessWorkflow(EmbeddedMesh mesh) throws Exception {
        // The domain's ACLs let the catalog's principal read its products' topics.
        mesh.onboarding().addDomain("hg-orders");
        try (CatalogApp catalog = startCatalog(mesh)) {
            // Settled: no rebalance of either group for five seconds (the first joins are over).
            Rebalances before = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(5))
                    .until(() -> rebalances(catalog), new Settled()::test);

            // What publishing does to the topics: a product topic and its DLQ, for each of two products.
            mesh.admin().createTopics(List.of(new NewTopic("hg-orders.placed.v1", 1, (short) 1), new NewTopic("hg-orders.placed.v1.dlq", 1, (short) 1),
                    new NewTopic("hg-orders.shipped.v1", 1, (short) 1), new NewTopic("hg-orders.shipped.v1.dlq", 1, (short) 1))).all().get();

            Rebalances after = await().atMost(Duration.ofSeconds(60))
                    .until(() -> rebalances(catalog), now -> now.health() > before.health());
            // Each group finds new topics on its own metadata refresh (every 5 s): the access group is watched for longer.
            await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rebalances(catalog).access())
                    .as("rebalances of the governance and access group (health's went from %s to %s)", before.health(), after.health())
                    .isEqualTo(before.access()));
        }
    }

    @Test
    void onAMeshWhoseCatalogTrackedHealthItselfHealthTrackingContinuesFromTheCatalogsPositions(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("hg-old");
        var product = new TopicPartition("hg-old.orders.v1", 0);
        mesh.admin().createTopics(List.of(new NewTopic(product.topic(), 1, (short) 1))).all().get();
        try (var producer = new KafkaProducer<>(mesh.clientConfig("mesh-admin").kafka(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(product.topic(), new byte[] {(byte) i})).get();
            }
        }
        // As a catalog app of before left them: its group read the product's 5 records; health tracking never ran as an app.
        mesh.admin().deleteConsumerGroups(List.of(HealthTopology.APPLICATION_ID)).all().toCompletionStage().exceptionally(absent -> null)
                .toCompletableFuture().get();
        mesh.admin().alterConsumerGroupOffsets("mesh-catalog", Map.of(product, new OffsetAndMetadata(5))).all().get();

        try (CatalogApp catalog = startCatalog(mesh)) {
            assertThat(mesh.admin().listConsumerGroupOffsets(HealthTopology.APPLICATION_ID).partitionsToOffsetAndMetadata().get().get(product))
                    .as("health tracking's position on the product, from its first start").isNotNull()
                    .extracting(OffsetAndMetadata::offset).isEqualTo(5L);
        }
    }

    private static CatalogApp startCatalog(EmbeddedMesh mesh) throws Exception {
        return CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), Files.createTempDirectory("health-group-it-"),
                mesh.state().credentials(), 0));
    }

    /** Rebalances so far of the catalog's governance and access consumer, and of health tracking's. */
    private record Rebalances(double access, double health) {
    }

    /** True once the same counts were seen twice in a row, with a consumer of each app among them. */
    private static final class Settled {
        private Rebalances last;

        boolean test(Rebalances now) {
            boolean same = now.equals(last) && now.access() > 0 && now.health() > 0;
            last = now;
            return same;
        }
    }

    private static Rebalances rebalances(CatalogApp catalog) throws Exception {
        String scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(catalog.metricsUrl())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double access = 0;
        double health = 0;
        Matcher consumer = REBALANCES.matcher(scraped);
        while (consumer.find()) {
            String clientId = consumer.group(1);
            double count = Double.parseDouble(consumer.group(2));
            if (clientId.startsWith(HealthTopology.APPLICATION_ID + "-")) {
                health += count;
            } else if (clientId.startsWith("mesh-catalog-")) {
                access += count;
            }
        }
        return new Rebalances(access, health);
    }
}
