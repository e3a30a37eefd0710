package io.streammesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.ClientConfigs;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.ProductAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * How the caller of {@code catalog show} reads a product's views: the kcat line with the consumer
 * group of the caller's active grant, or how to ask for one.
 */
final class ViewReading {

    private final ProductAddress product;
    private final String kcatConfig;
    /** The consumer group of each view topic the caller holds an active grant on. */
    private final Map<String, String> groupsByTopic;

    private ViewReading(ProductAddress product, String kcatConfig, Map<String, String> groupsByTopic) {
        this.product = product;
        this.kcatConfig = kcatConfig;
        this.groupsByTopic = groupsByTopic;
    }

    /**
     * @param state the state directory holding the caller's kcat config
     * @param as who the caller is
     * @param catalog the catalog, asked for the caller's active grants on the product
     * @param product the product shown
     * @return how the caller reads the product's views
     */
    static ViewReading of(StateDirOption state, PrincipalOption as, CatalogClient catalog, ProductAddress product) {
        var name = as.principalName(MeshPrincipal.ADMIN.name());
        Map<String, String> groups = new HashMap<>();
        String kcatConfig = "<your kcat config>";
        if (name.isPresent()) {
            kcatConfig = new ClientConfigs(state.existing().clients()).kcatFile(name.get()).toString();
            String query = CatalogCommand.query("principal", name.get()) + CatalogCommand.query("product", product.toString())
                    + CatalogCommand.query("status", "ACTIVE");
            JsonNode grants = catalog.get("/api/grants?" + query.substring(1));
            grants.path("grants").forEach(g -> groups.put(g.path("topic").asText(), g.path("consumerGroup").asText()));
        }
        return new ViewReading(product, kcatConfig, groups);
    }

    /**
     * @param topic the view's topic
     * @param view the view's name
     * @return the kcat line that reads it, or how to ask for access when the caller has no grant on it
     */
    String howToRead(String topic, String view) {
        String group = groupsByTopic.get(topic);
        if (group != null) {
            return "kcat -F " + kcatConfig + " -G " + group + " " + topic;
        }
        return "no grant of yours; ask with: mesh access request " + product + " --view " + view + " --group <group> --purpose <why>";
    }
}
