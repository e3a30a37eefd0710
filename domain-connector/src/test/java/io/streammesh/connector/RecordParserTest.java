package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class RecordParserTest {

    private static final Schema ORDER = new Schema.Parser().parse(TestContracts.ORDER_SCHEMA);
    private static final Schema PROFILE = new Schema.Parser().parse(TestContracts.read(TestContracts.EXAMPLES.resolve("customers/customer-profile.avsc")));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordParser orders = new RecordParser(ORDER);

    @Test
    void aPlainJsonObjectBecomesARecordWithTimestampsAsIsoTextOrMillis() throws Exception {
        GenericRecord record = orders.fromJson(JSON.readTree("""
                {"orderId": "o-1", "customerId": "c-1", "customerEmail": "a@example.com", "shippingAddress": "1 Main",
                 "country": "FR", "amount": 12, "currency": "EUR", "items": 2, "placedAt": "2026-11-25T10:00:00Z"}"""));

        assertThat(record.get("amount")).isEqualTo(12.0);
        assertThat(record.get("items")).isEqualTo(2);
        assertThat(record.get("placedAt")).isEqualTo(1_795_600_800_000L);
    }

    @Test
    void nullableFieldsTakeNullOrAreLeftOut() throws Exception {
        var profiles = new RecordParser(PROFILE);
        GenericRecord record = profiles.fromJson(JSON.readTree("""
                {"customerId": "c-1", "fullName": "Ann", "email": "ann@example.com", "country": "FR",
                 "segment": "consumer", "updatedAt": 1764064800000}"""));
        assertThat(record.get("phone")).isNull();
        assertThat(profiles.fromCsv(Map.of("customerId", "c-1", "fullName", "Ann", "email", "a@x", "phone", "",
                "country", "FR", "segment", "consumer", "updatedAt", "1764064800000")).get("phone")).isNull();
    }

    @Test
    void wrongTypesMissingAndUnknownFieldsAreNamed() throws Exception {
        String good = """
                {"orderId": "o-1", "customerId": "c-1", "customerEmail": "a@example.com", "shippingAddress": "1 Main",
                 "country": "FR", "amount": 12, "currency": "EUR", "items": 2, "placedAt": 0}""";

        assertThatThrownBy(() -> orders.fromJson(JSON.readTree(good.replace("\"amount\": 12", "\"amount\": \"12\""))))
                .hasMessage("field amount: expected a number, got \"12\"");
        assertThatThrownBy(() -> orders.fromJson(JSON.readTree(good.replace("\"items\": 2", "\"items\": 2.5"))))
                .hasMessage("field items: expected a whole number within int range, got 2.5");
        assertThatThrownBy(() -> orders.fromJson(JSON.readTree(good.replace("\"country\": \"FR\", ", ""))))
                .hasMessage("field country is missing (required: it has no default)");
        assertThatThrownBy(() -> orders.fromJson(JSON.readTree(good.replace("\"items\": 2", "\"items\": 2, \"colour\": 1"))))
                .hasMessageStartingWith("unknown field(s) colour (the schema has orderId, ");
        assertThatThrownBy(() -> orders.fromJson(JSON.readTree(good.replace("\"placedAt\": 0", "\"placedAt\": \"yesterday\""))))
                .hasMessageStartingWith("field placedAt: expected epoch milliseconds or an ISO-8601 time");
        assertThatThrownBy(() -> orders.fromJson(JSON.readTree("[1, 2]"))).hasMessage("expected a JSON object, got array");
    }

    @Test
    void csvCellsAreConvertedByTheFieldsType() {
        Map<String, String> row = Map.of("orderId", "o-1", "customerId", "c-1", "customerEmail", "a@example.com",
                "shippingAddress", "1 Main, Paris", "country", "FR", "amount", "12.5", "currency", "EUR", "items", "x",
                "placedAt", "2026-11-25T10:00:00Z");

        assertThatThrownBy(() -> orders.fromCsv(row)).hasMessage("column items: expected a whole number, got 'x'");
        var fixed = new java.util.HashMap<>(row);
        fixed.put("items", "3");
        assertThat(orders.fromCsv(fixed).get("items")).isEqualTo(3);
        assertThat(orders.missingColumns(List.of("orderId", "amount"))).contains("customerId", "country").doesNotContain("amount");
    }
}
