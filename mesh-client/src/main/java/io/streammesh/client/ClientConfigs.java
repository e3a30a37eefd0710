package io.streammesh.client;

import io.streammesh.keys.KekSource;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The client configs the mesh writes for every principal, in {@code <state-dir>/clients/}:
 * <ul>
 *   <li>{@code <name>.properties} for Java clients and Kafka's own tools
 *       ({@code --command-config}, {@code --consumer.config}): SASL/SCRAM-SHA-512, plus the
 *       registry URL and login for Apicurio serdes ({@value #REGISTRY_URL}, {@value #REGISTRY_USERNAME},
 *       {@value #REGISTRY_PASSWORD}): the registry takes the same principal and password as the broker;</li>
 *   <li>{@code <name>.kcat.conf} for librdkafka clients such as kcat ({@code -F}): SASL/PLAIN,
 *       since librdkafka's SCRAM fails against Kafka 4; a comment gives kcat's {@code -r} registry URL
 *       for {@code -s avro}, with the login in it.</li>
 * </ul>
 * Both hold the principal's password, so they are readable by their owner only.
 */
public final class ClientConfigs {

    /** Key of the Apicurio v2 API URL, as Apicurio serdes read it. */
    public static final String REGISTRY_URL = "apicurio.registry.url";
    /** Key of the principal the Apicurio serdes and client log in to the registry as (HTTP Basic). */
    public static final String REGISTRY_USERNAME = "apicurio.auth.username";
    /** Key of the password the Apicurio serdes and client log in to the registry with. */
    public static final String REGISTRY_PASSWORD = "apicurio.auth.password";
    /** Key of the principal the config authenticates as, {@code User:<name>}; ignored by Kafka clients. */
    public static final String PRINCIPAL = "mesh.principal";

    private final Path dir;

    /** @param dir the directory the configs live in */
    public ClientConfigs(Path dir) {
        this.dir = dir;
    }

    /**
     * @param name a principal name
     * @return its Java client config file
     */
    public Path propertiesFile(String name) {
        return dir.resolve(name + ".properties");
    }

    /**
     * @param name a principal name
     * @return its librdkafka (kcat) config file
     */
    public Path kcatFile(String name) {
        return dir.resolve(name + ".kcat.conf");
    }

    /**
     * Writes both configs of a principal, keeping the KMS settings of the Java one already there
     * ({@link MeshClientConfig#kmsSettings}).
     *
     * @param principal the principal
     * @param password its password
     * @param endpoints where the mesh listens
     */
    public void write(MeshPrincipal principal, String password, MeshEndpoints endpoints) {
        String name = principal.name();
        var config = MeshClientConfig.of(endpoints.bootstrapServers(), name, URI.create(endpoints.registryApiUrl()), password);
        // An operator's KMS settings stay when the mesh writes the config again (new endpoints, a new password).
        for (var kms : kmsSettings(propertiesFile(name)).entrySet()) {
            config = config.with(kms.getKey(), kms.getValue());
        }
        config.store(propertiesFile(name));
        writePrivate(kcatFile(name), List.of(
                "# StreamMesh client config for " + principal.kafkaPrincipal() + " (librdkafka: kcat -F <this file>).",
                "# It holds the principal's password: keep it private.",
                "bootstrap.servers=" + endpoints.bootstrapServers(),
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanisms=PLAIN",
                "# Avro through the registry: kcat -F <this file> -s value=avro -r " + endpoints.ccompatUrl(name, password),
                "sasl.username=" + name,
                "sasl.password=" + password));
    }

    /**
     * @param file a Java client config, or none
     * @return its KMS settings, read as properties whatever else the file holds (it is being written again)
     */
    private static Map<String, String> kmsSettings(Path file) {
        if (!Files.exists(file)) {
            return Map.of();
        }
        var properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new MeshException("cannot read the KMS settings of " + file + " before writing it again: " + e.getMessage(), e);
        }
        var kms = new TreeMap<String, String>();
        properties.stringPropertyNames().stream().filter(key -> key.startsWith(KekSource.PREFIX))
                .forEach(key -> kms.put(key, properties.getProperty(key)));
        return kms;
    }

    /**
     * Rewrites every principal's configs for new endpoints (a restarted mesh may listen elsewhere),
     * keeping their passwords.
     *
     * @param principals the principals to rewrite
     * @param endpoints where the mesh listens now
     */
    public void refresh(List<MeshPrincipal> principals, MeshEndpoints endpoints) {
        for (MeshPrincipal principal : principals) {
            kcatPassword(principal.name()).ifPresent(password -> write(principal, password, endpoints));
        }
    }

    /**
     * @param name a principal name
     * @return its Java client config, as written
     * @throws MeshException if the mesh has no config for it
     */
    public MeshClientConfig config(String name) {
        Path file = propertiesFile(name);
        if (!Files.exists(file)) {
            throw new MeshException("no client config for principal '" + name + "' in " + dir
                    + "; add it with: mesh principal add " + name);
        }
        return MeshClientConfig.load(file);
    }

    /** @return the names of principals with a config here */
    public List<String> names() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".properties"))
                    .map(f -> f.substring(0, f.length() - ".properties".length()))
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new MeshException("cannot list client configs in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param name a principal name
     * @return its password, as its librdkafka config holds it
     */
    public Optional<String> kcatPassword(String name) {
        Path kcat = kcatFile(name);
        if (!Files.exists(kcat)) {
            return Optional.empty();
        }
        var properties = new Properties();
        try (Reader reader = Files.newBufferedReader(kcat, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new MeshException("cannot read client config " + kcat + ": " + e.getMessage(), e);
        }
        return Optional.ofNullable(properties.getProperty("sasl.password"));
    }

    static void writePrivate(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MeshException("cannot write client config " + file + ": " + e.getMessage(), e);
        }
    }
}
