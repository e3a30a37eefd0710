package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.ProductConsumer;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.connector.GateApp;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.SubjectKey;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AuditEventType;
import io.streammesh.schema.Decision;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.Grant;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.AuditTopicReader;
import io.streammesh.testing.MeshTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decryption for consumers on the real mesh: a team asks for a view with decrypt, the owner
 * approves, and the team's {@link ProductConsumer} (and {@code mesh consume --decrypt}) reads
 * the gate's ciphertext as cleartext with keys from the catalog's key service. A principal
 * without the grant is refused (403); after an erasure the subject's fields read as null, named
 * as erased, while another subject's stay readable; the key served for the product opens no other
 * product's fields of the same subject; after the revocation the key service refuses
 * the team; every fetch is audited as KEY_ACCESS, a path the service refuses unread too. The request and grant topics start with the
 * schemas of a mesh from before {@code decrypt} (an upgraded mesh): the new field still arrives.
 */
@MeshTest
class KeyServiceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProductAddress PRODUCT = ProductAddress.parse("kx-shop.order-placed.v1");
    /** Another product of the domain, with the same subjects, on which the team holds no grant. */
    private static final ProductAddress OTHER = ProductAddress.parse("kx-shop.order-copied.v1");

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void aDecryptGrantOpensTheKeyServiceWhichRefusesStrangersErasedSubjectsAndRevokedGrantsAuditingEveryFetch(EmbeddedMesh mesh)
            throws Exception {
        mesh.onboarding().addDomain("kx-shop");
        mesh.onboarding().ensurePrincipal("kx-team", PrincipalKind.TEAM);
        mesh.onboarding().ensurePrincipal("kx-stranger", PrincipalKind.TEAM);
        String state = mesh.state().root().toString();
        MeshClientConfig team = mesh.clientConfig("kx-team");
        // A mesh upgraded from before decrypt: the request and grant topics hold the old schemas; the new fields must still arrive.
        try (var registry = SchemaRegistry.connect(mesh.clientConfig(MeshPrincipal.ADMIN.name()))) {
            registry.register(MeshTopics.accessRequests("kx-team") + "-value", withoutDecrypt(AccessRequest.getClassSchema()));
            registry.register(MeshTopics.ACCESS_GRANTS + "-value", withoutDecrypt(Grant.getClassSchema()));
        }

        try (var catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                     mesh.state().credentials(), 0), mesh.state().keks());
             var grants = GrantEnforcer.start(mesh.clientConfig("mesh-enforcer"));
             var gate = GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), dir.resolve("gate"), GateApp.CLEANUP_EVERY, 0,
                     mesh.state().keks());
             var audit = AuditApp.start(AuditConfig.embedded(mesh.clientConfig("mesh-audit"), dir.resolve("audit")))) {
            try (var publisher = ProductPublisher.connect(mesh.clientConfig("kx-shop"))) {
                publisher.publish(DataContracts.load(contract()));
            }
            var teamApi = new CatalogClient(catalog.restUrl(), team);
            var strangerApi = new CatalogClient(catalog.restUrl(), mesh.clientConfig("kx-stranger"));
            await().atMost(Duration.ofSeconds(30)).until(() -> teamApi.get("/api/products?domain=kx-shop").path("count").asInt() == 1);
            writeIngest(mesh.clientConfig("kx-shop"));

            assertThatThrownBy(() -> strangerApi.find(keyPath("c-1"))).as("no grant: the attack")
                    .isInstanceOf(MeshException.class)
                    .hasMessage("User:kx-stranger holds no ACTIVE grant with decrypt on kx-shop.order-placed.v1; request one with: "
                            + "mesh access request kx-shop.order-placed.v1 --view <view> --group <group> --purpose <why> --decrypt");

            assertThatThrownBy(() -> teamApi.find("/api/products/not-an-address/keys/c-1")).as("refused before the key service reads it")
                    .isInstanceOf(MeshException.class);
            assertThatThrownBy(() -> teamApi.find(keyPath("c-9") + "?bogus=1")).isInstanceOf(MeshException.class)
                    .hasMessageStartingWith("unknown parameter 'bogus'");

            String request;
            try (var client = new AccessClient(team)) {
                request = client.request(PRODUCT, "full", null, "kx-team", "key service test", Duration.ofDays(1), true);
            }
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> teamApi.get("/api/access/requests/" + request).path("status").asText().equals("PENDING"));
            assertThat(teamApi.get("/api/access/requests/" + request).at("/request/decrypt").asBoolean()).isTrue();
            try (var owner = new AccessClient(mesh.clientConfig("kx-shop"))) {
                owner.decide("kx-shop", request, DecisionKind.APPROVED, "ok", null);
            }

            Map<String, ProductConsumer.ProductRecord> read = readProduct(team, catalog.restUrl(), 2);
            assertThat(read.get("o-1").value().get("customerEmail").toString()).isEqualTo("ann@example.com");
            assertThat(read.get("o-1").value().get("shippingAddress").toString()).isEqualTo("1 Main Street");
            assertThat(read.get("o-2").value().get("customerEmail").toString()).isEqualTo("bob@example.com");
            assertThat(read.values()).noneMatch(ProductConsumer.ProductRecord::isErased);
            assertThat(read.get("o-1").record().value().get("customerEmail").toString()).as("as stored").startsWith("mesh:enc:v1:");

            String deadLetterKey = "mesh.dead-letters|" + PRODUCT;
            await().atMost(Duration.ofSeconds(30)).until(() -> keyLogHolds(mesh, deadLetterKey));
            assertThatThrownBy(() -> teamApi.find(keyPath(URLEncoder.encode(deadLetterKey, StandardCharsets.UTF_8))))
                    .as("a decrypt grantee asks for the product's dead-letter key: the attack").isInstanceOf(MeshException.class)
                    .hasMessage("the subject in the path starts with 'mesh.', which is reserved for the platform's own keys");

            // the key served for the granted product opens no other product's fields of the subject
            try (var publisher = ProductPublisher.connect(mesh.clientConfig("kx-shop"))) {
                publisher.publish(DataContracts.load(contract("order-copied")));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> teamApi.get("/api/products?domain=kx-shop").path("count").asInt() == 2);
            String otherEmail = otherProductsEmail(mesh);
            JsonNode served = teamApi.find(keyPath("c-2")).orElseThrow();
            SubjectKey grantedKey = SubjectKey.of(TinkJsonProtoKeysetFormat.parseKeyset(served.path("keyset").asText(), InsecureSecretKeyAccess.get()),
                    Set.of());
            assertThat(grantedKey.decrypt(read.get("o-2").record().value().get("customerEmail").toString(),
                    FieldCipher.associatedData(PRODUCT.toString(), "customerEmail", "c-2"))).hasValue("bob@example.com");
            assertThatThrownBy(() -> grantedKey.decrypt(otherEmail, FieldCipher.associatedData(OTHER.toString(), "customerEmail", "c-2")))
                    .as("the attack: the subject's key for " + PRODUCT + " on " + OTHER + "'s ciphertext").isInstanceOf(GeneralSecurityException.class);
            assertThatThrownBy(() -> teamApi.find("/api/products/" + OTHER + "/keys/c-2")).as("no grant on " + OTHER)
                    .isInstanceOf(MeshException.class).hasMessageStartingWith("User:kx-team holds no ACTIVE grant with decrypt on " + OTHER);

            var consumed = CommandRun.of("consume", PRODUCT.topic(), "--as", "kx-team", "--decrypt", "--catalog-url", catalog.restUrl(),
                    "--from-beginning", "--max", "2", "--timeout", "60s", "-o", "json", "--state-dir", state);
            assertThat(consumed.exitCode()).as(consumed.err()).isZero();
            assertThat(consumed.out().lines().map(KeyServiceIT::json).map(line -> line.at("/value/customerEmail").asText()))
                    .containsExactlyInAnyOrder("ann@example.com", "bob@example.com");

            var erased = CommandRun.of("subject", "erase", "kx-shop", "c-1", "--reason", "the customer asked", "--as", "kx-shop",
                    "--state-dir", state);
            assertThat(erased.exitCode()).as(erased.err()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> teamApi.find(keyPath("c-1")).orElseThrow().path("erased").asBoolean());
            assertThat(teamApi.find(keyPath("c-1")).orElseThrow().has("keyset")).as("no key for an erased subject").isFalse();
            assertThat(teamApi.find(keyPath("c-never"))).as("a subject never seen").isEmpty();

            Map<String, ProductConsumer.ProductRecord> afterErasure = readProduct(team, catalog.restUrl(), 2);
            assertThat(afterErasure.get("o-1").value().get("customerEmail")).isNull();
            assertThat(afterErasure.get("o-1").erased()).containsExactly("customerEmail", "shippingAddress");
            assertThat(afterErasure.get("o-2").value().get("customerEmail").toString()).isEqualTo("bob@example.com");
            assertThat(afterErasure.get("o-2").isErased()).isFalse();

            // a later record about the erased subject gets a fresh key; the records before the erasure stay erased, not forged
            try (var producer = new KafkaProducer<>(mesh.clientConfig("kx-shop").kafka(), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-4", order("o-4", "c-1", "ann@new.example"))).get();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> teamApi.find(keyPath("c-1")).orElseThrow().has("keyset"));
            assertThat(teamApi.find(keyPath("c-1")).orElseThrow().path("erasedKeyIds")).as("the erased key's id").hasSize(1);
            Map<String, ProductConsumer.ProductRecord> afterFreshKey = readProduct(team, catalog.restUrl(), 3);
            assertThat(afterFreshKey.get("o-1").erased()).containsExactly("customerEmail", "shippingAddress");
            assertThat(afterFreshKey.get("o-4").value().get("customerEmail").toString()).isEqualTo("ann@new.example");
            var consumedAgain = CommandRun.of("consume", PRODUCT.topic(), "--as", "kx-team", "--decrypt", "--catalog-url", catalog.restUrl(),
                    "--from-beginning", "--max", "3", "--timeout", "60s", "-o", "json", "--state-dir", state);
            assertThat(consumedAgain.exitCode()).as(consumedAgain.err()).isZero();
            assertThat(consumedAgain.out().lines().map(KeyServiceIT::json).map(line -> line.at("/value/customerEmail").asText()))
                    .as("an erased field is null").containsExactlyInAnyOrder("null", "bob@example.com", "ann@new.example");

            // the catalog cannot write the audit trail: a key whose fetch the trail would not show is not served
            var catalogWritesAudit = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, MeshTopics.AUDIT_RAW, PatternType.LITERAL),
                    new AccessControlEntryFilter(PlatformApp.CATALOG.principal().kafkaPrincipal(), null, AclOperation.WRITE, AclPermissionType.ALLOW));
            Collection<AclBinding> taken = mesh.admin().deleteAcls(List.of(catalogWritesAudit)).all().get();
            assertThat(taken).as("the catalog's WRITE on " + MeshTopics.AUDIT_RAW).hasSize(1);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> unaudited(teamApi, keyPath("c-2")));
            } finally {
                mesh.admin().createAcls(taken).all().get();
            }
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> teamApi.find(keyPath("c-2")).orElseThrow().has("keyset"));

            try (var owner = new AccessClient(mesh.clientConfig("kx-shop"))) {
                owner.decide("kx-shop", request, DecisionKind.REVOKED, "done", null);
            }
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsMatching(e -> !(e instanceof MeshException))
                    .until(() -> refused(teamApi, keyPath("c-2")));

            // read while audit-sink runs: it chains what the catalog reported to mesh.audit.raw
            awaitKeyAccessEvents(mesh);
        }
    }

    private static void awaitKeyAccessEvents(EmbeddedMesh mesh) {
        var events = AuditTopicReader.audit(mesh);
        events.awaitEvents(Duration.ofSeconds(60), e -> e.getType() == AuditEventType.KEY_ACCESS && e.getPrincipal().equals("User:kx-stranger")
                && e.getDecision() == Decision.DENIED && PRODUCT.toString().equals(e.getProduct())
                && e.getResourceName().equals(PRODUCT + "/keys/c-1"));
        events.awaitEvents(Duration.ofSeconds(60), e -> e.getType() == AuditEventType.KEY_ACCESS && e.getPrincipal().equals("User:kx-team")
                && e.getDecision() == Decision.ALLOWED && e.getResourceName().equals(PRODUCT + "/keys/c-2"));
        events.awaitEvents(Duration.ofSeconds(60), e -> e.getType() == AuditEventType.KEY_ACCESS && e.getPrincipal().equals("User:kx-team")
                && e.getDecision() == Decision.DENIED && e.getResourceName().equals(PRODUCT + "/keys/c-1"));
        events.awaitEvents(Duration.ofSeconds(60), e -> e.getType() == AuditEventType.KEY_ACCESS && e.getPrincipal().equals("User:kx-team")
                && e.getDecision() == Decision.DENIED && e.getResourceName().equals("(invalid address)/keys/c-1"));
        events.awaitEvents(Duration.ofSeconds(60), e -> e.getType() == AuditEventType.KEY_ACCESS && e.getPrincipal().equals("User:kx-team")
                && e.getDecision() == Decision.DENIED && e.getResourceName().equals(PRODUCT + "/keys/c-9"));
    }

    /** The schema as main's code registered it, before the field decrypt. */
    private static String withoutDecrypt(Schema schema) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
        ArrayNode fields = (ArrayNode) json.get("fields");
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (fields.get(i).path("name").asText().equals("decrypt")) {
                fields.remove(i);
            }
        }
        return json.toString();
    }

    /** @return whether the domain's key log holds an entry for the subject, as the platform reads it */
    private static boolean keyLogHolds(EmbeddedMesh mesh, String subject) {
        MeshClientConfig admin = mesh.clientConfig("mesh-admin");
        try (var consumer = new KafkaConsumer<>(admin.kafka(), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(MeshTopics.keys("kx-shop")).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            for (var record : consumer.poll(Duration.ofSeconds(2))) {
                if (subject.equals(record.key())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** @return the encrypted e-mail of a record about c-2 in {@link #OTHER}, as the domain reads its own product */
    private static String otherProductsEmail(EmbeddedMesh mesh) throws Exception {
        try (var producer = new KafkaProducer<>(mesh.clientConfig("kx-shop").kafka(), new StringSerializer(), new ByteArraySerializer())) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> producer.send(new ProducerRecord<>(OTHER.ingestTopic(), "o-9",
                    order("o-9", "c-2", "bob@example.com"))).get() != null);
        }
        Schema schema = new Schema.Parser().parse(Path.of("..", "examples", "orders", "order-placed.avsc").toFile());
        List<String> emails = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(mesh.clientConfig("kx-shop").kafka(), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(OTHER.topic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    // past the registry's header: a magic byte and the schema's id
                    GenericRecord order = new GenericDatumReader<GenericRecord>(schema)
                            .read(null, DecoderFactory.get().binaryDecoder(record.value(), 5, record.value().length - 5, null));
                    emails.add(order.get("customerEmail").toString());
                }
                return !emails.isEmpty();
            });
        }
        assertThat(emails.get(0)).startsWith(FieldCipher.PREFIX);
        return emails.get(0);
    }

    private static String keyPath(String subject) {
        return "/api/products/" + PRODUCT + "/keys/" + subject;
    }

    /** @return whether the key was refused for want of its audit event; false if it was served */
    private static boolean unaudited(CatalogClient api, String path) {
        try {
            api.find(path);
            return false;
        } catch (MeshException e) {
            assertThat(e.getMessage()).startsWith("the key of a subject of " + PRODUCT + " is not served: its fetch could not be written to "
                    + "the audit trail (");
            return true;
        }
    }

    private static boolean refused(CatalogClient api, String path) {
        try {
            api.find(path);
            return false;
        } catch (MeshException e) {
            return e.getMessage().startsWith("User:kx-team holds no ACTIVE grant with decrypt on " + PRODUCT);
        }
    }

    /** Every record of the product, from the start, by key; the grant's ACLs come from the policy-enforcer a moment after the approval. */
    private static Map<String, ProductConsumer.ProductRecord> readProduct(MeshClientConfig team, String catalogUrl, int count) {
        Map<String, ProductConsumer.ProductRecord> read = new HashMap<>();
        try (var consumer = ProductConsumer.open(team, catalogUrl, PRODUCT, null)) {
            List<TopicPartition> partitions = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                partitions.clear();
                consumer.kafka().partitionsFor(PRODUCT.topic()).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                return !partitions.isEmpty();
            });
            consumer.kafka().assign(partitions);
            consumer.kafka().seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptionsMatching(e -> !(e instanceof MeshException)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> read.put(record.record().key(), record));
                return read.size() >= count;
            });
        }
        return read;
    }

    private static void writeIngest(MeshClientConfig domain) {
        try (var producer = new KafkaProducer<>(domain.kafka(), new StringSerializer(), new ByteArraySerializer())) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-1", order("o-1", "c-1", "ann@example.com"))).get() != null);
            producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-2", order("o-2", "c-2", "bob@example.com")));
            // unreadable, so the gate seals its dead letter with the product's own dead-letter key
            producer.send(new ProducerRecord<>(PRODUCT.ingestTopic(), "o-3", "not an order".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
    }

    private static byte[] order(String id, String customer, String email) {
        return """
                {"orderId": "%s", "customerId": "%s", "customerEmail": "%s", "shippingAddress": "1 Main Street",
                 "country": "FR", "amount": 12.5, "currency": "EUR", "items": 1, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(id, customer, email).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    private Path contract() throws Exception {
        return contract("order-placed");
    }

    /** The example's order contract in domain kx-shop, as product {@code name}. */
    private Path contract(String name) throws Exception {
        Path examples = Path.of("..", "examples", "orders");
        Files.copy(examples.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"), StandardCopyOption.REPLACE_EXISTING);
        return Files.writeString(dir.resolve(name + ".yaml"), Files.readString(examples.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: kx-shop").replace("User:orders", "User:kx-shop").replace("name: order-placed", "name: " + name)
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
    }
}
