package io.streammesh.enforcer;

import io.streammesh.schema.ProductFields;
import io.streammesh.schema.LocatedRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.Mask;
import io.streammesh.schema.ViewSchemas;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Views written from a record's bytes (fields located, kept ones copied, masked ones written
 * anew) against the plain way: decode the whole record, mask its values, encode the result.
 */
class ViewRecordsTest {

    private static final Schema INNER = SchemaBuilder.record("Inner").fields()
            .requiredInt("a").optionalString("b").endRecord();
    private static final Schema KIND = SchemaBuilder.enumeration("Kind").symbols("RETAIL", "WHOLESALE", "INTERNAL");
    private static final Schema PRODUCT = SchemaBuilder.record("Rich").namespace("test").fields()
            .requiredString("id")
            .requiredString("email")
            .optionalString("phone")
            .requiredBytes("token")
            .requiredInt("age")
            .requiredString("address")
            .optionalString("note")
            .requiredString("secret")
            .optionalLong("maybe")
            .requiredDouble("score")
            .name("kind").type(KIND).noDefault()
            .name("tags").type().array().items().stringType().noDefault()
            .name("attrs").type().map().values().longType().noDefault()
            .name("inner").type(INNER).noDefault()
            .requiredBoolean("flag")
            .requiredFloat("ratio")
            .name("code").type().fixed("Code").size(3).noDefault()
            .name("other").type().optional().type(SchemaBuilder.record("Other").fields().requiredLong("x").endRecord())
            .endRecord();
    private static final Map<String, Mask> MASKS = masks("email", "hash", "phone", "hash", "token", "hash", "age", "hash",
            "address", "truncate(4)", "note", "truncate(3)", "secret", "redact", "maybe", "redact", "score", "redact", "kind", "redact");
    private static final byte[] KEY = "product-key".getBytes(StandardCharsets.UTF_8);

    private final Random random = new Random(42);
    private final Schema view = ViewSchemas.derive(PRODUCT, "test.rich.v1", "analytics", MASKS);
    private final ProductFields fields = new ProductFields(PRODUCT);
    private final ViewRecords records = new ViewRecords(PRODUCT, view, MASKS, KEY, new byte[0]);

    @Test
    void aViewRecordIsTheProductRecordWithItsMaskedFieldsMaskedAndTheRestAsTheyWere() {
        for (int i = 0; i < 500; i++) {
            GenericRecord product = randomRecord();
            boolean blocked = i % 2 == 0;
            byte[] written = AvroBytes.encode(product, blocked);

            GenericRecord expected = masked(product);
            byte[] viewBytes = records.write(fields.locate(written, 0));

            assertThat(AvroBytes.decode(viewBytes, view)).isEqualTo(expected);
            if (!blocked) {
                assertThat(viewBytes).as("the bytes Avro writes for the masked record").isEqualTo(AvroBytes.encode(expected, false));
            }
        }
    }

    @Test
    void aFieldIsDecodedOnlyWhenAskedForAndAsAvroWouldDecodeIt() {
        GenericRecord product = randomRecord();
        LocatedRecord located = fields.locate(AvroBytes.encode(product, true), 0);
        GenericRecord partial = located.with(new int[] {PRODUCT.getField("tags").pos(), PRODUCT.getField("kind").pos()});

        assertThat(partial.get("tags")).isEqualTo(product.get("tags"));
        assertThat(partial.get("kind")).isEqualTo(product.get("kind"));
        assertThat(partial.get("id")).isNull();
        assertThat(located.value(PRODUCT.getField("inner").pos())).isEqualTo(product.get("inner"));
    }

    @Test
    void bytesThatAreNotARecordOfTheSchemaAreRefusedNamingTheField() {
        byte[] whole = AvroBytes.encode(randomRecord(), false);
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> fields.locate(cut, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("field ");
        }
        byte[] badKind = withField(whole, "kind", new byte[] {6});
        assertThatThrownBy(() -> fields.locate(badKind, 0)).hasMessage("field kind: enum symbol 3 of 3");
        byte[] badUnion = withField(whole, "phone", new byte[] {4});
        assertThatThrownBy(() -> fields.locate(badUnion, 0)).hasMessage("field phone: union branch 2 of 2");
    }

    /** The record's bytes with one field's bytes replaced. */
    private byte[] withField(byte[] whole, String field, byte[] replacement) {
        LocatedRecord located = fields.locate(whole, 0);
        int pos = PRODUCT.getField(field).pos();
        var out = new ByteArrayOutputStream();
        out.write(whole, 0, located.start(pos));
        out.write(replacement, 0, replacement.length);
        out.write(whole, located.end(pos), whole.length - located.end(pos));
        return out.toByteArray();
    }

    /** The plain way: every value decoded, masked, the whole record encoded. */
    private GenericRecord masked(GenericRecord product) {
        GenericRecord out = new GenericData.Record(view);
        for (Schema.Field field : PRODUCT.getFields()) {
            Object value = product.get(field.pos());
            Mask mask = MASKS.get(field.name());
            out.put(field.name(), mask == null ? value : switch (mask.kind()) {
                case HASH -> value == null ? null : hmac(value instanceof ByteBuffer bytes ? bytes.array() : value.toString().getBytes(StandardCharsets.UTF_8));
                case TRUNCATE -> value == null ? null : value.toString().substring(0, Math.min(mask.length(), value.toString().length()));
                case REDACT -> switch (field.name()) {
                    case "secret" -> "";
                    case "maybe" -> null;
                    case "score" -> 0d;
                    case "kind" -> new GenericData.EnumSymbol(KIND, "RETAIL");
                    default -> throw new IllegalStateException(field.name());
                };
                case ENCRYPTED -> throw new IllegalStateException("no field of this product is encrypted");
            });
        }
        return AvroBytes.decode(AvroBytes.encode(out, false), view);
    }

    private GenericRecord randomRecord() {
        GenericRecord record = new GenericData.Record(PRODUCT);
        record.put("id", text());
        record.put("email", text() + "@example.com");
        record.put("phone", random.nextBoolean() ? null : "+33" + random.nextInt(1_000_000));
        record.put("token", ByteBuffer.wrap(bytes(random.nextInt(20))));
        record.put("age", random.nextInt(200) - 50);
        record.put("address", text());
        record.put("note", random.nextBoolean() ? null : text());
        record.put("secret", text());
        record.put("maybe", random.nextBoolean() ? null : random.nextLong());
        record.put("score", random.nextDouble() * 1000);
        record.put("kind", new GenericData.EnumSymbol(KIND, KIND.getEnumSymbols().get(random.nextInt(3))));
        List<String> tags = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            tags.add(text());
        }
        record.put("tags", tags);
        Map<String, Long> attrs = new LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            attrs.put(text(), random.nextLong());
        }
        record.put("attrs", attrs);
        GenericRecord inner = new GenericData.Record(INNER);
        inner.put("a", random.nextInt());
        inner.put("b", random.nextBoolean() ? null : text());
        record.put("inner", inner);
        record.put("flag", random.nextBoolean());
        record.put("ratio", random.nextFloat());
        record.put("code", new GenericData.Fixed(PRODUCT.getField("code").schema(), bytes(3)));
        if (random.nextBoolean()) {
            GenericRecord other = new GenericData.Record(PRODUCT.getField("other").schema().getTypes().get(1));
            other.put("x", random.nextLong());
            record.put("other", other);
        }
        return AvroBytes.decode(AvroBytes.encode(record, false), PRODUCT);
    }

    /** Text of any length up to 300, with non-ASCII characters (truncation counts characters, not bytes). */
    private String text() {
        var text = new StringBuilder();
        for (int i = random.nextInt(300); i > 0; i--) {
            text.append(random.nextInt(10) == 0 ? 'é' : (char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String hmac(byte[] value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(value));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Mask> masks(String... fieldsAndMasks) {
        Map<String, Mask> masks = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndMasks.length; i += 2) {
            masks.put(fieldsAndMasks[i], Mask.parse(fieldsAndMasks[i + 1]));
        }
        return masks;
    }
}
