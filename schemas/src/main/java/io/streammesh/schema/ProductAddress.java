package io.streammesh.schema;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The address of a data product, {@code <domain>.<product>.v<major>}, e.g.
 * {@code orders.order-placed.v1}. The product topic has exactly this name; a new major version
 * is a new address (and topic), while minor versions evolve the schema within it.
 *
 * <p>Domain and product names follow the mesh's one naming rule, {@link MeshNames}: lower-case
 * kebab case, at most {@value #MAX_NAME_LENGTH} characters.
 *
 * @param domain the owning domain, e.g. {@code orders}
 * @param product the product name within the domain, e.g. {@code order-placed}
 * @param major the major version, 1 or more
 */
public record ProductAddress(String domain, String product, int major) {

    /** Longest allowed domain or product name. */
    public static final int MAX_NAME_LENGTH = MeshNames.MAX_LENGTH;

    private static final String MAJOR_REGEX = "v([1-9][0-9]{0,5})";

    /**
     * The whole address rule as a regular expression, {@code <name>.<name>.v<major>}, to embed in
     * topic patterns; {@link #parse} checks the same rule and says which part breaks it.
     */
    public static final String REGEX = MeshNames.REGEX + "\\." + MeshNames.REGEX + "\\." + MAJOR_REGEX;

    private static final Pattern MAJOR = Pattern.compile(MAJOR_REGEX);

    /** What a product's ingest topic adds to its address. */
    public static final String INGEST_SUFFIX = ".ingest";
    /** How long raw records wait on an ingest topic when the contract says nothing else. */
    public static final Duration DEFAULT_INGEST_RETENTION = Duration.ofDays(1);

    /** Every product's ingest topic, {@code <address>.ingest}, and never a platform topic. */
    public static final Pattern INGEST_TOPICS = Pattern.compile("(?!" + Pattern.quote(MeshTopics.PLATFORM_PREFIX) + ")" + REGEX
            + Pattern.quote(INGEST_SUFFIX));

    /**
     * Checks the parts.
     *
     * @throws InvalidAddressException naming the bad part
     */
    public ProductAddress {
        checkName("domain", domain);
        checkName("product", product);
        if (major < 1) {
            throw new InvalidAddressException("major version must be 1 or more, got " + major);
        }
    }

    /**
     * Parses {@code <domain>.<product>.v<major>}.
     *
     * @param address the text to parse
     * @return the address
     * @throws InvalidAddressException naming the part that is wrong
     */
    public static ProductAddress parse(String address) {
        if (address == null || address.isBlank()) {
            throw new InvalidAddressException("product address is empty; expected <domain>.<product>.v<major>");
        }
        String[] parts = address.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidAddressException("'" + address + "' is not a product address: expected "
                    + "<domain>.<product>.v<major> (3 parts separated by dots), got " + parts.length + " part(s)");
        }
        var major = MAJOR.matcher(parts[2]);
        if (!major.matches()) {
            throw new InvalidAddressException("'" + address + "': version part '" + parts[2]
                    + "' must be v<major>, e.g. v1");
        }
        try {
            return new ProductAddress(parts[0], parts[1], Integer.parseInt(major.group(1)));
        } catch (InvalidAddressException e) {
            throw new InvalidAddressException("'" + address + "': " + e.getMessage());
        }
    }

    /**
     * Checks a domain or product name.
     *
     * @param part what the name is, for the message ({@code domain} or {@code product})
     * @param name the name
     * @throws InvalidAddressException naming the part and the rule it breaks
     */
    public static void checkName(String part, String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidAddressException(part + " name is empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidAddressException(part + " name '" + name + "' is longer than "
                    + MAX_NAME_LENGTH + " characters");
        }
        if (!MeshNames.isValid(name)) {
            throw new InvalidAddressException(part + " name '" + name + "' must be lower-case kebab case "
                    + "(a letter, then letters, digits and single hyphens, e.g. order-placed)");
        }
    }

    /** @return whether {@code address} parses as a product address */
    public static boolean isValid(String address) {
        try {
            parse(address);
            return true;
        } catch (InvalidAddressException e) {
            return false;
        }
    }

    /** @return the product topic, which is the address itself */
    public String topic() {
        return toString();
    }

    /** @return the dead-letter topic of the product's producers */
    public String deadLetterTopic() {
        return MeshTopics.deadLetter(topic());
    }

    /**
     * @return the topic any client of the owning domain writes the product's records to; the
     *         contract gate checks each and writes it to the product or its dead-letter topic
     */
    public String ingestTopic() {
        return this + INGEST_SUFFIX;
    }

    /**
     * @param topic a topic name
     * @return the product whose ingest topic it is; empty if it is none
     */
    public static Optional<ProductAddress> ofIngestTopic(String topic) {
        if (topic == null || !INGEST_TOPICS.matcher(topic).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(topic.substring(0, topic.length() - INGEST_SUFFIX.length())));
        } catch (InvalidAddressException e) {
            return Optional.empty();
        }
    }

    /**
     * @param view the view name
     * @return the topic the policy-enforcer writes the view to
     */
    public String viewTopic(String view) {
        checkName("view", view);
        return MeshTopics.VIEW_PREFIX + this + "." + view;
    }

    /** @return the registry subject of the product's value schema (TopicIdStrategy) */
    public String valueSubject() {
        return MeshTopics.valueSubject(topic());
    }

    @Override
    public String toString() {
        return domain + "." + product + ".v" + major;
    }

    /** Thrown when text is not a valid product address; the message names the bad part. */
    public static final class InvalidAddressException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidAddressException(String message) {
            super(Objects.requireNonNull(message));
        }
    }
}
