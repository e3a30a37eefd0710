package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.OdcsContracts;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A domain that writes its contract in ODCS publishes, exports and evolves it with the same commands, on the real mesh. */
@MeshTest
class OdcsContractsIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "orders");

    @TempDir
    Path dir;

    @Test
    void anOdcsContractIsPublishedIntoTheCatalogExportedAsPublishedAndABreakingChangeIsRefusedNamingTheProperty(EmbeddedMesh mesh)
            throws Exception {
        mesh.onboarding().addDomain("odcs-shop");
        String state = mesh.state().root().toString();
        Files.copy(EXAMPLES.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        Path yaml = Files.writeString(dir.resolve("order-placed.yaml"), Files.readString(EXAMPLES.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: odcs-shop").replace("User:orders", "User:odcs-shop")
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
        String odcs = OdcsContracts.write(DataContracts.load(yaml), mesh.clientConfig("odcs-shop").bootstrap());
        Path descriptor = Files.writeString(dir.resolve("order-placed.odcs.yaml"), odcs);

        try (CatalogApp catalog = CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig("mesh-catalog"), dir.resolve("catalog"),
                mesh.state().credentials(), 0))) {
            String url = catalog.restUrl();
            var published = CommandRun.of("product", "publish", descriptor.toString(), "--catalog-url", url, "--state-dir", state);
            assertThat(published.exitCode()).as(published.err()).isZero();
            assertThat(published.out()).startsWith("Published odcs-shop.order-placed.v1 (contract 1.0.0) as User:odcs-shop:")
                    .endsWith("catalog-stream admitted odcs-shop.order-placed.v1 1.0.0: find it with mesh catalog show odcs-shop.order-placed.v1\n");

            var shown = CommandRun.of("catalog", "show", "odcs-shop.order-placed.v1", "--as", "odcs-shop", "--catalog-url", url,
                    "--state-dir", state);
            assertThat(shown.exitCode()).as(shown.err()).isZero();
            assertThat(shown.out()).contains("owner        orders-team (User:odcs-shop), orders@example.com\n",
                    "PII fields   customerEmail, shippingAddress\n", "SLO          freshness 300000 ms, max dead-letter rate 0.05\n",
                    "rule         positive-amount: record.amount > 0\n", "view         full (owner_approval)\n",
                    "view         analytics (owner_approval) filter record.country != 'DE' masks {\"customerEmail\":\"hash\",\"shippingAddress\":\"redact\"}\n");

            var exported = CommandRun.of("product", "export", "odcs-shop.order-placed.v1", "--state-dir", state);
            assertThat(exported.exitCode()).as(exported.err()).isZero();
            assertThat(exported.out()).isEqualTo(odcs);

            Path breaking = Files.writeString(dir.resolve("breaking.odcs.yaml"), odcs.replace("version: 1.0.0", "version: 1.1.0")
                    .replace("      - name: amount\n        logicalType: number\n        physicalType: double\n",
                            "      - name: amount\n        logicalType: string\n        physicalType: string\n")
                    .replace("implementation: record.amount > 0", "implementation: record.amount != ''"));
            var refused = CommandRun.of("product", "publish", breaking.toString(), "--catalog-url", url, "--state-dir", state);
            assertThat(refused.exitCode()).isEqualTo(Mesh.FAILED);
            assertThat(refused.err()).contains("reader type: STRING not compatible with writer type: DOUBLE at /fields/5/type (amount)");
        }
    }
}
