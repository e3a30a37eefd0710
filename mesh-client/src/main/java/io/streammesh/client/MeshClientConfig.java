package io.streammesh.client;

import io.streammesh.keys.KekSource;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshNames;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a client reaches the mesh as one principal: the broker, the registry and the credentials
 * both take. Apps and the CLI pass this record around instead of raw {@link Properties}; a Kafka
 * client is built from {@link #kafka()}, an Apicurio serde or client from {@link #registry()}.
 * <p>
 * On disk it is a Java properties file, {@code <state-dir>/clients/<principal>.properties} as the
 * mesh writes it (see {@link ClientConfigs}), readable by Kafka's own tools and by users' Java
 * clients. {@link #load(Path)} also reads a user's own Kafka client config that lacks the mesh's
 * keys: it then takes the principal and password from the SASL login line, once.
 * <p>
 * The password is a {@link Secret}: {@link #toString()} and every error message leave it out.
 *
 * @param bootstrap the broker's bootstrap servers
 * @param principal the principal's bare name (no {@code User:})
 * @param registryUrl the registry's {@code /apis/registry/v2} URL, or null if the config names none
 * @param password the password the principal logs in to the broker and the registry with
 * @param extra further Kafka client settings, applied over the mesh's SASL defaults (a user's own
 *        {@code security.protocol}, an app's {@code client.id}, ...)
 */
public record MeshClientConfig(String bootstrap, String principal, URI registryUrl, Secret password, Map<String, String> extra) {

    private static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    private static final String SECURITY_PROTOCOL = "security.protocol";
    private static final String SASL_MECHANISM = "sasl.mechanism";
    private static final String SASL_JAAS_CONFIG = "sasl.jaas.config";
    private static final Set<String> MESH_KEYS = Set.of(BOOTSTRAP_SERVERS, ClientConfigs.REGISTRY_URL,
            ClientConfigs.REGISTRY_USERNAME, ClientConfigs.REGISTRY_PASSWORD, ClientConfigs.PRINCIPAL);
    /** The order the mesh writes its keys in, as it always has. */
    private static final List<String> KAFKA_KEYS = List.of(BOOTSTRAP_SERVERS, SECURITY_PROTOCOL, SASL_MECHANISM, SASL_JAAS_CONFIG);
    private static final List<String> REGISTRY_KEYS = List.of(ClientConfigs.REGISTRY_URL, ClientConfigs.REGISTRY_USERNAME,
            ClientConfigs.REGISTRY_PASSWORD);
    private static final Pattern JAAS_USERNAME = Pattern.compile("username=\"([^\"]+)\"");
    private static final Pattern JAAS_PASSWORD = Pattern.compile("password=\"([^\"]*)\"");

    /** @throws MeshException naming the missing part or the bad principal name */
    public MeshClientConfig {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new MeshException("the client config has no " + BOOTSTRAP_SERVERS);
        }
        principal = MeshPrincipal.bareName(principal);
        if (password == null) {
            throw new MeshException("the client config for principal '" + principal + "' has no password");
        }
        extra = Map.copyOf(extra == null ? Map.of() : extra);
    }

    /**
     * @param bootstrap the broker's bootstrap servers
     * @param principal the principal's name, with or without {@code User:}
     * @param registryUrl the registry's v2 API URL
     * @param password its password
     * @return the config the mesh writes for that principal
     */
    public static MeshClientConfig of(String bootstrap, String principal, URI registryUrl, String password) {
        return new MeshClientConfig(bootstrap, principal, registryUrl, new Secret(password), Map.of());
    }

    /** @return the Kafka principal, {@code User:<name>} */
    public String kafkaPrincipal() {
        return MeshNames.kafkaPrincipal(principal);
    }

    /**
     * @param key a Kafka client setting
     * @param value its value
     * @return this config with the setting added (or replaced), for an app's own client settings
     */
    public MeshClientConfig with(String key, String value) {
        var settings = new TreeMap<>(extra);
        settings.put(key, value);
        return new MeshClientConfig(bootstrap, principal, registryUrl, password, settings);
    }

    /**
     * @return a fresh, mutable Kafka client config: bootstrap servers, SASL/SCRAM-SHA-512 login
     *         as this principal, then {@link #extra()}; none of the mesh's own keys (nor its KMS
     *         settings, {@link KekSource}), which Kafka clients would warn about
     */
    public Properties kafka() {
        var properties = new Properties();
        properties.putAll(saslDefaults());
        properties.putAll(extra);
        // the KMS's settings are the mesh's (KekSource), not a Kafka client's
        kmsSettings().keySet().forEach(properties::remove);
        return properties;
    }

    /**
     * @return the settings Apicurio serdes and clients log in to the registry with (URL, HTTP
     *         Basic user and password), keyed as they read them
     * @throws MeshException if the config names no registry
     */
    public Map<String, String> registry() {
        return Map.of(ClientConfigs.REGISTRY_URL, registryUrlText(),
                ClientConfigs.REGISTRY_USERNAME, principal,
                ClientConfigs.REGISTRY_PASSWORD, password.reveal());
    }

    /**
     * @return the registry's v2 API URL
     * @throws MeshException if the config names no registry
     */
    public String registryUrlText() {
        if (registryUrl == null) {
            throw new MeshException("the client config has no " + ClientConfigs.REGISTRY_URL
                    + " (the registry's /apis/registry/v2 URL); add it, or use a config written by mesh up");
        }
        return registryUrl.toString();
    }

    /**
     * Reads a client config: one the mesh wrote, or a user's own Kafka client config (then the
     * principal and password come from its {@code sasl.jaas.config}).
     *
     * @param file the properties file, as given to {@code --client-config}
     * @return the config
     * @throws MeshException naming the file and the missing or malformed key, never a value
     */
    public static MeshClientConfig load(Path file) {
        Map<String, String> settings = read(file);
        try {
            return parse(settings);
        } catch (MeshException e) {
            throw new MeshException("client config " + file + ": " + e.getMessage());
        }
    }

    /**
     * Writes the config in the mesh's format, readable by its owner only.
     *
     * @param file where to write
     * @throws MeshException if it cannot be written
     */
    public void store(Path file) {
        List<String> lines = new ArrayList<>(List.of(
                "# StreamMesh client config for " + kafkaPrincipal() + " (Java clients, kafka-console-*).",
                "# It holds the principal's password: keep it private."));
        Properties kafka = kafka();
        kafka.stringPropertyNames().stream().sorted(MeshClientConfig::kafkaKeyOrder)
                .forEach(key -> lines.add(line(key, kafka.getProperty(key))));
        if (registryUrl != null) {
            Map<String, String> registry = registry();
            REGISTRY_KEYS.forEach(key -> lines.add(line(key, registry.get(key))));
        }
        lines.add(line(ClientConfigs.PRINCIPAL, kafkaPrincipal()));
        new TreeMap<>(kmsSettings()).forEach((key, value) -> lines.add(line(key, value)));
        ClientConfigs.writePrivate(file, lines);
    }

    /** @return the settings of the KMS that holds the platform's key-encryption keys ({@link KekSource}), if any */
    public Map<String, String> kmsSettings() {
        var kms = new TreeMap<String, String>();
        extra.forEach((key, value) -> {
            if (key.startsWith(KekSource.PREFIX)) {
                kms.put(key, value);
            }
        });
        return kms;
    }

    /** Never the password, nor the values of extra settings (a user's may hold keystore passwords). */
    @Override
    public String toString() {
        return "MeshClientConfig[bootstrap=" + bootstrap + ", principal=" + kafkaPrincipal() + ", registryUrl=" + registryUrl
                + ", extra=" + new TreeMap<>(extra).keySet() + "]";
    }

    private Map<String, String> saslDefaults() {
        var defaults = new LinkedHashMap<String, String>();
        defaults.put(BOOTSTRAP_SERVERS, bootstrap);
        defaults.put(SECURITY_PROTOCOL, "SASL_PLAINTEXT");
        defaults.put(SASL_MECHANISM, "SCRAM-SHA-512");
        defaults.put(SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"" + principal + "\" password=\"" + password.reveal() + "\";");
        return defaults;
    }

    private static MeshClientConfig parse(Map<String, String> settings) {
        String bootstrap = settings.get(BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new MeshException("no " + BOOTSTRAP_SERVERS);
        }
        String principal = settings.get(ClientConfigs.PRINCIPAL);
        String password = settings.get(ClientConfigs.REGISTRY_PASSWORD);
        if (principal == null || principal.isBlank()) {
            principal = fromLogin(settings, JAAS_USERNAME, "username");
        }
        if (password == null) {
            password = fromLogin(settings, JAAS_PASSWORD, "password");
        }
        var config = new MeshClientConfig(bootstrap, principal, registryUrlOf(settings), new Secret(password), Map.of());
        Map<String, String> defaults = config.saslDefaults();
        var extra = new TreeMap<String, String>();
        settings.forEach((key, value) -> {
            if (!MESH_KEYS.contains(key) && !value.equals(defaults.get(key))) {
                extra.put(key, value);
            }
        });
        return new MeshClientConfig(bootstrap, principal, config.registryUrl(), config.password(), extra);
    }

    private static URI registryUrlOf(Map<String, String> settings) {
        String url = settings.get(ClientConfigs.REGISTRY_URL);
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw new MeshException(ClientConfigs.REGISTRY_URL + " is not a URL: " + e.getReason());
        }
    }

    private static String fromLogin(Map<String, String> settings, Pattern pattern, String field) {
        Matcher matcher = pattern.matcher(settings.getOrDefault(SASL_JAAS_CONFIG, ""));
        if (!matcher.find()) {
            throw new MeshException("no " + field + "=\"...\" in " + SASL_JAAS_CONFIG
                    + (field.equals("username") ? " and no " + ClientConfigs.PRINCIPAL : ""));
        }
        return matcher.group(1);
    }

    private static Map<String, String> read(Path file) {
        var properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new MeshException("client config " + file + " does not exist");
        } catch (IOException e) {
            throw new MeshException("cannot read client config " + file + ": " + e.getMessage(), e);
        }
        var settings = new TreeMap<String, String>();
        properties.stringPropertyNames().forEach(key -> settings.put(key, properties.getProperty(key)));
        return settings;
    }

    /** The order the mesh has always written the Kafka keys in, then any others by name. */
    private static int kafkaKeyOrder(String a, String b) {
        int rank = Integer.compare(kafkaKeyRank(a), kafkaKeyRank(b));
        return rank != 0 ? rank : a.compareTo(b);
    }

    private static int kafkaKeyRank(String key) {
        int rank = KAFKA_KEYS.indexOf(key);
        return rank < 0 ? KAFKA_KEYS.size() : rank;
    }

    /** A properties line; escapes what {@link Properties#load} would otherwise read differently. */
    private static String line(String key, String value) {
        return key + "=" + value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** A password that does not print itself, so a config or a login in a log line or a message shows no credential. */
    public static final class Secret {

        private final String value;

        /**
         * @param value the password
         * @throws MeshException if there is none
         */
        public Secret(String value) {
            if (value == null) {
                throw new MeshException("a password is required");
            }
            this.value = value;
        }

        /** @return the password, for the places that hand it to a login */
        public String reveal() {
            return value;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Secret secret && secret.value.equals(value);
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }

        @Override
        public String toString() {
            return "****";
        }
    }
}
