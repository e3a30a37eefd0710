package io.streammesh.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.sun.net.httpserver.HttpServer;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class FieldDecryptionTest {

    private static final ProductAddress PRODUCT = ProductAddress.parse("shop.order-placed.v1");
    private static final Schema SCHEMA = SchemaBuilder.record("Order").fields()
            .requiredString("customerId").requiredString("customerEmail").requiredBytes("photo").requiredString("country").endRecord();

    private final Map<String, KeysetHandle> keysets = new HashMap<>();
    private final Map<String, Set<Integer>> erasedKeyIds = new HashMap<>();

    @Test
    void aPlaceEncodedOnceAndASubjectBindTheSameBytesAsTheWholeAssociatedData() {
        for (String subject : List.of("c-1", "Zoë-ÿ-€-𝄞", "0c01")) {
            assertThat(FieldCipher.associatedData(FieldCipher.place(PRODUCT.toString(), "customerEmail"), subject))
                    .isEqualTo(FieldCipher.associatedData(PRODUCT.toString(), "customerEmail", subject));
        }
    }

    @Test
    void encryptedStringAndBytesFieldsReadAsTheirCleartextAndOtherFieldsAsTheyAre() throws Exception {
        var decryption = new FieldDecryption(PRODUCT, "customerId", List.of("customerEmail", "photo"), this::key);

        FieldDecryption.Decrypted read = decryption.decrypt(order("c-1", "ann@example.com"));

        assertThat(read.value().get("customerEmail")).isEqualTo("ann@example.com");
        assertThat(read.value().get("photo")).isEqualTo(ByteBuffer.wrap("ann's face".getBytes(UTF_8)));
        assertThat(read.value().get("country")).isEqualTo("FR");
        assertThat(read.isErased()).isFalse();
    }

    @Test
    void anErasedSubjectsFieldsReadAsNullAndAreNamedWhileAnotherSubjectsStayReadable() throws Exception {
        GenericRecord ann = order("c-1", "ann@example.com");
        GenericRecord bob = order("c-2", "bob@example.com");
        keysets.remove("c-1");
        var decryption = new FieldDecryption(PRODUCT, "customerId", List.of("customerEmail", "photo"), this::key);

        FieldDecryption.Decrypted erased = decryption.decrypt(ann);

        assertThat(erased.value().get("customerEmail")).isNull();
        assertThat(erased.value().get("photo")).isNull();
        assertThat(erased.erased()).containsExactly("customerEmail", "photo");
        assertThat(ann.get("customerEmail").toString()).as("the record read stays as stored").startsWith(FieldCipher.PREFIX);
        assertThat(decryption.decrypt(bob).value().get("customerEmail")).isEqualTo("bob@example.com");
    }

    @Test
    void aRecordWrittenUnderAnErasedKeyReadsAsErasedOnceTheSubjectHasAFreshKeyAndTheFreshOnesAreReadable() throws Exception {
        GenericRecord before = order("c-1", "ann@example.com");
        int erasedId = keysets.remove("c-1").getPrimary().getId();
        erasedKeyIds.put("c-1", Set.of(erasedId));
        GenericRecord after = order("c-1", "ann@new.example");
        var decryption = new FieldDecryption(PRODUCT, "customerId", List.of("customerEmail", "photo"), this::key);

        FieldDecryption.Decrypted read = decryption.decrypt(before);

        assertThat(read.value().get("customerEmail")).isNull();
        assertThat(read.erased()).containsExactly("customerEmail", "photo");
        assertThat(decryption.decrypt(after).value().get("customerEmail")).isEqualTo("ann@new.example");
        erasedKeyIds.remove("c-1");
        assertThatThrownBy(() -> decryption.decrypt(before)).as("a key the subject never had is a forgery, not an erasure")
                .isInstanceOf(MeshException.class);
    }

    @Test
    void aRecordOfTheSubjectsFreshKeyThatTheKeptKeyDoesNotOpenIsReadWithTheLatestKeyNotTakenForAForgery() throws Exception {
        GenericRecord before = order("c-1", "ann@example.com");
        KeysetHandle kept = keysets.remove("c-1");
        GenericRecord after = order("c-1", "ann@new.example");
        var latest = new AtomicInteger();
        ProductKeys keptUntilAsked = new ProductKeys() {
            @Override
            public SubjectKey key(String subject) {
                return SubjectKey.of(kept, Set.of());
            }

            @Override
            public SubjectKey latest(String subject) {
                latest.incrementAndGet();
                return SubjectKey.of(keysets.get(subject), Set.of(kept.getPrimary().getId()));
            }
        };
        var decryption = new FieldDecryption(PRODUCT, "customerId", List.of("customerEmail", "photo"), keptUntilAsked);

        assertThat(decryption.decrypt(before).value().get("customerEmail")).isEqualTo("ann@example.com");
        assertThat(latest).hasValue(0);
        assertThat(decryption.decrypt(after).value().get("customerEmail")).isEqualTo("ann@new.example");
        assertThat(latest).hasValue(1);
    }

    @Test
    void aRecordWithOneFieldOfAnErasedKeyAndAnotherOfTheCurrentOneIsTamperedWithNotErased() throws Exception {
        GenericRecord before = order("c-1", "ann@example.com");
        erasedKeyIds.put("c-1", Set.of(keysets.remove("c-1").getPrimary().getId()));
        GenericRecord mixed = order("c-1", "ann@new.example");
        mixed.put("customerEmail", before.get("customerEmail"));
        var decryption = new FieldDecryption(PRODUCT, "customerId", List.of("customerEmail", "photo"), this::key);

        assertThatThrownBy(() -> decryption.decrypt(mixed)).isInstanceOf(MeshException.class).hasMessage("fields [customerEmail] of a record "
                + "of shop.order-placed.v1 about subject c-1 are of an erased key and its other fields of the current one: it was not "
                + "written so by the contract gate");
    }

    @Test
    void aBytesSubjectIsTheHexOfItsBytesAsTheGateNamesIt() throws Exception {
        Schema schema = SchemaBuilder.record("Order").fields().requiredBytes("customerId").requiredString("customerEmail").endRecord();
        GenericRecord order = new GenericData.Record(schema);
        order.put("customerId", ByteBuffer.wrap(new byte[] {0x0c, 0x01}));
        order.put("customerEmail", FieldCipher.encrypt(primitive("0c01"), "ann@example.com",
                FieldCipher.associatedData(PRODUCT.toString(), "customerEmail", "0c01")));
        var decryption = new FieldDecryption(PRODUCT, "customerId", List.of("customerEmail"), this::key);

        FieldDecryption.Decrypted read = decryption.decrypt(order);

        assertThat(read.value().get("customerEmail")).isEqualTo("ann@example.com");
        assertThat(read.isErased()).isFalse();
    }

    @Test
    void aCiphertextMovedToAnotherSubjectsRecordDoesNotDecrypt() throws Exception {
        GenericRecord ann = order("c-1", "ann@example.com");
        GenericRecord bob = order("c-2", "bob@example.com");
        bob.put("customerEmail", ann.get("customerEmail"));
        var asked = new AtomicInteger();
        ProductKeys counting = new ProductKeys() {
            @Override
            public SubjectKey key(String subject) {
                return FieldDecryptionTest.this.key(subject);
            }

            @Override
            public SubjectKey latest(String subject) {
                asked.incrementAndGet();
                return key(subject);
            }
        };
        var decryption = new FieldDecryption(PRODUCT, "customerId", List.of("customerEmail"), counting);

        assertThatThrownBy(() -> decryption.decrypt(bob)).isInstanceOf(MeshException.class).hasMessage("field customerEmail of a record of "
                + "shop.order-placed.v1 about subject c-2 does not decrypt with that subject's key: it was not written there by the contract gate");
        assertThat(asked).as("asked for the latest key once: it may have been the subject's fresh one").hasValue(1);
    }

    @Test
    void theKeyServiceIsAskedOncePerTtlAndAnErasedSubjectReadsAsNoKey() throws Exception {
        String served = TinkJsonProtoKeysetFormat.serializeKeyset(keyset("c-1"), InsecureSecretKeyAccess.get());
        var calls = new AtomicInteger();
        var queries = new java.util.concurrent.CopyOnWriteArrayList<String>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/products/" + PRODUCT + "/keys/", exchange -> {
            calls.incrementAndGet();
            queries.add(String.valueOf(exchange.getRequestURI().getQuery()));
            boolean known = exchange.getRequestURI().getPath().endsWith("/c-1");
            byte[] body = (known ? "{\"keyset\": " + TextNode.valueOf(served) + ", \"ttlSeconds\": 5, \"erasedKeyIds\": [7, -3]}"
                    : "{\"error\": \"erased\"}").getBytes(UTF_8);
            exchange.sendResponseHeaders(known ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            var clock = new AtomicLong(1_000);
            var client = new KeyServiceClient(new CatalogClient("http://127.0.0.1:" + server.getAddress().getPort(),
                    MeshClientConfig.of("unused:9092", "analytics", null, "secret")), PRODUCT, clock::get);

            SubjectKey served1 = client.key("c-1");
            assertThat(served1.erasedKeyIds()).containsExactlyInAnyOrder(7, -3);
            Aead key = served1.key().orElseThrow();
            assertThat(key.decrypt(primitive("c-1").encrypt("x".getBytes(UTF_8), new byte[0]), new byte[0])).isEqualTo("x".getBytes(UTF_8));
            clock.addAndGet(4_999);
            assertThat(client.key("c-1").key()).isPresent();
            assertThat(calls).as("kept for its TTL").hasValue(1);
            clock.addAndGet(1);
            assertThat(client.key("c-1").key()).isPresent();
            assertThat(calls).as("asked again once the TTL is over").hasValue(2);
            assertThat(client.key("c-9")).isEqualTo(SubjectKey.NONE);
            assertThat(client.latest("c-1").key()).as("past the cache").isPresent();
            assertThat(calls).hasValue(4);
            assertThat(queries).containsExactly("null", "null", "null", "latest=true");

            clock.addAndGet(10_000);
            client.key("c-2");
            assertThat(client.held()).as("answers past their TTL are let go, not kept for every subject ever read").isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }

    private GenericRecord order(String customer, String email) throws Exception {
        Aead key = primitive(customer);
        GenericRecord order = new GenericData.Record(SCHEMA);
        order.put("customerId", customer);
        order.put("customerEmail", FieldCipher.encrypt(key, email, FieldCipher.associatedData(PRODUCT.toString(), "customerEmail", customer)));
        order.put("photo", ByteBuffer.wrap(key.encrypt(("ann's face").getBytes(UTF_8), FieldCipher.associatedData(PRODUCT.toString(), "photo", customer))));
        order.put("country", "FR");
        return order;
    }

    private SubjectKey key(String subject) {
        KeysetHandle keyset = keysets.get(subject);
        return keyset == null ? SubjectKey.NONE : SubjectKey.of(keyset, erasedKeyIds.getOrDefault(subject, Set.of()));
    }

    private Aead primitive(String subject) throws Exception {
        return aead(keyset(subject));
    }

    private KeysetHandle keyset(String subject) throws Exception {
        LocalKms.register();
        KeysetHandle keyset = keysets.get(subject);
        if (keyset == null) {
            keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            keysets.put(subject, keyset);
        }
        return keyset;
    }

    private static Aead aead(KeysetHandle keyset) {
        try {
            return keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
