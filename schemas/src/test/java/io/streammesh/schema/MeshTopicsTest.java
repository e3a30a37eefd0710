package io.streammesh.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshTopicsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"orders.order-placed.v1", "customers.customer-profile.v2", "a.b.v999999", "team2.x1-y2.v10"})
    void subscribesEveryProductAddress(String topic) {
        assertThat(ProductAddress.isValid(topic)).isTrue();
        assertThat(MeshTopics.PRODUCT_TOPICS.matcher(topic).matches()).isTrue();
        assertThat(MeshTopics.PRODUCT_AND_DEAD_LETTER_TOPICS.matcher(topic).matches()).isTrue();
        assertThat(MeshTopics.PRODUCT_AND_DEAD_LETTER_TOPICS.matcher(topic + ".dlq").matches()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a--b.x.v1", "a-.x.v1", "-a.x.v1", "a.x-.v1", "A.x.v1", "a.x.v0", "a.x.v01", "a.x.v1234567", "a.x.1",
            "a.x", "a.b.c.v1", "mesh.catalog.v1", "mesh.view.orders.order-placed.v1.analytics", "orders.order-placed.v1.dlq.dlq"})
    void subscribesNothingThatIsNotAProductAddress(String topic) {
        assertThat(MeshTopics.PRODUCT_TOPICS.matcher(topic).matches()).isFalse();
        assertThat(MeshTopics.PRODUCT_AND_DEAD_LETTER_TOPICS.matcher(topic).matches()).isFalse();
    }

    @Test
    void subscribesNoNameLongerThanTheAddressRuleAllows() {
        String longest = "a".repeat(MeshNames.MAX_LENGTH);
        assertThat(MeshTopics.PRODUCT_TOPICS.matcher(longest + ".x.v1").matches()).isTrue();
        assertThat(MeshTopics.PRODUCT_TOPICS.matcher(longest + "a.x.v1").matches()).isFalse();
        assertThat(ProductAddress.isValid(longest + "a.x.v1")).isFalse();
    }

    @Test
    void subscribesProductTopicsButNotTheirDeadLettersWhenAskedForProductsOnly() {
        assertThat(MeshTopics.PRODUCT_TOPICS.matcher("orders.order-placed.v1.dlq").matches()).isFalse();
    }

    @Test
    void namesADeadLetterTopicWithOneSuffix() {
        assertThat(MeshTopics.deadLetter("mesh.view.orders.order-placed.v1.analytics"))
                .isEqualTo("mesh.view.orders.order-placed.v1.analytics.dlq");
        assertThat(new ProductAddress("orders", "order-placed", 1).deadLetterTopic()).isEqualTo("orders.order-placed.v1.dlq");
    }

    @Test
    void matchesRegistrationAndDecisionTopicsOfValidDomainsOnly() {
        assertThat(MeshTopics.REGISTRATION_TOPICS.matcher(MeshTopics.registrations("orders")).matches()).isTrue();
        assertThat(MeshTopics.DECISION_TOPICS.matcher(MeshTopics.decisions("orders-team")).matches()).isTrue();
        assertThat(MeshTopics.REGISTRATION_TOPICS.matcher("mesh.registrations.a--b").matches()).isFalse();
        assertThat(MeshTopics.DECISION_TOPICS.matcher("mesh.decisions.orders-").matches()).isFalse();
        assertThat(MeshTopics.REGISTRATION_TOPICS.matcher("mesh.decisions.orders").matches()).isFalse();
    }

    @Test
    void saysWhoseRequestTopicItIs() {
        assertThat(MeshTopics.requester("mesh.access.requests.analytics")).contains("User:analytics");
        assertThat(MeshTopics.requester("mesh.access.requests.a--b")).isEmpty();
        assertThat(MeshTopics.requester("mesh.access.requests")).isEmpty();
    }

    /** A topic of every kind the mesh has, and names that break the naming rule in each place. */
    private static final List<String> TOPICS = List.of("orders.order-placed.v1", "orders.order-placed.v1.dlq",
            "orders.order-placed.v1.ingest", "mesh.view.orders.order-placed.v1.analytics", "mesh.registrations.orders",
            "mesh.registrations.orders.dlq", "mesh.decisions.orders-team", "mesh.access.requests.analytics", "mesh.access.requests",
            "mesh.catalog", "mesh.audit.raw", "mesh-audit.consumption", "mesh-audit-by-principal-repartition", "__consumer_offsets",
            "mesh.registrations.a--b", "mesh.decisions.orders-", "mesh.access.requests." + "a".repeat(MeshNames.MAX_LENGTH + 1),
            "a--b.x.v1", "a.x.v1-.ingest");

    /** What each app subscribes to by pattern; Kafka Streams fails a task when one topic matches two sources' patterns. */
    private static final List<List<Pattern>> SUBSCRIPTIONS = List.of(
            List.of(MeshTopics.ACCESS_REQUEST_TOPICS, MeshTopics.DECISION_TOPICS, MeshTopics.REGISTRATION_TOPICS),
            List.of(MeshTopics.PRODUCT_AND_DEAD_LETTER_TOPICS, MeshTopics.REGISTRATION_TOPICS, MeshTopics.ACCESS_REQUEST_TOPICS,
                    MeshTopics.DECISION_TOPICS),
            List.of(MeshTopics.PRODUCT_TOPICS),
            List.of(ProductAddress.INGEST_TOPICS));

    @Test
    void noTopicIsMatchedByTwoPatternsOfOneApp() {
        for (List<Pattern> app : SUBSCRIPTIONS) {
            for (String topic : TOPICS) {
                assertThat(app.stream().filter(p -> p.matcher(topic).matches())).as(topic).hasSizeLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void eachPatternMeansTheSameWhenKafkaStreamsJoinsAnAppsPatternsWithBars() {
        for (List<Pattern> app : SUBSCRIPTIONS) {
            Pattern joined = Pattern.compile("mesh.audit.raw|" + app.stream().map(Pattern::pattern).collect(Collectors.joining("|")));
            for (String topic : TOPICS) {
                boolean any = topic.equals("mesh.audit.raw") || app.stream().anyMatch(p -> p.matcher(topic).matches());
                assertThat(joined.matcher(topic).matches()).as(topic).isEqualTo(any);
            }
        }
    }
}
