package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

    @Test
    void aPlainUtcTimeIsReadAsInstantParseReadsIt() {
        List<String> plain = List.of("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.1Z", "2026-11-25T10:00:00.12Z", "2026-11-25T10:00:00.123Z",
                "2026-11-25T10:00:00.1239Z", "2026-11-25T10:00:00.999999999Z", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z",
                "2024-02-29T12:00:00Z", "2000-02-29T00:00:00Z", "0000-01-01T00:00:00Z", "0001-12-31T23:59:59Z", "9999-12-31T23:59:59.5Z");
        plain.forEach(text -> assertThat(RecordParser.plainUtcMillis(text)).as(text).isEqualTo(Instant.parse(text).toEpochMilli()));
        var random = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            // Instant's own text: no fraction, or three, six or nine digits, over every four-digit year
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L), random.nextInt(4) == 0 ? 0
                    : random.nextInt(1_000_000_000));
            assertThat(RecordParser.plainUtcMillis(instant.toString())).as(instant.toString()).isEqualTo(instant.toEpochMilli());
        }
    }

    @Test
    void everyOtherTimeIsLeftToInstantParse() {
        List<String> other = List.of("2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z", "2026-11-25T23:59:60Z",
                "2026-11-25t10:00:00Z", "2026-11-25T10:00:00z", "2026-11-25T10:00:00+01:00", "2026-11-25T10:00:00.Z",
                "2026-11-25T10:00:00.1234567890Z", "+12026-11-25T10:00:00Z", "2026-11-25 10:00:00Z", "2026-1-25T10:00:00Z",
                "2026-11-25T10:00:0xZ", "2026-11-25T10:00:00,5Z", "yesterday", "");
        other.forEach(text -> assertThat(RecordParser.plainUtcMillis(text)).as(text).isEqualTo(RecordParser.NOT_PLAIN_UTC));
        // what Instant.parse reads of them is read still: an offset, a lower-case t
        String line = """
                {"orderId": "o-1", "customerId": "c-1", "customerEmail": "a@example.com", "shippingAddress": "1 Main, Paris",
                 "country": "FR", "amount": 12, "currency": "EUR", "items": 2, "placedAt": "TIME"}""".replace("\n", "");
        assertThat(orders.fromJsonText(line.replace("TIME", "2026-11-25T11:00:00+01:00").getBytes(StandardCharsets.UTF_8)).get("placedAt"))
                .isEqualTo(Instant.parse("2026-11-25T10:00:00Z").toEpochMilli());
        assertThat(orders.fromJsonText(line.replace("TIME", "2026-11-25t10:00:00Z").getBytes(StandardCharsets.UTF_8)).get("placedAt"))
                .isEqualTo(Instant.parse("2026-11-25T10:00:00Z").toEpochMilli());
        assertThatThrownBy(() -> Instant.parse("2023-02-29T00:00:00Z")).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> orders.fromJsonText(line.replace("TIME", "2023-02-29T00:00:00Z").getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("field placedAt: expected epoch milliseconds or an ISO-8601 time");
    }

    @Test
    void jsonTextFromBytesSaysWhatIsWrongInOneLine() {
        assertThatThrownBy(() -> orders.fromJsonText(" \t\r\n".getBytes(StandardCharsets.UTF_8))).hasMessage("empty line");
        assertThatThrownBy(() -> orders.fromJsonText("{\"orderId\": ".getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("not JSON: ");
        assertThatThrownBy(() -> orders.fromJsonText("{\"orderId\": \"o-1\", \"colour\": 1}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("field customerId is missing");
        assertThatThrownBy(() -> orders.fromJsonText("42".getBytes(StandardCharsets.UTF_8))).hasMessage("expected a JSON object, got number");
        // ASCII, UTF-8 beyond it, and bytes that are not UTF-8
        String line = """
                {"orderId": "o-1", "customerId": "c-1", "customerEmail": "a@example.com", "shippingAddress": "SHIP",
                 "country": "CH", "amount": 12, "currency": "CHF", "items": 2, "placedAt": 0}""";
        assertThat(orders.fromJsonText(line.replace("SHIP", "1 Bahnhofstrasse").getBytes(StandardCharsets.UTF_8)).get("shippingAddress"))
                .hasToString("1 Bahnhofstrasse");
        assertThat(orders.fromJsonText(line.replace("SHIP", "Zürich, 8001").getBytes(StandardCharsets.UTF_8)).get("shippingAddress"))
                .hasToString("Zürich, 8001");
        // what Jackson would read as another encoding than UTF-8 from bytes is read as the UTF-8 text it is: not JSON
        byte[] bom = ("\uFEFF" + line.replace("SHIP", "x")).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> orders.fromJsonText(bom)).hasMessageStartingWith("not JSON: ");
        assertThatThrownBy(() -> orders.fromJsonText(new byte[] {0, '{', 0, 0})).hasMessageStartingWith("not JSON: ");
        assertThatThrownBy(() -> orders.fromJsonText(new byte[] {'{', 0, 0, 0, 'A', 'B', 'C', 'D'})).hasMessageStartingWith("not JSON: ");
        assertThatThrownBy(() -> orders.fromJsonText(line.replace("SHIP", "x").getBytes(StandardCharsets.UTF_16LE)))
                .hasMessageStartingWith("not JSON: ");
        assertThatThrownBy(() -> orders.fromJsonText("\u3000\u2003 ".getBytes(StandardCharsets.UTF_8))).hasMessage("empty line");
        byte[] latin1 = line.replace("SHIP", "Zürich, 8001").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> orders.fromJsonText(latin1)).hasMessageMatching("not UTF-8 text: byte \\d+ \\(0xFC\\) starts no UTF-8 character");
    }
}
