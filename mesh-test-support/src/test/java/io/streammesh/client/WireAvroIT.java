package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** Wire headers on the real registry: each subject gets its schema registered, whatever another subject holds. */
@MeshTest
class WireAvroIT {

    @Test
    void schemasThatDifferOnlyInTheirDocsAreRegisteredUnderEachOfTheirSubjects(EmbeddedMesh mesh) {
        Schema first = SchemaBuilder.record("Order").namespace("io.streammesh.test.wire").doc("the first product's view")
                .fields().requiredString("orderId").endRecord();
        Schema second = SchemaBuilder.record("Order").namespace("io.streammesh.test.wire").doc("the second product's view")
                .fields().requiredString("orderId").endRecord();
        assertThat(first).as("Avro's equality ignores docs").isEqualTo(second);

        try (var registry = SchemaRegistry.connect(mesh.clientConfig("mesh-admin"))) {
            var wire = new WireAvro(registry);
            wire.header("wire-it.first-value", first);
            wire.header("wire-it.second-value", second);

            assertThat(registry.latest("wire-it.first-value")).hasValueSatisfying(s -> assertThat(s.content()).contains("the first product's view"));
            assertThat(registry.latest("wire-it.second-value")).hasValueSatisfying(s -> assertThat(s.content()).contains("the second product's view"));
        }
    }
}
