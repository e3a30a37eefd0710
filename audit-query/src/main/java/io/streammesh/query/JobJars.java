package io.streammesh.query;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The jars a query's tasks need on a Flink session cluster that a Flink distribution does not
 * bring: taken from this process's class path by artifact name, so {@code mesh}'s {@code lib/}
 * and a build's class path give the same. A class directory (a build's {@code target/classes})
 * is packed into a jar first: a cluster accepts jars only.
 */
final class JobJars {

    /**
     * What the tasks load: the tables' format (this module), the client config and serde it reads
     * with (mesh-client, schemas), Flink's Kafka connector, the Kafka client and its compression
     * codecs, Avro, and Apicurio's serde and client with the Jackson they use. Flink's own jars are
     * the cluster's.
     */
    static final List<String> ARTIFACTS = List.of("audit-query", "mesh-client", "schemas",
            "flink-connector-kafka", "flink-connector-base", "kafka-clients", "lz4-java", "snappy-java", "zstd-jni",
            "avro", "apicurio-registry-serdes-avro-serde", "apicurio-registry-serde-common", "apicurio-registry-schema-resolver",
            "apicurio-registry-client", "apicurio-registry-common", "apicurio-common-rest-client-common", "apicurio-common-rest-client-jdk",
            "jackson-databind", "jackson-core", "jackson-annotations", "jackson-datatype-jsr310");

    private JobJars() {
    }

    /**
     * @return the URLs of those jars on this class path
     * @throws IllegalStateException naming the artifacts the class path lacks
     */
    static List<String> shipped() {
        List<String> classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).toList();
        var jars = new ArrayList<String>();
        var missing = new ArrayList<String>();
        for (String artifact : ARTIFACTS) {
            List<String> found = classPath.stream().filter(entry -> isArtifact(entry, artifact)).toList();
            if (found.isEmpty()) {
                missing.add(artifact);
            }
            found.forEach(entry -> jars.add(url(entry, artifact)));
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cannot ship a query to Flink: the class path lacks " + String.join(", ", missing));
        }
        return jars;
    }

    /** {@code lib/kafka-clients-4.3.1.jar}, or a build's {@code kafka-clients/target/classes} for our own modules. */
    static boolean isArtifact(String entry, String artifact) {
        Path path = Path.of(entry);
        if (Files.isDirectory(path)) {
            return path.endsWith(Path.of(artifact, "target", "classes"));
        }
        return Pattern.matches(Pattern.quote(artifact) + "-\\d[^" + Pattern.quote(File.separator) + "]*\\.jar", path.getFileName().toString());
    }

    private static String url(String entry, String artifact) {
        Path path = Path.of(entry);
        try {
            return (Files.isDirectory(path) ? packed(path, artifact) : path).toUri().toURL().toString();
        } catch (MalformedURLException e) {
            throw new IllegalStateException("cannot ship " + entry + " to Flink", e);
        }
    }

    /** A class directory as a jar in the temporary directory, removed when this process ends. */
    private static Path packed(Path classes, String artifact) {
        try {
            Path jar = Files.createTempFile(artifact + "-", ".jar");
            jar.toFile().deleteOnExit();
            try (OutputStream file = Files.newOutputStream(jar); var out = new JarOutputStream(file);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path source : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(source).toString().replace(File.separatorChar, '/')));
                    Files.copy(source, out);
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + classes + " into a jar for Flink", e);
        }
    }
}
