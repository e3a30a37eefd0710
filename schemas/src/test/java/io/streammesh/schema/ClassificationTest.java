package io.streammesh.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClassificationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"public, PUBLIC", "internal, INTERNAL", "confidential, CONFIDENTIAL", "restricted, RESTRICTED"})
    void parsesEachLabelAndSpellsItBackTheSame(String label, Classification expected) {
        assertThat(Classification.parse("classification", label)).isEqualTo(expected);
        assertThat(expected.label()).isEqualTo(label);
        assertThat(expected).hasToString(label);
    }

    @Test
    void listsTheLabelsInOrderOfSensitivity() {
        assertThat(Classification.labels()).isEqualTo("public, internal, confidential, restricted");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"secret", "Public", "PUBLIC", " public", ""})
    void rejectsAnUnknownLabelNamingTheFieldAndTheAllowedLabels(String label) {
        assertThat(Classification.of(label)).isEmpty();
        assertThatThrownBy(() -> Classification.parse("classification", label))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("classification: '" + label + "' is not one of public, internal, confidential, restricted");
    }

    @Test
    void knowsNoClassificationWhenThereIsNone() {
        assertThat(Classification.of(null)).isEmpty();
    }

    @Test
    void staysAStringOnTheWireBecauseAvroCannotReadAnOldStringAsAnEnum() {
        Schema written = ProductRegistration.getClassSchema();
        Schema classification = Schema.createEnum("Classification", null, "io.streammesh.schema",
                Arrays.stream(Classification.values()).map(Classification::label).toList());
        List<Schema.Field> fields = written.getFields().stream()
                .map(f -> f.name().equals("classification")
                        ? new Schema.Field(f.name(), Schema.createUnion(Schema.create(Schema.Type.NULL), classification), f.doc(), f.defaultVal())
                        : new Schema.Field(f, f.schema()))
                .toList();
        Schema asEnum = Schema.createRecord(written.getName(), written.getDoc(), written.getNamespace(), false, fields);

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(asEnum, written).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void aRegistrationWrittenBeforeTheEnumIsReadByTheNewSchemaAndClassifiedByItsLabel() throws IOException {
        Schema old = withoutLevel();
        GenericRecord written = required(new GenericRecordBuilder(old)).set("classification", "confidential").build();

        ProductRegistration read = readAsCurrent(old, written);

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(ProductRegistration.getClassSchema(), old).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(read.getClassificationLevel()).isNull();
        assertThat(Classification.declaredBy(read)).contains(Classification.CONFIDENTIAL);
    }

    @Test
    void aReaderWrittenBeforeTheEnumStillReadsTheLabelOfANewRegistration() {
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(withoutLevel(), ProductRegistration.getClassSchema()).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(Classification.RESTRICTED.level()).isEqualTo(ClassificationLevel.RESTRICTED);
    }

    @Test
    void aLevelThisReaderDoesNotKnowIsReadAsTheMostSensitive() throws IOException {
        Schema newer = withLevelSymbols("PUBLIC", "INTERNAL", "CONFIDENTIAL", "RESTRICTED", "SECRET");
        Schema level = newer.getField("classificationLevel").schema().getTypes().get(1);
        GenericRecord written = required(new GenericRecordBuilder(newer))
                .set("classificationLevel", new GenericData.EnumSymbol(level, "SECRET")).build();

        assertThat(Classification.declaredBy(readAsCurrent(newer, written))).contains(Classification.RESTRICTED);
    }

    @Test
    void theEnumDecidesWhenARegistrationCarriesBoth() {
        ProductRegistration registration = required(ProductRegistration.newBuilder())
                .setClassification("public").setClassificationLevel(ClassificationLevel.INTERNAL).build();

        assertThat(Classification.declaredBy(registration)).contains(Classification.INTERNAL);
    }

    private static ProductRegistration.Builder required(ProductRegistration.Builder registration) {
        return registration.setAddress("orders.order-placed.v1").setDomain("orders").setName("order-placed").setVersion("1.0.0")
                .setSchemaSubject("orders.order-placed.v1-value").setPublishedAt(Instant.parse("2026-12-01T00:00:00Z"));
    }

    private static GenericRecordBuilder required(GenericRecordBuilder registration) {
        return registration.set("address", "orders.order-placed.v1").set("domain", "orders").set("name", "order-placed")
                .set("version", "1.0.0").set("schemaSubject", "orders.order-placed.v1-value")
                .set("publishedAt", Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
    }

    /** ProductRegistration as it was before classificationLevel. */
    private static Schema withoutLevel() {
        return copy(ProductRegistration.getClassSchema().getFields().stream().filter(f -> !f.name().equals("classificationLevel"))
                .map(f -> new Schema.Field(f, f.schema())).toList());
    }

    /** ProductRegistration as a newer mesh might write it, knowing more levels. */
    private static Schema withLevelSymbols(String... symbols) {
        Schema level = Schema.createEnum("ClassificationLevel", null, "io.streammesh.schema", List.of(symbols), "RESTRICTED");
        return copy(ProductRegistration.getClassSchema().getFields().stream()
                .map(f -> f.name().equals("classificationLevel")
                        ? new Schema.Field(f.name(), Schema.createUnion(Schema.create(Schema.Type.NULL), level), f.doc(), f.defaultVal())
                        : new Schema.Field(f, f.schema()))
                .toList());
    }

    private static Schema copy(List<Schema.Field> fields) {
        Schema current = ProductRegistration.getClassSchema();
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    private static ProductRegistration readAsCurrent(Schema writer, GenericRecord record) throws IOException {
        var bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(writer).write(record, encoder);
        encoder.flush();
        return new SpecificDatumReader<ProductRegistration>(writer, ProductRegistration.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }
}
