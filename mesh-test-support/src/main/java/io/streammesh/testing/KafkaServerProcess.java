package io.streammesh.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Kafka broker started the way an operator starts one: a {@code server.properties}, storage
 * formatted by Kafka's own {@code StorageTool}, and Kafka's {@code kafka.Kafka} main in a JVM of
 * its own. Its class path is what a Kafka distribution's {@code libs/} holds (taken from this
 * test's class path) plus the plugin jars given, and nothing of StreamMesh besides: a class the
 * plugin needs and does not bring fails the broker as it would fail an operator's.
 */
public final class KafkaServerProcess implements AutoCloseable {

    /**
     * The jars of a Kafka 4.3 distribution's {@code libs/} that {@code kafka.Kafka} loads, and
     * Logback as the broker's SLF4J binding (the distribution ships Log4j's).
     */
    private static final List<String> BROKER_LIBS = List.of(
            "kafka_2.13", "kafka-clients", "kafka-server", "kafka-server-common", "kafka-metadata", "kafka-raft",
            "kafka-storage", "kafka-storage-api", "kafka-group-coordinator", "kafka-group-coordinator-api",
            "kafka-transaction-coordinator", "kafka-coordinator-common", "kafka-share-coordinator", "kafka-tools-api",
            "scala-library", "scala-reflect", "scala-logging_2.13",
            "jackson-databind", "jackson-core", "jackson-annotations", "jackson-dataformat-csv", "jackson-datatype-jdk8",
            "jackson-dataformat-yaml", "snakeyaml",
            "argparse4j", "jopt-simple", "jose4j", "metrics-core", "HdrHistogram", "hash4j", "re2j", "caffeine", "pcollections",
            "commons-validator", "commons-beanutils", "commons-digester", "commons-logging", "commons-collections",
            "zstd-jni", "lz4-java", "snappy-java", "slf4j-api", "log4j-api", "log4j-core",
            "logback-classic", "logback-core");
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String STARTED = "Kafka Server started";

    private final Process process;
    private final Path log;
    private final Thread killOnExit;

    private KafkaServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        // A test JVM that dies before close() must not leave a broker behind.
        this.killOnExit = new Thread(process::destroyForcibly, "kill-kafka-server-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Writes {@code server.properties} into {@code dir}, formats the storage it names, starts the
     * broker and waits until it serves.
     *
     * @param dir the broker's directory (config, log output)
     * @param settings the lines of {@code server.properties}
     * @param formatArguments further {@code StorageTool format} arguments (e.g. {@code --add-scram})
     * @param plugins jars to add to the broker's class path
     * @return the running broker
     * @throws AssertionError with the broker's output if it exits or does not start within 90 s
     */
    public static KafkaServerProcess start(Path dir, Map<String, String> settings, List<String> formatArguments, List<Path> plugins)
            throws IOException, InterruptedException {
        Path serverProperties = dir.resolve("server.properties");
        Files.write(serverProperties, settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        List<String> java = javaCommand(plugins, logback);

        var format = new ArrayList<>(java);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "--config", serverProperties.toString(),
                "--cluster-id", org.apache.kafka.common.Uuid.randomUuid().toString()));
        format.addAll(formatArguments);
        run(format, dir.resolve("format.log"));

        var server = new ArrayList<>(java);
        server.addAll(List.of("kafka.Kafka", serverProperties.toString()));
        Path log = dir.resolve("server.log");
        var broker = new KafkaServerProcess(new ProcessBuilder(server).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(broker::started);
            return broker;
        } catch (RuntimeException | Error e) {
            broker.close();
            throw e;
        }
    }

    /** @return everything the broker has written to its console so far */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the broker's output " + log, e);
        }
    }

    /** @return the broker's process, to check it is gone */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    private boolean started() {
        String output = output();
        if (!process.isAlive()) {
            throw new AssertionError("kafka.Kafka exited with " + process.exitValue() + ":\n" + output);
        }
        return output.contains(STARTED);
    }

    /** Stops the broker as an operator would (SIGTERM, a clean shutdown), forcibly if it hangs. */
    @Override
    public void close() {
        try {
            stop(process);
        } finally {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void run(List<String> command, Path output) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!process.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("StorageTool did not finish within " + FORMAT_TIMEOUT.toSeconds() + " s:\n"
                        + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("StorageTool exited with " + process.exitValue() + ":\n" + Files.readString(output));
            }
        } finally {
            stop(process);
        }
    }

    /** The JVM running this test, with the broker's class path. */
    private static List<String> javaCommand(List<Path> plugins, Path logback) {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new AssertionError("cannot tell this JVM's java command"));
        var classPath = new ArrayList<>(brokerLibs());
        plugins.forEach(plugin -> classPath.add(plugin.toString()));
        return List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + logback,
                "-cp", String.join(File.pathSeparator, classPath));
    }

    /**
     * @return the test class path's jars named in {@link #BROKER_LIBS}
     * @throws AssertionError naming those it lacks, so the list cannot rot unnoticed
     */
    public static List<String> brokerLibs() {
        List<String> testClassPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).toList();
        var found = new ArrayList<String>();
        var missing = new ArrayList<String>();
        for (String artifact : BROKER_LIBS) {
            Pattern jar = Pattern.compile(Pattern.quote(artifact) + "-\\d[^" + Pattern.quote(File.separator) + "]*\\.jar");
            List<String> matches = testClassPath.stream().filter(entry -> jar.matcher(Path.of(entry).getFileName().toString()).matches())
                    .toList();
            if (matches.isEmpty()) {
                missing.add(artifact);
            }
            found.addAll(matches);
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("the test class path lacks these broker jars: " + String.join(", ", missing));
        }
        return found;
    }
}
