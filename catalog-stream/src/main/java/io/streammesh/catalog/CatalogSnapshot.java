package io.streammesh.catalog;

import io.streammesh.schema.DataProduct;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The whole catalog at one moment, immutable: every product by address, and what pages and
 * searches would otherwise compute from a scan of the catalog's store on every request (each
 * product's lower-case search text, the products reading each product, each product's major
 * versions). A product page or a search reads one snapshot, so what it shows is consistent
 * even while governance admits products; {@link CatalogSnapshots} swaps in a new one after a change.
 */
final class CatalogSnapshot {

    /** The catalog before any product was admitted. */
    static final CatalogSnapshot EMPTY = of(Map.of(), 0);

    private final long version;
    private final NavigableMap<String, DataProduct> products;
    private final List<Indexed> byAddress;
    private final Map<String, List<String>> downstream;
    private final Map<String, List<String>> majors;

    /** A product with the text a search looks in, lower-cased once. */
    private record Indexed(DataProduct product, String text) {
    }

    private CatalogSnapshot(long version, NavigableMap<String, DataProduct> products, List<Indexed> byAddress,
                            Map<String, List<String>> downstream, Map<String, List<String>> majors) {
        this.version = version;
        this.products = products;
        this.byAddress = byAddress;
        this.downstream = downstream;
        this.majors = majors;
    }

    /**
     * @param products every product by address, as the catalog's store holds them; copied
     * @param version the number of changes this snapshot includes
     * @return the snapshot of them
     */
    static CatalogSnapshot of(Map<String, DataProduct> products, long version) {
        NavigableMap<String, DataProduct> sorted = new TreeMap<>(products);
        List<Indexed> indexed = new ArrayList<>(sorted.size());
        Map<String, List<String>> readers = new HashMap<>();
        Map<String, List<ProductAddress>> versions = new HashMap<>();
        sorted.forEach((address, product) -> {
            indexed.add(new Indexed(product, searchText(product)));
            // Products are visited in address order, so each reader list comes out sorted.
            product.getRegistration().getLineageInputs().forEach(input -> readers.computeIfAbsent(input, i -> new ArrayList<>()).add(address));
            if (ProductAddress.isValid(address)) {
                ProductAddress parsed = ProductAddress.parse(address);
                versions.computeIfAbsent(parsed.domain() + "." + parsed.product(), name -> new ArrayList<>()).add(parsed);
            }
        });
        Map<String, List<String>> majors = new HashMap<>();
        versions.forEach((name, addresses) -> majors.put(name, addresses.stream()
                .sorted(Comparator.comparingInt(ProductAddress::major)).map(ProductAddress::toString).toList()));
        readers.replaceAll((input, addresses) -> List.copyOf(addresses));
        return new CatalogSnapshot(version, Collections.unmodifiableNavigableMap(sorted), List.copyOf(indexed), Map.copyOf(readers),
                Map.copyOf(majors));
    }

    /** @return the number of changes to the catalog this snapshot includes */
    long version() {
        return version;
    }

    /** @return the product at an address, if the catalog has it */
    Optional<DataProduct> product(String address) {
        return Optional.ofNullable(products.get(address));
    }

    /** @return every product, by address */
    Collection<DataProduct> products() {
        return products.values();
    }

    /**
     * @param query what a search asks for; matched case-insensitively
     * @return the products whose address, description, tags or owning team contain it (all when it is empty), by address
     */
    List<DataProduct> matching(String query) {
        String lowerCase = query.toLowerCase(Locale.ROOT);
        if (lowerCase.isEmpty()) {
            return List.copyOf(products.values());
        }
        List<DataProduct> found = new ArrayList<>();
        for (Indexed each : byAddress) {
            if (each.text().contains(lowerCase)) {
                found.add(each.product());
            }
        }
        return found;
    }

    /** @return the addresses of the products naming this one as a lineage input, sorted */
    List<String> downstream(String address) {
        return downstream.getOrDefault(address, List.of());
    }

    /**
     * @param address a product
     * @return the addresses of every catalogued major version of it (the same domain and name), oldest first
     */
    List<String> majorVersions(ProductAddress address) {
        return majors.getOrDefault(address.domain() + "." + address.product(), List.of());
    }

    private static String searchText(DataProduct product) {
        ProductRegistration r = product.getRegistration();
        return String.join(" ", product.getAddress(), String.valueOf(r.getDescription()), String.join(" ", r.getTags()),
                r.getOwner() == null ? "" : String.valueOf(r.getOwner().getTeam())).toLowerCase(Locale.ROOT);
    }
}
