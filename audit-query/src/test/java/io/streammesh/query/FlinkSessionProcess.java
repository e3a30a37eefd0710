package io.streammesh.query;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@link FlinkSessionCluster} in a JVM of its own whose class path is this test's library jars
 * without {@link JobJars#ARTIFACTS} (but those a Flink distribution brings too) and without any
 * StreamMesh class but the cluster's main: a query's format, connector and client reach it only as
 * the jars the job ships, as on a real cluster.
 */
final class FlinkSessionProcess implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(90);
    /** Of {@link JobJars#ARTIFACTS}, what a Flink distribution's {@code lib/} holds as well: its runtime compresses with LZ4. */
    private static final List<String> FLINK_BRINGS_TOO = List.of("lz4-java");

    private final Process process;
    private final Path log;
    private final Thread killOnExit;

    private FlinkSessionProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly, "kill-flink-session-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    static FlinkSessionProcess start(Path dir, int restPort) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new AssertionError("cannot tell this JVM's java command"));
        Path log = dir.resolve("flink-session.log");
        var command = List.of(java, "-Xmx768m", "-XX:+UseSerialGC", "-cp", String.join(File.pathSeparator, clusterClassPath()),
                FlinkSessionCluster.class.getName(), Integer.toString(restPort));
        var cluster = new FlinkSessionProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
        try {
            await().atMost(START).pollInterval(Duration.ofMillis(200)).until(cluster::started);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** @return everything the cluster has written so far */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Flink cluster's output " + log, e);
        }
    }

    private boolean started() {
        String output = output();
        if (!process.isAlive()) {
            throw new AssertionError("the Flink cluster exited with " + process.exitValue() + ":\n" + output);
        }
        return output.contains(FlinkSessionCluster.READY);
    }

    /** The test's library jars other than those a job ships (no module of this build), and the directory holding the cluster's main. */
    private static List<String> clusterClassPath() {
        String testClasses = Path.of(FlinkSessionCluster.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        var classPath = new ArrayList<String>();
        classPath.add(testClasses);
        Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar") && !Path.of(entry).getParent().endsWith("target"))
                .filter(entry -> JobJars.ARTIFACTS.stream().filter(artifact -> !FLINK_BRINGS_TOO.contains(artifact))
                        .noneMatch(artifact -> JobJars.isArtifact(entry, artifact)))
                .forEach(classPath::add);
        return classPath;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        }
    }
}
