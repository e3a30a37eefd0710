package io.streammesh.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshNamesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a", "orders", "order-placed", "mesh-admin", "team2", "a1-b2-c3", "x-1"})
    void acceptsLowerCaseKebabNames(String name) {
        assertThat(MeshNames.isValid(name)).isTrue();
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "Orders", "1orders", "-orders", "orders-", "order--placed", "order_placed", "order.placed",
            "order placed", "ordérs", "User:orders"})
    void rejectsAnythingElse(String name) {
        assertThat(MeshNames.isValid(name)).isFalse();
    }

    @Test
    void rejectsNoName() {
        assertThat(MeshNames.isValid(null)).isFalse();
    }

    @Test
    void acceptsNamesUpToTheLengthLimitAndNoLonger() {
        assertThat(MeshNames.isValid("a".repeat(MeshNames.MAX_LENGTH))).isTrue();
        assertThat(MeshNames.isValid("a-" + "b".repeat(MeshNames.MAX_LENGTH - 2))).isTrue();
        assertThat(MeshNames.isValid("a".repeat(MeshNames.MAX_LENGTH + 1))).isFalse();
    }

    @Test
    void spellsAKafkaPrincipalWithTheUserPrefix() {
        assertThat(MeshNames.kafkaPrincipal("analytics")).isEqualTo("User:analytics");
        assertThat(MeshNames.EVERY_USER).isEqualTo("User:*");
    }

    @Test
    void recognisesAKafkaPrincipalOnlyWhenItIsAUserWithAValidName() {
        assertThat(MeshNames.isKafkaPrincipal("User:orders-team")).isTrue();
        assertThat(MeshNames.isKafkaPrincipal("orders-team")).isFalse();
        assertThat(MeshNames.isKafkaPrincipal("Group:orders-team")).isFalse();
        assertThat(MeshNames.isKafkaPrincipal("User:Orders")).isFalse();
        assertThat(MeshNames.isKafkaPrincipal(null)).isFalse();
    }

    @Test
    void takesTheUserPrefixOffWhenThereIsOne() {
        assertThat(MeshNames.withoutKafkaPrefix("User:analytics")).isEqualTo("analytics");
        assertThat(MeshNames.withoutKafkaPrefix("analytics")).isEqualTo("analytics");
        assertThat(MeshNames.withoutKafkaPrefix(null)).isNull();
    }

    @Test
    void addsTheUserPrefixOnlyToATextWithoutAPrincipalType() {
        assertThat(MeshNames.asKafkaPrincipal("analytics")).isEqualTo("User:analytics");
        assertThat(MeshNames.asKafkaPrincipal("User:analytics")).isEqualTo("User:analytics");
        assertThat(MeshNames.asKafkaPrincipal("Group:ops")).isEqualTo("Group:ops");
    }
}
