package io.streammesh.schema;

import java.util.regex.Pattern;

/**
 * The one naming rule of the mesh and the one spelling of a Kafka principal. Domains, products,
 * views and principals all have lower-case kebab-case names: a letter, then letters and digits,
 * in words joined by single hyphens, at most {@value #MAX_LENGTH} characters. The broker knows a
 * principal as {@code User:<name>}.
 *
 * <p>Plain Java on purpose: the registry-server and the credentials module use it without Avro.
 */
public final class MeshNames {

    /** Longest allowed name. */
    public static final int MAX_LENGTH = 64;

    /**
     * The whole rule, length included, as a regular expression to embed in topic patterns: a
     * letter, then up to {@code MAX_LENGTH - 1} letters, digits or hyphens, each hyphen followed by
     * a letter or digit (so no double, leading or trailing hyphen).
     */
    public static final String REGEX = "[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0," + (MAX_LENGTH - 1) + "}";

    /** How Kafka spells the principal of a SASL user: {@code User:<name>}. */
    public static final String KAFKA_USER_PREFIX = "User:";

    /** The platform's name, which its topics ({@code mesh.}) and principals ({@code mesh-}) start with. */
    public static final String PLATFORM_NAME = "mesh";

    /** Every authenticated user, as an ACL principal. */
    public static final String EVERY_USER = KAFKA_USER_PREFIX + "*";

    private static final Pattern NAME = Pattern.compile(REGEX);
    private static final Pattern KAFKA_USER = Pattern.compile(Pattern.quote(KAFKA_USER_PREFIX) + REGEX);

    private MeshNames() {
    }

    /**
     * @param name a domain, product, view or principal name
     * @return whether it follows the naming rule
     */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * @param name a principal's bare name, e.g. {@code analytics}; not checked, so that the
     *             broker's view of a peer (e.g. {@code User:ANONYMOUS}) can be spelled too
     * @return its Kafka principal, {@code User:<name>}
     */
    public static String kafkaPrincipal(String name) {
        return KAFKA_USER_PREFIX + name;
    }

    /**
     * @param name a principal's bare name, e.g. {@code mesh-gate}
     * @return whether it is the platform's: {@code mesh}, or {@code mesh-} and more, as the
     *         platform's principals and apps are named (their ACLs cover {@code mesh-<app>*}), so
     *         no domain, team or auditor may take it
     */
    public static boolean isPlatformName(String name) {
        return name != null && (name.equals(PLATFORM_NAME) || name.startsWith(PLATFORM_NAME + "-"));
    }

    /**
     * Whose a consumer group is: a principal's groups are its name, and its name followed by a dot
     * and more ({@code analytics}, {@code analytics.fraud}). Names have no dot, so no principal's
     * groups are another's: a grant that gives its principal a group (READ on it, which lets a
     * member join it, commit its offsets and read them) can never open another team's group.
     *
     * @param group a consumer group
     * @param principal a principal's bare name, e.g. {@code analytics}
     * @return whether the group is one of the principal's
     */
    public static boolean isGroupOf(String group, String principal) {
        return group != null && principal != null && !principal.isEmpty()
                && (group.equals(principal) || group.startsWith(principal + ".") && group.length() > principal.length() + 1);
    }

    /**
     * @param principal a Kafka principal, e.g. {@code User:analytics}
     * @return whether it is a SASL user with a valid mesh name
     */
    public static boolean isKafkaPrincipal(String principal) {
        return principal != null && KAFKA_USER.matcher(principal).matches();
    }

    /**
     * @param text a principal, with or without the {@code User:} prefix
     * @return the text without the prefix; not checked against the naming rule
     */
    public static String withoutKafkaPrefix(String text) {
        return text != null && text.startsWith(KAFKA_USER_PREFIX) ? text.substring(KAFKA_USER_PREFIX.length()) : text;
    }

    /**
     * @param text a principal, with or without the {@code User:} prefix
     * @return the Kafka principal, {@code User:<name>}; text that already names a principal type
     *         (it has a colon) is kept as it is
     */
    public static String asKafkaPrincipal(String text) {
        return text.contains(":") ? text : kafkaPrincipal(text);
    }
}
