package io.streammesh.connector.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON Schema shipped for editors names exactly the keys the reader accepts, so neither drifts from the other. */
class DataContractJsonSchemaTest {

    @Test
    void theJsonSchemaDescribesEveryKeyOfTheContractAndNoOther() throws Exception {
        JsonNode schema;
        try (var in = DataContract.class.getResourceAsStream("/data-contract.schema.json")) {
            schema = new ObjectMapper().readTree(in);
        }
        assertThat(keys(schema.get("properties"))).containsExactlyInAnyOrderElementsOf(components(DataContract.class));
        for (Class<?> nested : List.of(DataContract.Owner.class, DataContract.Topic.class, DataContract.Slo.class, DataContract.Lineage.class)) {
            String key = nested == DataContract.Slo.class ? "slo" : nested.getSimpleName().toLowerCase();
            assertThat(keys(schema.get("properties").get(key).get("properties"))).as(key)
                    .containsExactlyInAnyOrderElementsOf(components(nested));
        }
        assertThat(keys(schema.at("/properties/quality/items/properties"))).containsExactlyInAnyOrderElementsOf(components(DataContract.QualityRule.class));
        assertThat(keys(schema.at("/properties/views/items/properties"))).containsExactlyInAnyOrderElementsOf(components(DataContract.View.class));
    }

    private static List<String> keys(JsonNode object) {
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static List<String> components(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
    }
}
