package io.streammesh.connector;

import java.util.List;

/**
 * What publishing or retiring a product did.
 *
 * @param address the product's address
 * @param changes one line per part that changed (schema, topics, registration)
 * @param unchanged one line per part that was already as the contract says
 */
public record PublishReport(String address, List<String> changes, List<String> unchanged) {

    /** @return whether anything changed */
    public boolean changed() {
        return !changes.isEmpty();
    }
}
