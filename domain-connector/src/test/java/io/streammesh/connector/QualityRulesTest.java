package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshException;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class QualityRulesTest {

    /** A registration written straight to the registrations topic may name a schema that is no record: one line, not a bug's stack trace. */
    @Test
    void aSchemaThatIsNoRecordIsRefusedInOneLine() {
        assertThatThrownBy(() -> QualityRules.compile(List.of(), Schema.create(Schema.Type.STRING)))
                .isInstanceOf(MeshException.class)
                .hasMessage("the product's registered schema is string, not an Avro record: a product's records are records, "
                        + "and its quality rules read their fields");
    }
}
