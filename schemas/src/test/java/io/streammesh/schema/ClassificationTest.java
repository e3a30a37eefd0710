package io.streammesh.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
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
}
