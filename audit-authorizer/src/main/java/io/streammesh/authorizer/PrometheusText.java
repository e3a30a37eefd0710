package io.streammesh.authorizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus's text exposition format 0.0.4, written by hand so the broker plugin needs no
 * metrics library: samples are grouped by family (one {@code # TYPE} line each, as the format
 * requires), names and label keys reduced to {@code [a-zA-Z0-9_]}, label values escaped.
 */
final class PrometheusText {

    /** The content type a scraper expects for this format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Map<String, Family> families = new TreeMap<>();

    /** Adds a sample of a counter; its name ends in {@code _total}. */
    void counter(String name, Map<String, String> labels, double value) {
        add(name, "counter", labels, value);
    }

    /** Adds a sample of a gauge. */
    void gauge(String name, Map<String, String> labels, double value) {
        add(name, "gauge", labels, value);
    }

    private void add(String name, String type, Map<String, String> labels, double value) {
        String family = sanitized(name);
        // A name seen first as one type keeps it: the format allows one TYPE per family.
        families.computeIfAbsent(family, key -> new Family(type, new ArrayList<>())).samples().add(sample(family, labels, value));
    }

    /** @return the exposition, families sorted by name */
    String render() {
        var text = new StringBuilder();
        families.forEach((name, family) -> {
            text.append("# TYPE ").append(name).append(' ').append(family.type()).append('\n');
            family.samples().forEach(sample -> text.append(sample).append('\n'));
        });
        return text.toString();
    }

    /** {@code kafka.server.BrokerTopicMetrics-x} → {@code kafka_server_brokertopicmetrics_x} */
    static String sanitized(String name) {
        String lower = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return Character.isDigit(lower.charAt(0)) ? "_" + lower : lower;
    }

    private static String sample(String family, Map<String, String> labels, double value) {
        var sample = new StringBuilder(family);
        if (!labels.isEmpty()) {
            sample.append('{');
            var sorted = new TreeMap<String, String>();
            labels.forEach((key, label) -> sorted.put(sanitized(key), label));
            sorted.forEach((key, label) -> sample.append(key).append("=\"").append(escaped(label)).append("\","));
            sample.setCharAt(sample.length() - 1, '}');
        }
        return sample.append(' ').append(number(value)).toString();
    }

    private static String escaped(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }

    private record Family(String type, List<String> samples) {
    }
}
