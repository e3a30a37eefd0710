package io.streammesh.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MeshPrincipalTest {

    @Test
    void acceptsNamesWithOrWithoutTheUserPrefix() {
        assertThat(MeshPrincipal.bareName("User:analytics")).isEqualTo("analytics");
        assertThat(MeshPrincipal.bareName("orders-team")).isEqualTo("orders-team");
        assertThat(new MeshPrincipal("orders", PrincipalKind.DOMAIN).kafkaPrincipal()).isEqualTo("User:orders");
    }

    @Test
    void refusesNamesThatAreNotKebabCase() {
        assertThatThrownBy(() -> MeshPrincipal.bareName("User:Bad Name"))
                .isInstanceOf(MeshException.class)
                .hasMessage("principal name 'Bad Name' must be lower-case kebab case, at most 64 characters (e.g. analytics or orders-team)");
    }
}
