package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.CatalogBusyException;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshSerdes;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.testing.MeshTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A domain writing its own registrations topic with any client, as a hostile tenant would: what it
 * writes may cost it its own registrations, never the catalog's governance task, which every
 * domain's registrations topic shares.
 */
@MeshTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileRegistrationIT {

    private static final Duration SOON = Duration.ofSeconds(60);
    private static final String ATTACKER = "hostile-tenant";
    private static final String VICTIM = "hostile-victim";
    private static final String OWNER = "hostile-owner";
    private static final String SQUATTER = "hostile-squatter";

    private EmbeddedMesh mesh;
    private CatalogApp catalog;

    @BeforeAll
    void start(EmbeddedMesh mesh) throws Exception {
        this.mesh = mesh;
        catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), Files.createTempDirectory("hostile-it-"),
                mesh.state().credentials(), 0));
        mesh.onboarding().addDomain(ATTACKER);
        mesh.onboarding().addDomain(VICTIM);
        mesh.onboarding().addDomain(OWNER);
        mesh.onboarding().addDomain(SQUATTER);
        Awaitility.ignoreExceptionByDefault(CatalogBusyException.class);
    }

    @AfterAll
    void stop() {
        Awaitility.reset();
        catalog.close();
    }

    /**
     * A tombstone whose key is 600,000 characters fits the registrations topic; the catalog's
     * rejection of it, naming that key as its subject in the record's key and again in its value,
     * would not fit {@code mesh.catalog.rejections}, and a record the catalog cannot write fails its
     * task on every attempt.
     */
    @Test
    void aRegistrationWhoseRejectionWouldNotFitItsTopicIsRejectedAndOtherDomainsStillRegister() throws Exception {
        String hugeKey = ATTACKER + ".x.v1" + "a".repeat(600_000);
        MeshClientConfig attacker = mesh.clientConfig(ATTACKER);
        try (var producer = new KafkaProducer<>(attacker.kafka(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations(ATTACKER), hugeKey, null)).get();
        }

        register(VICTIM, CatalogTopologyTest.customers().setAddress(VICTIM + ".profiles.v1").setDomain(VICTIM).setName("profiles")
                .setOwner(Owner.newBuilder().setTeam("t").setPrincipal("User:" + VICTIM).setContact("c").build()).build());

        JsonNode admitted = await().atMost(SOON).until(() -> api(VICTIM).get("/api/products?domain=" + VICTIM),
                r -> r.path("count").asInt() == 1);
        assertThat(admitted.at("/products/0/address").asText()).isEqualTo(VICTIM + ".profiles.v1");
        JsonNode rejected = await().atMost(SOON).until(() -> api(ATTACKER).get("/api/rejections?domain=" + ATTACKER),
                r -> r.path("count").asInt() == 1);
        assertThat(rejected.at("/rejections/0/reasons/0/rule").asText()).isEqualTo("no-tombstones");
        assertThat(rejected.at("/rejections/0/subject").asText()).hasSizeLessThan(1_000).startsWith(ATTACKER + ".x.v1aaa");
    }

    /**
     * A domain registering another domain's address is rejected, as its own: that rejection must not
     * take the place of the owner's, which the owner's {@code mesh product publish} waits for and
     * which {@code catalog show} prints to everyone as the product's last rejected update.
     */
    @Test
    void anotherDomainsRegistrationOfAnAddressNeitherHidesNorReplacesTheOwnersRejection() {
        String address = OWNER + ".ledger.v1";
        ProductRegistration ledger = CatalogTopologyTest.customers().setAddress(address).setDomain(OWNER).setName("ledger")
                .setOwner(Owner.newBuilder().setTeam("t").setPrincipal("User:" + OWNER).setContact("c").build()).build();
        register(OWNER, ledger);
        await().atMost(SOON).until(() -> api(OWNER).get("/api/products?domain=" + OWNER).path("count").asInt() == 1);
        register(OWNER, ProductRegistration.newBuilder(ledger).setDescription("x").build());
        await().atMost(SOON).until(() -> api(OWNER).get("/api/rejections?subject=" + address), r -> r.path("count").asInt() == 1);

        register(SQUATTER, ProductRegistration.newBuilder(ledger).setDescription("Owned by the squatter now: see squatter.example").build());
        await().atMost(SOON).until(() -> api(SQUATTER).get("/api/rejections?subject=" + address), r -> r.path("count").asInt() == 1);

        JsonNode owners = api(OWNER).get("/api/rejections?subject=" + address);
        assertThat(owners.path("count").asInt()).isEqualTo(1);
        assertThat(owners.at("/rejections/0/reasons/0/rule").asText()).isEqualTo("description");
        assertThat(api(SQUATTER).get("/api/rejections?subject=" + address).at("/rejections/0/domain").asText()).isEqualTo(SQUATTER);
        assertThat(api(SQUATTER).get("/api/products/" + address).at("/lastRejection/reasons/0/rule").asText()).isEqualTo("description");
    }

    private CatalogClient api(String principal) {
        return new CatalogClient(catalog.restUrl(), mesh.clientConfig(principal));
    }

    private void register(String domain, ProductRegistration registration) {
        MeshClientConfig config = mesh.clientConfig(domain);
        try (var producer = new KafkaProducer<>(config.kafka(), new StringSerializer(),
                MeshSerdes.<ProductRegistration>valueSerializer(config, true))) {
            producer.send(new ProducerRecord<>(MeshTopics.registrations(domain), registration.getAddress(), registration)).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
