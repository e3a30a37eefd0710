package io.streammesh.connector;

import io.streammesh.connector.contract.DataContracts;
import io.streammesh.connector.contract.ProductContract;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.CataloguedTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Contracts of the demo's order product, moved into a domain of the test's own. */
final class TestContracts {

    static final Path EXAMPLES = Path.of("..", "examples");
    static final String ORDER_SCHEMA = read(EXAMPLES.resolve("orders/order-placed.avsc"));

    private TestContracts() {
    }

    static String orderDescriptor(String domain, String version) {
        return read(EXAMPLES.resolve("orders/order-placed.yaml"))
                .replace("domain: orders", "domain: " + domain)
                .replace("User:orders", "User:" + domain)
                .replace("version: 1.0.0", "version: " + version);
    }

    static ProductContract orders(String domain, String version) {
        return parse(orderDescriptor(domain, version), ORDER_SCHEMA);
    }

    /**
     * Onboards a domain and publishes its orders product at 1.0.0; its topics are created as the
     * policy-enforcer creates them once the catalog admits it ({@link CataloguedTopics}).
     *
     * @return the domain's client config
     */
    static MeshClientConfig publishOrders(EmbeddedMesh mesh, String domain) {
        mesh.onboarding().addDomain(domain);
        MeshClientConfig config = mesh.clientConfig(domain);
        try (var publisher = ProductPublisher.connect(config)) {
            publisher.publish(orders(domain, "1.0.0"));
        }
        CataloguedTopics.create(mesh, ProductAddress.parse(domain + ".order-placed.v1"));
        return config;
    }

    static ProductContract parse(String descriptor, String schema) {
        return DataContracts.parse(descriptor, "test.yaml", name -> schema);
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
