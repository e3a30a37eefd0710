package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.client.AvroJson;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CatalogRegistrationTest {

    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final ProductAddress ORDERS = ProductAddress.parse("orders.order-placed.v1");

    @Test
    void aRegistrationAsTheCatalogWritesItIsReadBackWhole() {
        ProductRegistration registration = DataContracts.load(EXAMPLES.resolve("orders/order-placed.yaml"))
                .toRegistration("User:orders", 3, 14L, Instant.parse("2026-12-03T11:28:56.929Z"));

        ProductRegistration read = CatalogRegistration.registration(ORDERS, AvroJson.of(registration));

        assertThat(read).as("views with masks and filters, rules, encryption, the classification enum, the time")
                .isEqualTo(registration);
    }

    @Test
    void aFieldThisClientDoesNotKnowIsOneLineNamingIt() {
        ProductRegistration registration = DataContracts.load(EXAMPLES.resolve("orders/order-placed.yaml"))
                .toRegistration("User:orders", 3, 14L, Instant.EPOCH);
        ObjectNode newer = AvroJson.of(registration).put("residency", "eu");

        assertThatThrownBy(() -> CatalogRegistration.registration(ORDERS, newer))
                .isInstanceOf(MeshException.class)
                .hasMessageStartingWith("the catalog's registration of orders.order-placed.v1 cannot be read by this client (unknown field(s) residency")
                .hasMessageEndingWith("); is the mesh newer than the CLI?");
    }
}
