package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.AvroBytes;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.ProductFields;
import io.streammesh.testing.MemoryKeyLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate's encryption of a record's bytes where they lie, against the same encryption of the decoded record. */
class RecordEncryptionTest {

    private static final ProductAddress ADDRESS = ProductAddress.parse("shop.visits.v1");
    /** Encrypted fields of every shape: nullable (set and null), bytes, a plain string last; others between and after. */
    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Visit", "fields": [
              {"name": "email", "type": ["null", "string"]},
              {"name": "visitId", "type": "string"},
              {"name": "photo", "type": "bytes"},
              {"name": "phone", "type": ["string", "null"]},
              {"name": "customerId", "type": "string"},
              {"name": "pages", "type": {"type": "array", "items": "string"}},
              {"name": "note", "type": "string"},
              {"name": "amount", "type": "double"}]}""");
    private static final ProductEncryption ENCRYPTION = new ProductEncryption("customerId", List.of("note", "email", "photo", "phone"));

    @TempDir
    Path keks;
    private SubjectKeys keys;
    private RecordEncryption encryption;

    @BeforeEach
    void start() {
        keys = new SubjectKeys(new MemoryKeyLog().reader(), new LocalKms(keks), LocalKms::uri, d -> 0, System::currentTimeMillis);
        encryption = RecordEncryption.of(ADDRESS, ENCRYPTION, SCHEMA, new PreparedKeys(keys, Runnable::run));
    }

    @Test
    void theFieldsAreEncryptedIntoACopyOfTheBytesAndEveryOtherFieldIsLeftAsItWas() throws Exception {
        // non-ASCII text too: a string field's UTF-8 bytes are encrypted as the record holds them
        for (GenericRecord visit : List.of(visit("ann@example.com", "+44 20"), visit(null, null), visit("", "x".repeat(200)),
                visit("änne@exämple.com", "+44 20 ☎ 東京"))) {
            byte[] value = GateTopologyTest.wire(7, visit);

            byte[] encrypted = encryption.encrypt(new ProductFields(SCHEMA).locate(value, 5));

            assertThat(encrypted).startsWith(0, 0, 0, 0, 7);
            GenericRecord read = decode(encrypted);
            Aead key = ProductKey.of(keys.existing("shop", "c-1").orElseThrow(), ADDRESS.toString());
            for (String clear : List.of("visitId", "customerId", "pages", "amount")) {
                assertThat(read.get(clear)).as(clear).isEqualTo(decode(value).get(clear));
            }
            assertThat(open(key, read, "note")).isEqualTo("a note");
            assertThat(read.get("email") == null ? null : open(key, read, "email")).isEqualTo(visit.get("email"));
            assertThat(read.get("phone") == null ? null : open(key, read, "phone")).isEqualTo(visit.get("phone"));
            assertThat(key.decrypt(AvroBytes.copyOf((ByteBuffer) read.get("photo")),
                    FieldCipher.associatedData(ADDRESS.toString(), "photo", "c-1"))).containsExactly(1, 2, 3);
        }
    }

    @Test
    void theBytesEncryptedWhereTheyLieDecodeAsTheDecodedRecordEncryptedAndWrittenAgain() {
        GenericRecord visit = visit("ann@example.com", null);
        GenericRecord decoded = decode(GateTopologyTest.wire(7, visit));
        encryption.encrypt(decoded);

        GenericRecord spliced = decode(encryption.encrypt(new ProductFields(SCHEMA).locate(GateTopologyTest.wire(7, visit), 5)));

        for (Schema.Field field : SCHEMA.getFields()) {
            Object expected = decoded.get(field.pos());
            Object actual = spliced.get(field.pos());
            if (expected instanceof CharSequence text && FieldCipher.isEncrypted(text.toString())) {
                // the same field, encrypted: another nonce, the same length
                assertThat(actual.toString()).startsWith(FieldCipher.PREFIX).hasSameSizeAs(text.toString());
            } else if (field.name().equals("photo")) {
                assertThat(((ByteBuffer) actual).remaining()).isEqualTo(((ByteBuffer) expected).remaining());
            } else {
                assertThat(actual).as(field.name()).isEqualTo(expected);
            }
        }
    }

    @Test
    void aRecordWithoutASubjectIsUnencryptableNamingTheSubjectField() {
        GenericRecord visit = visit("ann@example.com", null);
        visit.put("customerId", "");

        assertThatThrownBy(() -> encryption.encrypt(new ProductFields(SCHEMA).locate(GateTopologyTest.wire(7, visit), 5)))
                .isInstanceOf(RecordEncryption.Unencryptable.class)
                .hasMessageStartingWith("field customerId names the data subject");
    }

    @Test
    void aRegistrationListingAFieldTwiceIsRefused() {
        assertThatThrownBy(() -> RecordEncryption.of(ADDRESS, new ProductEncryption("customerId", List.of("note", "note")), SCHEMA, new PreparedKeys(keys, Runnable::run)))
                .isInstanceOf(MeshException.class)
                .hasMessage("encryption.fields of shop.visits.v1 lists a field twice");
    }

    private static String open(Aead key, GenericRecord record, String field) throws GeneralSecurityException {
        return FieldCipher.decrypt(key, record.get(field).toString(), FieldCipher.associatedData(ADDRESS.toString(), field, "c-1"));
    }

    private static GenericRecord visit(String email, String phone) {
        var visit = new GenericData.Record(SCHEMA);
        visit.put("email", email);
        visit.put("visitId", "v-1");
        visit.put("photo", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        visit.put("phone", phone);
        visit.put("customerId", "c-1");
        visit.put("pages", List.of("/", "/cart"));
        visit.put("note", "a note");
        visit.put("amount", 9.5);
        return visit;
    }

    private static GenericRecord decode(byte[] value) {
        try {
            var decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
            GenericRecord record = new GenericDatumReader<GenericRecord>(SCHEMA).read(null, decoder);
            assertThat(decoder.isEnd()).isTrue();
            return record;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
