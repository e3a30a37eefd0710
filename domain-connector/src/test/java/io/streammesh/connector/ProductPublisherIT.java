package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ViewSchemas;
import io.streammesh.testing.CataloguedTopics;
import io.streammesh.testing.MeshTest;
import io.streammesh.schema.ProductAddress;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

@MeshTest
class ProductPublisherIT {

    @Test
    void aNewRetentionIsLeftToThePlatformWhichAppliesItOnceTheCatalogAdmitsTheVersion(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("pub-retain");
        try (var publisher = ProductPublisher.connect(mesh.clientConfig("pub-retain"))) {
            publisher.publish(TestContracts.orders("pub-retain", "1.0.0"));
            CataloguedTopics.create(mesh, ProductAddress.parse("pub-retain.order-placed.v1"));
            String descriptor = TestContracts.orderDescriptor("pub-retain", "1.1.0").replace("retention: 30d", "retention: 7d");

            PublishReport report = publisher.publish(TestContracts.parse(descriptor, TestContracts.ORDER_SCHEMA));

            assertThat(report.changes()).contains(
                    "topic pub-retain.order-placed.v1: retention -> 7d (applied by the platform once the catalog admits this version)",
                    "topic pub-retain.order-placed.v1.dlq: retention -> 7d (applied by the platform once the catalog admits this version)");
        }
        var config = mesh.admin().describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "pub-retain.order-placed.v1")))
                .all().get().values().iterator().next();
        assertThat(config.get("retention.ms").value()).as("the domain changes no topic config").isEqualTo(Long.toString(30L * 24 * 3600 * 1000));
    }

    @Test
    void publishingRegistersSchemaAndRegistrationLeavesTheTopicsToThePlatformAndRepublishingChangesNothing(EmbeddedMesh mesh)
            throws Exception {
        mesh.onboarding().addDomain("pub-first");
        var contract = TestContracts.orders("pub-first", "1.0.0");

        try (var publisher = ProductPublisher.connect(mesh.clientConfig("pub-first"))) {
            PublishReport first = publisher.publish(contract);
            assertThat(first.changes()).hasSize(5)
                    .contains("topic pub-first.order-placed.v1: 3 partitions, retention 30d (created by the platform once the catalog admits "
                            + "this version)", "topic pub-first.order-placed.v1.ingest: 3 partitions, retention 1d (created by the platform "
                            + "once the catalog admits this version)")
                    .anyMatch(c -> c.startsWith("topic pub-first.order-placed.v1.dlq: 3 partitions"))
                    .anyMatch(c -> c.startsWith("schema pub-first.order-placed.v1-value version 1"))
                    .anyMatch(c -> c.startsWith("registration pub-first.order-placed.v1 1.0.0 written to mesh.registrations.pub-first"));
            assertThat(mesh.admin().listTopics().names().get()).as("a domain creates none of its product's topics")
                    .noneMatch(topic -> topic.startsWith("pub-first."));

            CataloguedTopics.create(mesh, contract.address());
            PublishReport again = publisher.publish(contract);
            assertThat(again.changed()).as("republish: %s", again.changes()).isFalse();
            assertThat(again.unchanged()).hasSize(5);

            var registration = publisher.registration(contract.address()).orElseThrow();
            assertThat(registration.getVersion()).isEqualTo("1.0.0");
            assertThat(registration.getPiiFields()).containsExactly("customerEmail", "shippingAddress");
            assertThat(registration.getQualityRules()).hasSize(3);
            assertThat(registration.getPublishedBy()).isEqualTo("User:pub-first");
        }
        try (var registry = SchemaRegistry.connect(mesh.clientConfig("pub-first"))) {
            assertThat(registry.latest("pub-first.order-placed.v1-value")).get()
                    .satisfies(s -> assertThat(s.content()).contains("\"pii\":true"));
        }
    }

    @Test
    void aMinorVersionEvolvesTheSchemaInPlaceAndANewMajorPublishesBesideIt(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("pub-evolve");
        try (var publisher = ProductPublisher.connect(mesh.clientConfig("pub-evolve"))) {
            publisher.publish(TestContracts.orders("pub-evolve", "1.0.0"));

            String withCoupon = TestContracts.ORDER_SCHEMA.replace("{\"name\": \"items\"",
                    "{\"name\": \"coupon\", \"type\": [\"null\", \"string\"], \"default\": null},\n    {\"name\": \"items\"");
            var minor = publisher.publish(TestContracts.parse(TestContracts.orderDescriptor("pub-evolve", "1.1.0"), withCoupon));
            assertThat(minor.changes()).anyMatch(c -> c.startsWith("schema pub-evolve.order-placed.v1-value version 2"))
                    .anyMatch(c -> c.startsWith("registration pub-evolve.order-placed.v1 1.1.0"));

            String incompatible = TestContracts.ORDER_SCHEMA.replace("\"name\": \"amount\", \"type\": \"double\"", "\"name\": \"amount\", \"type\": \"string\"");
            var major = publisher.publish(TestContracts.parse(TestContracts.orderDescriptor("pub-evolve", "2.0.0")
                    .replace("record.amount > 0", "record.amount != ''"), incompatible));
            assertThat(major.changes()).anyMatch(c -> c.startsWith("topic pub-evolve.order-placed.v2: 3 partitions"));

            assertThat(publisher.registration(ProductAddress.parse("pub-evolve.order-placed.v1")).orElseThrow().getVersion()).isEqualTo("1.1.0");
            assertThat(publisher.registration(ProductAddress.parse("pub-evolve.order-placed.v2")).orElseThrow().getVersion()).isEqualTo("2.0.0");
            assertThatThrownBy(() -> publisher.publish(TestContracts.orders("pub-evolve", "1.0.1")))
                    .hasMessage("pub-evolve.order-placed.v1 is published at version 1.1.0; the contract's 1.0.1 is older: raise its version");
        }
    }

    @Test
    void anIncompatibleSchemaIsRefusedWithTheRegistrysReasonAndNothingIsCreated(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("pub-compat");
        try (var publisher = ProductPublisher.connect(mesh.clientConfig("pub-compat"))) {
            publisher.publish(TestContracts.orders("pub-compat", "1.0.0"));
            CataloguedTopics.create(mesh, ProductAddress.parse("pub-compat.order-placed.v1"));
            String changedType = TestContracts.ORDER_SCHEMA.replace("\"name\": \"amount\", \"type\": \"double\"",
                    "\"name\": \"amount\", \"type\": \"string\"")
                    .replace("\"name\": \"items\", \"type\": \"int\"}", "\"name\": \"items\", \"type\": \"int\"},\n    {\"name\": \"extra\", \"type\": \"string\"}");
            String descriptor = TestContracts.orderDescriptor("pub-compat", "1.1.0").replace("partitions: 3", "partitions: 4")
                    .replace("record.amount > 0", "record.amount != ''");

            assertThatThrownBy(() -> publisher.publish(TestContracts.parse(descriptor, changedType)))
                    .isInstanceOf(MeshException.class)
                    .hasMessageStartingWith("the registry refused to accept the schema of pub-compat.order-placed.v1-value: ")
                    .hasMessageContaining("reader type: STRING not compatible with writer type: DOUBLE at /fields/5/type (amount)");
            assertThat(publisher.registration(ProductAddress.parse("pub-compat.order-placed.v1")).orElseThrow().getVersion()).isEqualTo("1.0.0");
        }
        assertThat(mesh.admin().describeTopics(List.of("pub-compat.order-placed.v1")).allTopicNames().get()
                .get("pub-compat.order-placed.v1").partitions()).as("topic untouched").hasSize(3);
        try (var registry = SchemaRegistry.connect(mesh.clientConfig("pub-compat"))) {
            assertThat(registry.latest("pub-compat.order-placed.v1-value").orElseThrow().version()).isEqualTo("1");
        }
    }

    @Test
    void aVersionWhoseViewSchemaItsReadersCannotFollowIsRefusedNamingTheViewAndField(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("pub-views");
        ProductContract first = TestContracts.orders("pub-views", "1.0.0");
        ProductAddress address = first.address();
        try (var publisher = ProductPublisher.connect(mesh.clientConfig("pub-views"));
             var enforcerRegistry = SchemaRegistry.connect(mesh.clientConfig("mesh-enforcer"))) {
            publisher.publish(first);
            ProductContract.View analytics = first.views().stream().filter(v -> v.name().equals("analytics")).findFirst().orElseThrow();
            // as the policy-enforcer registers it at the view's first record
            new WireAvro(enforcerRegistry).header(MeshTopics.valueSubject(address.viewTopic("analytics")), ViewSchemas.derive(first.schema(),
                    address.toString(), "analytics", analytics.masks(), Set.copyOf(first.contract().encryption().fields())));
            String masks = "mask: {customerEmail: hash, shippingAddress: redact}";

            assertThatThrownBy(() -> publisher.publish(TestContracts.parse(TestContracts.orderDescriptor("pub-views", "1.1.0")
                    .replace(masks, "mask: {customerEmail: hash, shippingAddress: redact, items: hash}"), TestContracts.ORDER_SCHEMA)))
                    .isInstanceOf(MeshException.class)
                    .hasMessageStartingWith("view 'analytics' of pub-views.order-placed.v1 would change its schema in a way its readers "
                            + "cannot follow (reader type: STRING not compatible with writer type: INT at /fields/")
                    .hasMessageContaining("(items)")
                    .hasMessageEndingWith("; keep the view's masks of those fields, or publish a new major version");
            assertThat(publisher.registration(address).orElseThrow().getVersion()).as("nothing published").isEqualTo("1.0.0");

            var redacted = publisher.publish(TestContracts.parse(TestContracts.orderDescriptor("pub-views", "1.1.0")
                    .replace(masks, "mask: {customerEmail: hash, shippingAddress: redact, country: redact}"), TestContracts.ORDER_SCHEMA));
            assertThat(redacted.changes()).as("a mask that keeps the field's type").anyMatch(c -> c.startsWith("registration pub-views.order-placed.v1 1.1.0"));
        }
    }

    @Test
    void aDomainCannotPublishIntoAnotherDomainAndNothingIsCreated(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("pub-owner");
        mesh.onboarding().addDomain("pub-intruder");
        try (var intruder = ProductPublisher.connect(mesh.clientConfig("pub-intruder"))) {
            assertThatThrownBy(() -> intruder.publish(TestContracts.orders("pub-owner", "1.0.0")))
                    .isInstanceOf(MeshException.class)
                    .hasMessageStartingWith("refused by the broker: User:pub-intruder may not describe topic pub-owner.order-placed.v1");
        }
        Set<String> topics = mesh.admin().listTopics().names().get();
        assertThat(topics).doesNotContain("pub-owner.order-placed.v1", "pub-owner.order-placed.v1.dlq");
        try (var registry = SchemaRegistry.connect(mesh.clientConfig("pub-owner"))) {
            assertThat(registry.latest("pub-owner.order-placed.v1-value")).isEmpty();
        }
    }

    @Test
    void aTeamPrincipalOrAnUnonboardedDomainIsToldWhy(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addPrincipal("pub-team", PrincipalKind.TEAM);
        try (var team = ProductPublisher.connect(mesh.clientConfig("pub-team"))) {
            assertThatThrownBy(() -> team.publish(TestContracts.orders("pub-nobody", "1.0.0")))
                    .hasMessageStartingWith("refused by the broker: User:pub-team may not describe topic pub-nobody.order-placed.v1");
        }
        try (var admin = ProductPublisher.connect(mesh.clientConfig("mesh-admin"))) {
            assertThatThrownBy(() -> admin.publish(TestContracts.orders("pub-nobody", "1.0.0")))
                    .hasMessage("domain pub-nobody is not onboarded (no topic mesh.registrations.pub-nobody); "
                            + "a platform engineer onboards it with: mesh domain add pub-nobody");
        }
        assertThat(mesh.admin().listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS)).doesNotContain("pub-nobody.order-placed.v1");
    }

    @Test
    void retiringAProductKeepsItsTopicAndMarksTheRegistration(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("pub-retire");
        try (var publisher = ProductPublisher.connect(mesh.clientConfig("pub-retire"))) {
            var contract = TestContracts.orders("pub-retire", "1.0.0");
            publisher.publish(contract);
            CataloguedTopics.create(mesh, contract.address());

            assertThat(publisher.retire(contract.address()).changes()).containsExactly(
                    "registration pub-retire.order-placed.v1: retired (topic and data kept)");
            assertThat(publisher.registration(contract.address()).orElseThrow().getRetired()).isTrue();
            assertThat(publisher.retire(contract.address()).changed()).isFalse();
            assertThatThrownBy(() -> publisher.retire(ProductAddress.parse("pub-retire.nothing.v1")))
                    .hasMessage("no product pub-retire.nothing.v1 is published in domain pub-retire; nothing to retire");
        }
        assertThat(mesh.admin().listTopics().names().get()).contains("pub-retire.order-placed.v1");
    }
}
