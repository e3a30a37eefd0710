package io.streammesh.catalog;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.ProductStats;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KeyValue;

/**
 * This instance's catalog in memory, fed by the global thread from the changes of the global
 * catalog and health stores ({@link GlobalStoreFeed}) and read by REST and portal threads. The
 * catalog is read as one immutable {@link CatalogSnapshot}, built again on the first read after a
 * change and swapped in whole, so a burst of admissions (a restore, a domain publishing a
 * hundred products) costs one rebuild, not one per product. Health changes every few seconds
 * per product and is shown as it is now, so it is kept per product rather than in the snapshot.
 */
final class CatalogSnapshots {

    private final Object lock = new Object();
    /** Guarded by {@link #lock}; written by the global thread only. */
    private final Map<String, DataProduct> products = new HashMap<>();
    private volatile long changes;
    private volatile CatalogSnapshot current = CatalogSnapshot.EMPTY;
    private final Map<String, ProductStats> health = new ConcurrentHashMap<>();
    private final DecryptGrants decryptGrants = new DecryptGrants();

    /** @return the catalog as of the last change the global thread applied */
    CatalogSnapshot current() {
        CatalogSnapshot snapshot = current;
        if (snapshot.version() == changes) {
            return snapshot;
        }
        synchronized (lock) {
            if (current.version() != changes) {
                current = CatalogSnapshot.of(products, changes);
            }
            return current;
        }
    }

    /** @return a product's latest health, if any records of it were seen */
    Optional<ProductStats> health(String address) {
        return Optional.ofNullable(health.get(address));
    }

    /** @return the ACTIVE grants that allow decryption, by holder and product */
    DecryptGrants decryptGrants() {
        return decryptGrants;
    }

    /** What the catalog's global store feeds: every product by address. */
    GlobalStoreFeed.Target<DataProduct> catalogFeed() {
        return new GlobalStoreFeed.Target<>() {
            @Override
            public void reload(Iterator<KeyValue<String, DataProduct>> entries) {
                synchronized (lock) {
                    products.clear();
                    entries.forEachRemaining(entry -> products.put(entry.key, entry.value));
                    changes++;
                }
            }

            @Override
            public void apply(String address, DataProduct product) {
                synchronized (lock) {
                    if (product == null) {
                        products.remove(address);
                    } else {
                        products.put(address, product);
                    }
                    changes++;
                }
            }
        };
    }

    /** What the health global store feeds: each product's latest health by address. */
    GlobalStoreFeed.Target<ProductStats> healthFeed() {
        return new GlobalStoreFeed.Target<>() {
            @Override
            public void reload(Iterator<KeyValue<String, ProductStats>> entries) {
                Map<String, ProductStats> stored = new HashMap<>();
                entries.forEachRemaining(entry -> stored.put(entry.key, entry.value));
                health.keySet().retainAll(stored.keySet());
                health.putAll(stored);
            }

            @Override
            public void apply(String address, ProductStats stats) {
                if (stats == null) {
                    health.remove(address);
                } else {
                    health.put(address, stats);
                }
            }
        };
    }
}
