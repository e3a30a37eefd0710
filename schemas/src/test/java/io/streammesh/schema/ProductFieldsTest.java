package io.streammesh.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class ProductFieldsTest {

    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Every", "fields": [
              {"name": "i", "type": "int"},
              {"name": "l", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "f", "type": "float"},
              {"name": "d", "type": "double"},
              {"name": "b", "type": "boolean"},
              {"name": "utf8", "type": "string"},
              {"name": "text", "type": {"type": "string", "avro.java.string": "String"}},
              {"name": "e", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"]}},
              {"name": "u", "type": ["null", "string"]},
              {"name": "m", "type": {"type": "map", "values": "long"}},
              {"name": "raw", "type": "bytes"}]}""");

    private final ProductFields fields = new ProductFields(SCHEMA);

    @Test
    void eachFieldDecodesAsAvrosReaderOfTheWholeRecordDecodesIt() {
        for (GenericRecord record : List.of(
                record(0, 0L, 0f, 0d, false, "", "", "RED", null),
                record(Integer.MIN_VALUE, Long.MIN_VALUE, Float.NaN, -0.0d, true, "é€𝄞", "ünïcødé", "GREEN", "set"),
                record(Integer.MAX_VALUE, Long.MAX_VALUE, Float.MAX_VALUE, Double.MIN_VALUE, true, "x".repeat(300), "y", "RED", ""),
                record(-1, 1_733_000_000_000L, -1.5f, 123.456, false, "a", "b", "GREEN", "c"))) {
            byte[] bytes = encode(record);
            GenericRecord whole = decode(bytes);

            LocatedRecord located = fields.locate(bytes, 0);

            assertThat(located.end()).isEqualTo(bytes.length);
            for (Schema.Field field : SCHEMA.getFields()) {
                Object value = located.value(field.pos());
                assertThat(value).as(field.name()).isEqualTo(whole.get(field.pos()));
                if (value != null) {
                    assertThat(value).as(field.name()).isExactlyInstanceOf(whole.get(field.pos()).getClass());
                }
            }
        }
    }

    @Test
    void aReaderThatWantsTextGetsPlainStringFieldsAsStringsAndEveryOtherFieldAsAvroGivesIt() {
        GenericRecord record = record(-1, 1_733_000_000_000L, -1.5f, 123.456, false, "é€𝄞", "b", "GREEN", "c");
        byte[] bytes = encode(record);
        GenericRecord whole = decode(bytes);

        LocatedRecord located = new ProductFields(SCHEMA, true).locate(bytes, 0);

        assertThat(located.value(SCHEMA.getField("utf8").pos())).isEqualTo("é€𝄞");
        assertThat(located.value(SCHEMA.getField("text").pos())).isEqualTo("b");
        for (Schema.Field field : SCHEMA.getFields()) {
            if (!field.name().equals("utf8")) {
                assertThat(located.value(field.pos())).as(field.name()).isEqualTo(whole.get(field.pos()));
            }
        }
    }

    @Test
    void anIntOfMoreThanFiveBytesIsRefusedAsAvrosDecoderRefusesIt() {
        byte[] bytes = encode(record(1, 2L, 3f, 4d, true, "a", "b", "RED", null));
        byte[] longInt = new byte[bytes.length + 5];
        // the int 1 as six bytes: five with the continuation bit, then 0
        byte[] sixBytes = {(byte) 0x82, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0};
        System.arraycopy(sixBytes, 0, longInt, 0, 6);
        System.arraycopy(bytes, 1, longInt, 6, bytes.length - 1);

        assertThatThrownBy(() -> fields.locate(longInt, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("field i: an int longer than 5 bytes");
        assertThatThrownBy(() -> decode(longInt)).hasMessageContaining("Invalid int encoding");
    }

    @Test
    void aFiveByteIntKeepsOnlyTheBitsAvrosDecoderKeeps() {
        byte[] bytes = encode(record(1, 2L, 3f, 4d, true, "a", "b", "RED", null));
        byte[] wide = new byte[bytes.length + 4];
        // five bytes whose last sets bits beyond the int's 32
        byte[] fiveBytes = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        System.arraycopy(fiveBytes, 0, wide, 0, 5);
        System.arraycopy(bytes, 1, wide, 5, bytes.length - 1);

        assertThat(fields.locate(wide, 0).value(0)).isEqualTo(decode(wide).get("i"));
    }

    @Test
    void anEnumSymbolOrUnionBranchOutOfRangeNamesItsField() {
        GenericRecord record = record(1, 2L, 3f, 4d, true, "a", "b", "GREEN", null);
        byte[] bytes = encode(record);
        // from the end: raw (3 bytes), m (5), u (1), then e's symbol index
        bytes[bytes.length - 10] = 4;

        assertThatThrownBy(() -> fields.locate(bytes, 0)).hasMessage("field e: enum symbol 2 of 2");
    }

    @Test
    void aBlockOfItemsWithItsSizeIsReadAsAvroReadsItAndOneWhoseSizeIsNotItsItemsIsRefused() {
        byte[] bytes = encode(record(1, 2L, 3f, 4d, true, "a", "b", "RED", null));
        LocatedRecord plain = fields.locate(bytes, 0);
        int map = SCHEMA.getField("m").pos();
        // {"k": 1} as one block of -1 items (so with its size) of 3 bytes: key length, 'k', 1
        byte[] sized = splice(bytes, plain.start(map), plain.end(map), 0x01, 0x06, 0x02, 'k', 0x02, 0x00);
        // the same block saying it is 4 bytes long: Avro's reader ignores the size, so the byte after it would be read as
        // the next field by every consumer
        byte[] lying = splice(bytes, plain.start(map), plain.end(map), 0x01, 0x08, 0x02, 'k', 0x02, 0x00);

        LocatedRecord located = fields.locate(sized, 0);
        assertThat(located.end()).isEqualTo(sized.length);
        assertThat(located.value(map)).isEqualTo(decode(sized).get(map));
        assertThat(located.value(SCHEMA.getField("raw").pos())).isEqualTo(decode(sized).get("raw"));
        assertThatThrownBy(() -> fields.locate(lying, 0))
                .hasMessage("field m: a block of 1 items says it is 4 bytes long, its items are 3");
    }

    @Test
    void aNegativeLengthAUnionBranchOutOfRangeOrAnItemCountOfNoContentOverTheLimitNamesItsField() {
        byte[] bytes = encode(record(1, 2L, 3f, 4d, true, "a", "b", "RED", null));
        LocatedRecord plain = fields.locate(bytes, 0);
        int utf8 = SCHEMA.getField("utf8").pos();
        int union = SCHEMA.getField("u").pos();
        Schema nulls = new Schema.Parser().parse(
                "{\"type\": \"record\", \"name\": \"Nulls\", \"fields\": [{\"name\": \"n\", \"type\": {\"type\": \"array\", \"items\": \"null\"}}]}");
        // a billion nulls take five bytes of count and none of content
        byte[] billion = {(byte) 0x80, (byte) 0xa8, (byte) 0xd6, (byte) 0xb9, 0x07, 0x00};

        assertThatThrownBy(() -> fields.locate(splice(bytes, plain.start(utf8), plain.end(utf8), 0x01), 0))
                .hasMessage("field utf8: a length of -1");
        assertThatThrownBy(() -> fields.locate(splice(bytes, plain.start(union), plain.end(union), 0x04), 0))
                .hasMessage("field u: union branch 2 of 2");
        assertThatThrownBy(() -> new ProductFields(nulls).locate(billion, 0))
                .hasMessage("field n: more than 65536 items without content");
    }

    /** @return the bytes with those from {@code start} to {@code end} replaced */
    private static byte[] splice(byte[] bytes, int start, int end, int... replacement) {
        var out = new ByteArrayOutputStream();
        out.write(bytes, 0, start);
        for (int b : replacement) {
            out.write(b);
        }
        out.write(bytes, end, bytes.length - end);
        return out.toByteArray();
    }

    private static GenericRecord record(int i, long l, float f, double d, boolean b, String utf8, String text, String colour,
                                        String u) {
        var record = new GenericData.Record(SCHEMA);
        record.put("i", i);
        record.put("l", l);
        record.put("f", f);
        record.put("d", d);
        record.put("b", b);
        record.put("utf8", utf8);
        record.put("text", text);
        record.put("e", new GenericData.EnumSymbol(SCHEMA.getField("e").schema(), colour));
        record.put("u", u);
        record.put("m", Map.of("k", 1L));
        record.put("raw", java.nio.ByteBuffer.wrap(new byte[] {1, 2}));
        return record;
    }

    private static byte[] encode(GenericRecord record) {
        try {
            var out = new ByteArrayOutputStream();
            var encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(SCHEMA).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GenericRecord decode(byte[] bytes) {
        try {
            return new GenericDatumReader<GenericRecord>(SCHEMA).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
