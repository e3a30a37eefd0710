package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.ProductAddress;
import org.junit.jupiter.api.Test;

class ConsumedTopicTest {

    private static final ProductAddress ORDERS = ProductAddress.parse("orders.order-placed.v1");

    @Test
    void aTopicIsReadAsTheProductItBelongsToAndWhatItHoldsOfIt() {
        assertThat(ConsumedTopic.of("orders.order-placed.v1")).isEqualTo(
                new ConsumedTopic("orders.order-placed.v1", ConsumedTopic.Kind.PRODUCT, ORDERS, null));
        assertThat(ConsumedTopic.of("orders.order-placed.v1.dlq").kind()).isEqualTo(ConsumedTopic.Kind.DEAD_LETTERS);
        assertThat(ConsumedTopic.of("orders.order-placed.v1.ingest").kind()).isEqualTo(ConsumedTopic.Kind.INGEST);
        assertThat(ConsumedTopic.of("mesh.view.orders.order-placed.v1.analytics")).isEqualTo(
                new ConsumedTopic("mesh.view.orders.order-placed.v1.analytics", ConsumedTopic.Kind.VIEW, ORDERS, "analytics"));
        assertThat(ConsumedTopic.of("mesh.view.orders.order-placed.v1.analytics.dlq").kind()).isEqualTo(ConsumedTopic.Kind.VIEW_DEAD_LETTERS);
        assertThat(ConsumedTopic.of("mesh.view.status").kind()).isEqualTo(ConsumedTopic.Kind.PLATFORM);
        assertThat(ConsumedTopic.of("mesh.catalog").kind()).isEqualTo(ConsumedTopic.Kind.PLATFORM);
    }

    @Test
    void theOwningDomainReadsItsProductsOwnTopicsByDefaultAndNobodyReadsAViewByDefault() {
        assertThat(ConsumedTopic.of("orders.order-placed.v1").defaultReader()).contains("orders");
        assertThat(ConsumedTopic.of("orders.order-placed.v1.dlq").defaultReader()).contains("orders");
        assertThat(ConsumedTopic.of("orders.order-placed.v1.ingest").defaultReader()).contains("orders");
        assertThat(ConsumedTopic.of("mesh.view.orders.order-placed.v1.analytics").defaultReader()).isEmpty();
        assertThat(ConsumedTopic.of("mesh.audit").defaultReader()).isEmpty();
    }

    @Test
    void aRefusedReaderOfAProductOrViewIsToldToAskTheOwnerForAGrant() {
        assertThat(ConsumedTopic.of("mesh.view.orders.order-placed.v1.analytics").refusal("User:fraud-team")).isEqualTo(
                "User:fraud-team may not read mesh.view.orders.order-placed.v1.analytics: ask its owner, User:orders, for a grant with "
                        + "mesh access request orders.order-placed.v1 --view analytics --group <group> --purpose <why>, "
                        + "then read it with --group <group>");
        assertThat(ConsumedTopic.of("orders.order-placed.v1").refusal("User:fraud-team")).contains("--view <view> --group <group>");
    }

    @Test
    void aRefusedReaderOfDeadLettersOrIngestIsToldOnlyTheOwnerReadsThem() {
        assertThat(ConsumedTopic.of("orders.order-placed.v1.dlq").refusal("User:fraud-team")).isEqualTo(
                "User:fraud-team may not read orders.order-placed.v1.dlq: only its owner, User:orders, reads it (--as orders)");
    }

    @Test
    void aRefusedGroupIsNamedWithWhereToFindTheGroupOfTheGrant() {
        assertThat(ConsumedTopic.of("orders.order-placed.v1").groupRefusal("User:fraud-team", "other")).isEqualTo(
                "User:fraud-team may not read orders.order-placed.v1 with consumer group other: use the group of your grant "
                        + "(mesh access grants --as fraud-team; a grant gives only your own groups, fraud-team or fraud-team.<name>), or read "
                        + "without --group");
    }

    @Test
    void aNameThatIsNoTopicIsAUsageError() {
        assertThatThrownBy(() -> ConsumedTopic.of("orders order")).isInstanceOf(UsageError.class)
                .hasMessageStartingWith("not a topic: ");
    }
}
