package io.streammesh.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The major versions of one product side by side ({@code orders.order-placed.v1}, {@code .v2}):
 * one row per field of any version, one column per version with the field's type there, and what
 * changed from each version to the next (added, removed, type changed).
 *
 * @param versions the versions, oldest major first
 * @param rows the fields, in the order the versions first declare them
 */
record ProductVersions(List<Version> versions, List<Row> rows) {

    /**
     * One version's column.
     *
     * @param address the product address of that major version
     * @param contractVersion its contract's version, {@code major.minor.patch}
     * @param fields its schema's fields
     */
    record Version(String address, String contractVersion, List<SchemaField> fields) {
    }

    /**
     * One field across the versions.
     *
     * @param field the field's name
     * @param types its type in each version, in the versions' order; empty where the version has no such field
     * @param change what changed between consecutive versions, e.g. {@code added in …v2}; empty when nothing did
     */
    record Row(String field, List<String> types, String change) {
    }

    /**
     * @param versions the versions, oldest major first
     * @return them side by side
     */
    static ProductVersions of(List<Version> versions) {
        Set<String> names = new LinkedHashSet<>();
        versions.forEach(v -> v.fields().forEach(f -> names.add(f.name())));
        List<Map<String, String>> typesByVersion = versions.stream()
                .map(v -> v.fields().stream().collect(Collectors.toMap(SchemaField::name, SchemaField::type)))
                .toList();
        List<Row> rows = new ArrayList<>();
        for (String name : names) {
            List<String> types = typesByVersion.stream().map(version -> version.getOrDefault(name, "")).toList();
            rows.add(new Row(name, types, change(versions, types)));
        }
        return new ProductVersions(List.copyOf(versions), rows);
    }

    /** @return whether there is anything to compare: more than one version */
    boolean comparable() {
        return versions.size() > 1;
    }

    private static String change(List<Version> versions, List<String> types) {
        List<String> changes = new ArrayList<>();
        for (int i = 1; i < types.size(); i++) {
            String before = types.get(i - 1);
            String after = types.get(i);
            String address = versions.get(i).address();
            if (before.isEmpty() && !after.isEmpty()) {
                changes.add("added in " + address);
            } else if (!before.isEmpty() && after.isEmpty()) {
                changes.add("removed in " + address);
            } else if (!Objects.equals(before, after)) {
                changes.add("type changed in " + address);
            }
        }
        return String.join("; ", changes);
    }
}
