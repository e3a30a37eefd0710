package io.streammesh.audit;

import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import java.util.Optional;

/**
 * What a topic holds of a data product: the product itself ({@code <address>}), its dead letters
 * ({@code <address>.dlq}) or one of its views ({@code mesh.view.<address>.<view>}).
 *
 * @param product the product's address
 * @param view the view's name, or null for the product's own topics
 */
record ProductTopic(String product, String view) {

    /**
     * @param topic a topic name
     * @return the product it belongs to; empty for the platform's own topics and any other
     */
    static Optional<ProductTopic> of(String topic) {
        boolean view = topic.startsWith(MeshTopics.VIEW_PREFIX);
        if (!view && topic.startsWith(MeshTopics.PLATFORM_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = (view ? topic.substring(MeshTopics.VIEW_PREFIX.length()) : topic).split("\\.", 4);
        if (parts.length < 3) {
            return Optional.empty();
        }
        String address = parts[0] + "." + parts[1] + "." + parts[2];
        if (!ProductAddress.isValid(address)) {
            return Optional.empty();
        }
        return Optional.of(new ProductTopic(address, view && parts.length == 4 ? parts[3] : null));
    }
}
