package io.streammesh.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProductAddressTest {

    @Test
    void parsesAndFormatsAnAddress() {
        var address = ProductAddress.parse("orders.order-placed.v12");

        assertThat(address).isEqualTo(new ProductAddress("orders", "order-placed", 12));
        assertThat(address.toString()).isEqualTo("orders.order-placed.v12");
        assertThat(address.topic()).isEqualTo("orders.order-placed.v12");
        assertThat(address.deadLetterTopic()).isEqualTo("orders.order-placed.v12.dlq");
        assertThat(address.viewTopic("analytics")).isEqualTo("mesh.view.orders.order-placed.v12.analytics");
        assertThat(address.valueSubject()).isEqualTo("orders.order-placed.v12-value");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "orders.order-placed            | 3 parts separated by dots",
            "orders.order-placed.v1.extra   | got 4 part(s)",
            "Orders.order-placed.v1         | domain name 'Orders' must be lower-case kebab case",
            "orders.order_placed.v1         | product name 'order_placed' must be lower-case kebab case",
            "orders.order--placed.v1        | product name 'order--placed'",
            "orders.-placed.v1              | product name '-placed'",
            "orders.order-placed.1          | version part '1' must be v<major>",
            "orders.order-placed.v0         | version part 'v0' must be v<major>",
            ".order-placed.v1               | domain name is empty",
    })
    void rejectsABadAddressNamingTheBadPart(String text, String expected) {
        assertThatThrownBy(() -> ProductAddress.parse(text))
                .isInstanceOf(ProductAddress.InvalidAddressException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void rejectsAnEmptyAddress() {
        assertThatThrownBy(() -> ProductAddress.parse(" "))
                .hasMessageContaining("product address is empty");
        assertThat(ProductAddress.isValid("orders.order-placed.v1")).isTrue();
        assertThat(ProductAddress.isValid("orders")).isFalse();
    }

    @Test
    void rejectsNamesLongerThanTheLimit() {
        String longName = "a".repeat(ProductAddress.MAX_NAME_LENGTH + 1);
        assertThatThrownBy(() -> new ProductAddress(longName, "x", 1))
                .hasMessageContaining("longer than 64 characters");
    }

    @Test
    void namesDomainTopics() {
        assertThat(MeshTopics.registrations("orders")).isEqualTo("mesh.registrations.orders");
        assertThat(MeshTopics.decisions("orders")).isEqualTo("mesh.decisions.orders");
        assertThatThrownBy(() -> MeshTopics.registrations("Bad Domain"))
                .hasMessageContaining("domain name 'Bad Domain'");
    }

    @Test
    void namesTheIngestTopicAndFindsTheProductOfOne() {
        ProductAddress orders = ProductAddress.parse("orders.order-placed.v1");
        assertThat(orders.ingestTopic()).isEqualTo("orders.order-placed.v1.ingest");
        assertThat(ProductAddress.ofIngestTopic("orders.order-placed.v1.ingest")).contains(orders);
        assertThat(ProductAddress.ofIngestTopic("orders.order-placed.v1")).isEmpty();
        assertThat(ProductAddress.ofIngestTopic("orders.order-placed.v1.dlq")).isEmpty();
        assertThat(ProductAddress.ofIngestTopic("mesh.catalog.v1.ingest")).isEmpty();
        assertThat(ProductAddress.ofIngestTopic("a.b.c.v1.ingest")).isEmpty();
    }
}
