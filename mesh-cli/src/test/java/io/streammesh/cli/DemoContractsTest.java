package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.OdcsContracts;
import io.streammesh.connector.contract.ProductContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DemoContractsTest {

    private static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void theDemoPublishesItsOdcsContractsTheSameProductsAsTheYamlBesideThem() throws IOException {
        assertThat(DemoMesh.CONTRACTS).containsExactly("customers/customer-profile.odcs.yaml", "orders/order-placed.odcs.yaml");
        for (String path : DemoMesh.CONTRACTS) {
            assertThat(OdcsContracts.isOdcs(Files.readString(EXAMPLES.resolve(path)))).as(path).isTrue();
            ProductContract odcs = DemoMesh.contract(path);
            ProductContract yaml = DataContracts.load(EXAMPLES.resolve(path.replace(".odcs.yaml", ".yaml")));

            assertThat(odcs.address()).isEqualTo(yaml.address());
            assertThat(odcs.schema()).isEqualTo(yaml.schema());
            assertThat(odcs.contract()).usingRecursiveComparison().ignoringFields("schema").isEqualTo(yaml.contract());
        }
    }
}
