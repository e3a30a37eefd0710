package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.apicurio.registry.resolver.data.Metadata;
import io.apicurio.registry.resolver.data.Record;
import io.streammesh.schema.WriterRefusals;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * The mesh's Avro serdes make each schema's reader, writer and parsed form once, not once per
 * record as Apicurio's defaults do; what they read and write stays the same.
 */
class CachedAvroSerdesTest {

    private static final WriterRefusals REFUSALS = new WriterRefusals(3L, Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(2_000), "flood-1");

    @Test
    void eachSchemasReaderAndWriterIsMadeOnceAndReadsWhatItWrote() throws Exception {
        var provider = new CachingAvroDatumProvider<Object>();
        provider.setUseSpecificAvroReader(true);
        Schema schema = WriterRefusals.getClassSchema();

        assertThat(provider.createDatumWriter(REFUSALS, schema)).isSameAs(provider.createDatumWriter(REFUSALS, schema));
        assertThat(provider.createDatumReader(schema)).isSameAs(provider.createDatumReader(schema));

        var out = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        provider.createDatumWriter(REFUSALS, schema).write(REFUSALS, encoder);
        Object read = provider.createDatumReader(schema).read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertThat(read).isEqualTo(REFUSALS);
    }

    @Test
    void aGenericRecordGetsAGenericWriterThoughItsSchemaHadASpecificOne() throws Exception {
        var provider = new CachingAvroDatumProvider<Object>();
        Schema schema = WriterRefusals.getClassSchema();
        provider.createDatumWriter(REFUSALS, schema);
        GenericRecord generic = new GenericData.Record(SchemaBuilder.record("Plain").fields().requiredString("name").endRecord());
        generic.put("name", "x");

        var out = new ByteArrayOutputStream();
        provider.createDatumWriter(generic, generic.getSchema()).write(generic, EncoderFactory.get().directBinaryEncoder(out, null));
        assertThat(out.toByteArray()).hasSize(2);
        assertThat(provider.createDatumWriter(generic, schema)).isNotSameAs(provider.createDatumWriter(REFUSALS, schema));
    }

    @Test
    void theSerializerParsesEachSchemaOnce() {
        try (var serializer = new MeshAvroSerializer<Object>()) {
            serializer.configure(Map.of("apicurio.registry.url", "http://127.0.0.1:1/apis/registry/v2"), false);
            var parser = serializer.schemaParser();

            assertThat(parser.getSchemaFromData(record(REFUSALS))).isSameAs(parser.getSchemaFromData(record(
                    new WriterRefusals(9L, Instant.EPOCH, Instant.EPOCH, "other"))));
            assertThat(parser.getSchemaFromData(record(REFUSALS)).getRawSchema())
                    .isEqualTo(WriterRefusals.getClassSchema().toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSchemaEqualToAnotherButForItsDocKeepsItsOwnText() {
        Schema plain = SchemaBuilder.record("Plain").fields().requiredString("name").endRecord();
        Schema documented = SchemaBuilder.record("Plain").doc("what a plain record is").fields().requiredString("name").endRecord();
        GenericRecord first = new GenericData.Record(plain);
        GenericRecord second = new GenericData.Record(documented);
        try (var serializer = new MeshAvroSerializer<Object>()) {
            serializer.configure(Map.of("apicurio.registry.url", "http://127.0.0.1:1/apis/registry/v2"), false);
            var parser = serializer.schemaParser();

            assertThat(plain).isEqualTo(documented);
            assertThat(new String(parser.getSchemaFromData(record(first)).getRawSchema(), StandardCharsets.UTF_8))
                    .doesNotContain("what a plain record is");
            assertThat(new String(parser.getSchemaFromData(record(second)).getRawSchema(), StandardCharsets.UTF_8))
                    .contains("what a plain record is");
        }
    }

    private static Record<Object> record(Object payload) {
        return new Record<>() {
            @Override
            public Metadata metadata() {
                return null;
            }

            @Override
            public Object payload() {
                return payload;
            }
        };
    }
}
