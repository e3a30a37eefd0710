package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.apicurio.registry.rest.client.exception.RestClientException;
import io.streammesh.client.RecordProducers;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.MeshTest;
import io.streammesh.testing.TopicReader;
import io.streammesh.client.AccessClient;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.client.CatalogClient;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Decision;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewAccess;
import io.streammesh.testing.ProductRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Grants become broker ACLs on the real broker: a team reads only while its grant is ACTIVE, and
 * a grant expires once, in the catalog, whose EXPIRED the ACLs follow.
 */
@MeshTest
class GrantEnforcerIT {

    @Test
    void aTeamReadsOnlyWhileItsGrantIsActive(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("enf-shop");
        mesh.onboarding().ensurePrincipal("enf-team", PrincipalKind.TEAM);
        String topic = "enf-shop.orders.v1";
        produce(mesh, topic);
        MeshClientConfig team = mesh.clientConfig("enf-team");

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            assertThat(canRead(team, topic)).as("no grant yet").isFalse();

            publish(mesh, grant("g-enf-1", topic, GrantStatus.ACTIVE));
            await().atMost(Duration.ofSeconds(60)).until(() -> canRead(team, topic));

            publish(mesh, grant("g-enf-1", topic, GrantStatus.REVOKED));
            await().atMost(Duration.ofSeconds(60)).until(() -> !canRead(team, topic));
        }
    }

    /**
     * A grant approved before the catalog's consumer-group rule may name another team's group:
     * READ on it would let the grantee join that group and move its offsets. The enforcer gives
     * such a grant its topic only.
     */
    @Test
    void aGrantNamingAnotherTeamsGroupGivesItsTopicButNeverThatGroup(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("enf-legacy");
        mesh.onboarding().ensurePrincipal("enf-old", PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal("enf-victim", PrincipalKind.TEAM);
        String topic = "enf-legacy.orders.v1";
        produce(mesh, topic);
        Grant legacy = Grant.newBuilder(grant("g-legacy", topic, GrantStatus.ACTIVE)).setPrincipal("User:enf-old").setConsumerGroup("enf-victim")
                .build();

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            publish(mesh, legacy);
            await().atMost(Duration.ofSeconds(60)).until(() -> aclsOn(mesh, topic).stream().anyMatch(acl -> acl.startsWith("User:enf-old")));

            var groupAcls = mesh.admin().describeAcls(new AclBindingFilter(new ResourcePatternFilter(ResourceType.GROUP, "enf-victim",
                    PatternType.ANY), AccessControlEntryFilter.ANY)).values().get();
            assertThat(groupAcls).as("no ACL on the other team's group").isEmpty();
            assertThat(canRead(mesh.clientConfig("enf-old"), "enf-victim", topic)).as("it may not join the other team's group").isFalse();
        }
    }

    @Test
    void eachChangeAloneCreatesAndDeletesItsAclsRecordingEachOnceWithoutTheFullReconciliation(EmbeddedMesh mesh) throws Exception {
        List<String> products = ordersAndRefunds(mesh, "enf-part", "enf-parter");
        String first = products.get(0);
        String second = products.get(1);
        MeshClientConfig team = mesh.clientConfig("enf-parter");

        // no full reconciliation after the one at start: whatever happens below, a change did alone
        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"), new SimpleMeterRegistry(), Duration.ofHours(1))) {
            publish(mesh, teamGrant("enf-parter", "g-part-1", first, GrantStatus.ACTIVE));
            await().atMost(Duration.ofSeconds(60)).until(() -> canRead(team, "enf-parter", first));
            publish(mesh, teamGrant("enf-parter", "g-part-2", second, GrantStatus.ACTIVE));
            await().atMost(Duration.ofSeconds(60)).until(() -> canRead(team, "enf-parter", second));
            publish(mesh, teamGrant("enf-parter", "g-part-1", first, GrantStatus.REVOKED));
            await().atMost(Duration.ofSeconds(60)).until(() -> !canRead(team, "enf-parter", first));

            // awaited: one read may take longer than its poll on a busy machine
            await("the other grant's ACLs stay").atMost(Duration.ofSeconds(30)).until(() -> canRead(team, "enf-parter", second));
            Map<String, List<String>> ledger = ledgerOf(mesh, "User:enf-parter|");
            assertThat(ledger).as("the ledger: each ACL recorded once, and deleted once if its grant ended")
                    .containsEntry("User:enf-parter|READ|TOPIC|" + first, Arrays.asList("g-part-1", null))
                    .containsEntry("User:enf-parter|READ|TOPIC|" + second, List.of("g-part-2"))
                    .allSatisfy((key, values) -> assertThat(values).as(key).hasSizeBetween(1, 2).doesNotHaveDuplicates());
        }
    }

    @Test
    void changesMadeWhileFullReconciliationsReadTheBrokerStandAndARemovedAclComesBack(EmbeddedMesh mesh) throws Exception {
        List<String> products = ordersAndRefunds(mesh, "enf-full", "enf-fuller");
        String first = products.get(0);
        String second = products.get(1);
        MeshClientConfig team = mesh.clientConfig("enf-fuller");

        // one full reconciliation after another, each reading the broker while the changes below are applied
        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"), new SimpleMeterRegistry(), Duration.ZERO)) {
            publish(mesh, teamGrant("enf-fuller", "g-full-1", first, GrantStatus.ACTIVE));
            publish(mesh, teamGrant("enf-fuller", "g-full-2", second, GrantStatus.ACTIVE));
            await().atMost(Duration.ofSeconds(60)).until(() -> canRead(team, "enf-fuller", first) && canRead(team, "enf-fuller", second));
            publish(mesh, teamGrant("enf-fuller", "g-full-1", first, GrantStatus.REVOKED));
            await().atMost(Duration.ofSeconds(60)).until(() -> !canRead(team, "enf-fuller", first));
            assertThat(aclsOn(mesh, first)).as("no ACL of the revoked grant outlives it").noneMatch(acl -> acl.startsWith("User:enf-fuller"));
            Map<String, List<String>> ledger = ledgerOf(mesh, "User:enf-fuller|READ|TOPIC|" + first);
            assertThat(ledger.get("User:enf-fuller|READ|TOPIC|" + first)).as("recorded once, deleted once").containsExactly("g-full-1", null);

            mesh.admin().deleteAcls(List.of(new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, second, PatternType.LITERAL),
                    AccessControlEntryFilter.ANY))).all().get();
            await().atMost(Duration.ofSeconds(60)).until(() -> canRead(team, "enf-fuller", second));
        }
    }

    private static Grant teamGrant(String team, String id, String topic, GrantStatus status) {
        return Grant.newBuilder(grant(id, topic, status)).setPrincipal("User:" + team).setConsumerGroup(team).build();
    }

    /** @return the values the ledger recorded, in order, for each ACL whose key starts with {@code prefix} (null: deleted) */
    private static Map<String, List<String>> ledgerOf(EmbeddedMesh mesh, String prefix) {
        Map<String, List<String>> ledger = new TreeMap<>();
        TopicReader.of(mesh.clientConfig("mesh-admin").kafka(), new StringDeserializer(), new StringDeserializer())
                .committed(GrantEnforcer.LEDGER_TOPIC).stream().filter(r -> r.key().startsWith(prefix))
                .forEach(r -> ledger.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value()));
        return ledger;
    }

    @Test
    void anActiveGrantPastItsExpiryKeepsItsAclsUntilTheCatalogWritesItExpired(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("enf-late");
        mesh.onboarding().ensurePrincipal("enf-team", PrincipalKind.TEAM);
        String topic = "enf-late.orders.v1";
        produce(mesh, topic);
        MeshClientConfig team = mesh.clientConfig("enf-team");
        Grant overdue = grant("g-enf-late", topic, GrantStatus.ACTIVE);
        overdue.setExpiresAt(Instant.now().minusSeconds(60));

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            publish(mesh, overdue);
            await("the enforcer keeps no clock of its own").atMost(Duration.ofSeconds(60)).until(() -> canRead(team, topic));

            publish(mesh, Grant.newBuilder(overdue).setStatus(GrantStatus.EXPIRED).build());
            await().atMost(Duration.ofSeconds(60)).until(() -> !canRead(team, topic));
        }
    }

    @Test
    void aGrantExpiresInTheCatalogShowsExpiredAndLosesItsAcls(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("enf-exp");
        mesh.onboarding().ensurePrincipal("enf-exp-team", PrincipalKind.TEAM);
        String topic = "enf-exp.orders.v1";
        produce(mesh, topic);
        ViewAppITCatalog.put(mesh, automatic(topic, "enf-exp"));
        MeshClientConfig team = mesh.clientConfig("enf-exp-team");
        Path dir = Files.createTempDirectory("grant-expiry-");

        try (var catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir, mesh.state().credentials(), 0));
             var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"));
             var access = new AccessClient(team)) {
            access.request(ProductAddress.parse(topic), "full", null, "enf-exp-team", "a quick look", Duration.ofSeconds(8));
            var api = new CatalogClient(catalog.restUrl(), team);
            // the ACL, not a read: a read takes seconds on a busy machine, and the grant lives for 8
            await().atMost(Duration.ofSeconds(60)).until(() -> aclsOn(mesh, topic).contains("User:enf-exp-team READ"));

            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/grants?product=" + topic + "&status=EXPIRED").path("count").asInt() == 1);
            // the ACL's removal, as its grant was seen: a read that times out on a busy machine would also read as refused
            await().atMost(Duration.ofSeconds(60)).until(() -> !aclsOn(mesh, topic).contains("User:enf-exp-team READ"));
            assertThat(canRead(team, topic)).as("refused by the broker").isFalse();
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
        try (var ledger = new KafkaProducer<>(mesh.clientConfig("mesh-enforcer").kafka(), new StringSerializer(), new StringSerializer())) {
            mesh.admin().createTopics(List.of(new NewTopic(GrantEnforcer.LEDGER_TOPIC, 1, (short) 1)));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                ledger.send(new ProducerRecord<>(GrantEnforcer.LEDGER_TOPIC, GrantAcls.key(orphan), "g-enf-gone")).get();
                return true;
            });
        }

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            var acls = mesh.admin().describeAcls(AclBindingFilter.ANY).values().get();
            assertThat(acls).doesNotContain(orphan).contains(handMade);
        }
    }

    @Test
    void aCataloguedProductsDomainMayWriteItsIngestTopicUntilTheProductIsRetired(EmbeddedMesh mesh) throws Exception {
        String address = "enf-ingest.orders.v1";
        mesh.onboarding().addDomain("enf-ingest");
        DataProduct product = ViewAppITCatalog.product(address, "enf-ingest", 1, Map.of());
        createTopics(mesh, ProductAddress.parse(address), Map.of());
        ViewAppITCatalog.put(mesh, product);

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(aclsOn(mesh, address + ".ingest"))
                    .containsExactlyInAnyOrder("User:enf-ingest WRITE", "User:enf-ingest DESCRIBE"));

            ViewAppITCatalog.put(mesh, DataProduct.newBuilder(product).setStatus(ProductStatus.RETIRED).build());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(aclsOn(mesh, address + ".ingest")).isEmpty());
        }
    }

    @Test
    void theEnforcerGivesAProductsTopicsTheMeshsConfigsBeforeItsDomainMayWriteItsIngestTopicAndANewRetentionOnceCatalogued(EmbeddedMesh mesh) throws Exception {
        ProductAddress address = ProductAddress.parse("enf-configs.orders.v1");
        mesh.onboarding().addDomain("enf-configs");
        // What a domain of an older mesh could do before it published: create its topics with configs the gate's writes
        // cannot meet (the broker now refuses a domain's CREATE of them: BrokerAuthorizationIT).
        mesh.admin().createTopics(List.of(address.topic(), address.deadLetterTopic(), address.ingestTopic()).stream()
                .map(topic -> new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "16",
                        "cleanup.policy", "compact", "message.timestamp.after.max.ms", "1")))
                .toList()).all().get();
        DataProduct product = ViewAppITCatalog.product(address.toString(), "enf-configs", 1, Map.of());
        product.getRegistration().setIngestRetentionMs(3_600_000L);
        ViewAppITCatalog.put(mesh, product);

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(aclsOn(mesh, address.ingestTopic()))
                    .containsExactlyInAnyOrder("User:enf-configs WRITE", "User:enf-configs DESCRIBE"));
            for (String topic : List.of(address.topic(), address.deadLetterTopic(), address.ingestTopic())) {
                long retention = topic.equals(address.ingestTopic()) ? product.getRegistration().getIngestRetentionMs()
                        : product.getRegistration().getRetentionMs();
                assertThat(overrides(mesh, topic)).as(topic)
                        .containsExactlyInAnyOrder("retention.ms=" + retention, "cleanup.policy=delete");
            }

            // A republished version with a new retention, once the catalog admits it.
            DataProduct republished = DataProduct.newBuilder(product).build();
            republished.getRegistration().setRetentionMs(86_400_000L);
            ViewAppITCatalog.put(mesh, republished);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(overrides(mesh, address.topic()))
                    .containsExactlyInAnyOrder("retention.ms=86400000", "cleanup.policy=delete"));
        }
    }

    @Test
    void aCataloguedProductGetsItsThreeTopicsFromTheEnforcerWithTheMeshsConfigsAndThenItsIngestWrite(EmbeddedMesh mesh) throws Exception {
        ProductAddress address = ProductAddress.parse("enf-topicless.orders.v1");
        mesh.onboarding().addDomain("enf-topicless");
        DataProduct product = ViewAppITCatalog.product(address.toString(), "enf-topicless", 1, Map.of());
        ViewAppITCatalog.put(mesh, product);
        List<String> topics = List.of(address.topic(), address.deadLetterTopic(), address.ingestTopic());
        assertThat(mesh.admin().listTopics().names().get()).doesNotContainAnyElementsOf(topics);

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"))) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(aclsOn(mesh, address.ingestTopic()))
                    .containsExactlyInAnyOrder("User:enf-topicless WRITE", "User:enf-topicless DESCRIBE"));
        }
        int partitions = product.getRegistration().getPartitions();
        for (var description : mesh.admin().describeTopics(topics).allTopicNames().get().values()) {
            assertThat(description.partitions()).as(description.name()).hasSize(partitions);
        }
        assertThat(overrides(mesh, address.topic())).containsExactlyInAnyOrder("cleanup.policy=delete",
                "retention.ms=" + product.getRegistration().getRetentionMs());
        assertThat(overrides(mesh, address.ingestTopic())).containsExactlyInAnyOrder("cleanup.policy=delete",
                "retention.ms=" + ProductAddress.DEFAULT_INGEST_RETENTION.toMillis());
    }

    /**
     * A domain has no WRITE on its prefix: it writes only the ingest topics of its catalogued
     * products, never a product or a dead-letter topic, and every refusal is audited.
     */
    @Test
    void aDomainIsRefusedOnItsProductAndDeadLetterTopicsAndAuditedButWritesTheIngestTopicTheEnforcerGrants(EmbeddedMesh mesh)
            throws Exception {
        String domain = "enf-gated";
        ProductAddress address = ProductAddress.parse(domain + ".orders.v1");
        mesh.onboarding().addDomain(domain);
        mesh.admin().createTopics(List.of(new NewTopic(address.topic(), 1, (short) 1), new NewTopic(address.deadLetterTopic(), 1, (short) 1),
                new NewTopic(address.ingestTopic(), 1, (short) 1))).all().get();
        // The first DataProduct written here registers its schema while the authorizer registers
        // its own: Apicurio's H2 may time out locking its table then (issues 2699, 4351), and the
        // registration is idempotent, as SchemaRegistry's retry of it in the mesh.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(RestClientException.class).until(() -> {
            ViewAppITCatalog.put(mesh, ViewAppITCatalog.product(address.toString(), domain, 1, Map.of()));
            return true;
        });

        try (var enforcer = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"));
             var producer = new KafkaProducer<>(mesh.clientConfig(domain).kafka(), new StringSerializer(), new StringSerializer())) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> producer.send(new ProducerRecord<>(address.ingestTopic(), "k", "{}")).get() != null);
            for (String topic : List.of(address.topic(), address.deadLetterTopic())) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "forged")).get())
                        .as(topic).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
        }

        var raw = AuditTopicReader.raw(mesh);
        for (String topic : List.of(address.topic(), address.deadLetterTopic())) {
            raw.awaitEvents(Duration.ofSeconds(60), e -> e.getPrincipal().equals("User:" + domain) && e.getOperation().equals("WRITE")
                    && e.getResourceName().equals(topic) && e.getDecision() == Decision.DENIED && !e.getProbe());
        }
    }

    private static void createTopics(EmbeddedMesh mesh, ProductAddress address, Map<String, String> configs) throws Exception {
        mesh.admin().createTopics(List.of(address.topic(), address.deadLetterTopic(), address.ingestTopic()).stream()
                .map(topic -> new NewTopic(topic, 1, (short) 1).configs(configs)).toList()).all().get();
    }

    /** @return the configs set on the topic itself, as name=value */
    private static List<String> overrides(EmbeddedMesh mesh, String topic) throws Exception {
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return mesh.admin().describeConfigs(List.of(resource)).all().get().get(resource).entries().stream()
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .map(entry -> entry.name() + "=" + entry.value()).toList();
    }

    private static List<String> aclsOn(EmbeddedMesh mesh, String topic) throws Exception {
        var filter = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.LITERAL), AccessControlEntryFilter.ANY);
        return mesh.admin().describeAcls(filter).values().get().stream()
                .map(acl -> acl.entry().principal() + " " + acl.entry().operation()).toList();
    }

    private static Grant grant(String id, String topic, GrantStatus status) {
        return Grant.newBuilder().setGrantId(id).setRequestId(id).setPrincipal("User:enf-team").setProduct(topic).setView("full")
                .setConsumerGroup("enf-team").setTopic(topic).setPurpose("test").setStatus(status).setApprovedBy("User:enf-shop")
                .setGrantedAt(Instant.now()).setExpiresAt(Instant.now().plusSeconds(3600)).build();
    }

    /** A product whose one view, {@code full}, is granted on request and shows the product topic as it is. */
    private static DataProduct automatic(String address, String domain) {
        DataProduct product = ViewAppITCatalog.product(address, domain, 1, Map.of());
        var view = ProductView.newBuilder().setName("full").setAccess(ViewAccess.AUTO).setMasks(Map.of()).build();
        return DataProduct.newBuilder(product).setRegistration(ProductRegistration.newBuilder(product.getRegistration())
                .setViews(List.of(view)).build()).build();
    }

    private static void publish(EmbeddedMesh mesh, Grant grant) throws Exception {
        try (KafkaProducer<String, Grant> producer = RecordProducers.create(mesh.clientConfig("mesh-catalog"), "test-grants")) {
            producer.send(new ProducerRecord<>(MeshTopics.ACCESS_GRANTS, grant.getGrantId(), grant)).get();
        }
    }

    /** @return the two products of a new domain (orders, then refunds, a record each), after adding a team that may ask for them */
    private static List<String> ordersAndRefunds(EmbeddedMesh mesh, String domain, String team) throws Exception {
        mesh.onboarding().addDomain(domain);
        mesh.onboarding().ensurePrincipal(team, PrincipalKind.TEAM);
        List<String> products = List.of(domain + ".orders.v1", domain + ".refunds.v1");
        for (String product : products) {
            produce(mesh, product);
        }
        return products;
    }

    /** The enforcer creates the product topic, and the gate, the only writer of products, puts a record there. */
    private static void produce(EmbeddedMesh mesh, String topic) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(mesh.clientConfig("mesh-enforcer").kafka())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        ProductRecords.writeBytes(mesh, topic, Map.of("k", "v".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static boolean canRead(MeshClientConfig team, String topic) {
        return canRead(team, "enf-team", topic);
    }

    private static boolean canRead(MeshClientConfig team, String group, String topic) {
        var props = team.kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
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
