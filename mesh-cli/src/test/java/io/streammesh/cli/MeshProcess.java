package io.streammesh.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;

/** {@code mesh <args>} in a JVM of its own, as a user runs it, with its output in a file. */
final class MeshProcess implements AutoCloseable {

    private static final int LOG_TAIL_LINES = 80;

    private final Process process;
    private final Path output;
    private final Path log;

    private MeshProcess(Process process, Path output, Path log) {
        this.process = process;
        this.output = output;
        this.log = log;
    }

    static MeshProcess start(Path workDir, String... args) throws IOException {
        Path output = Files.createTempFile(workDir, "mesh-", ".out");
        // env restores Ctrl-C's default: a job started in the background (CI) inherits SIGINT ignored, and the JVM then keeps it so
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Mesh.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        int stateDir = command.indexOf("--state-dir");
        Path log = stateDir < 0 ? null : Path.of(command.get(stateDir + 1), "logs", "mesh.log");
        return new MeshProcess(process, output, log);
    }

    Process process() {
        return process;
    }

    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the whole ready banner: its last line, so assertions on any banner line do not race the output reader. */
    void awaitReady(Duration within) {
        awaitOutput("Stop with Ctrl-C.", within);
    }

    /**
     * Waits until the output holds {@code text}, failing early if the process ends; a failure shows
     * the output and the end of the mesh's log, since the process is gone once the test closes it.
     */
    void awaitOutput(String text, Duration within) {
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (output().contains(text)) {
                    return true;
                }
                if (!process.isAlive()) {
                    throw new AssertionError("mesh exited with " + process.exitValue() + " before printing '" + text + "':\n" + whatItSaid());
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("mesh did not print '" + text + "' within " + within + " (now " + Instant.now()
                    + "; its threads: " + threadDump() + "):\n" + whatItSaid(), e);
        }
    }

    /** A hung mesh is diagnosed by what its threads wait for; the dump goes to a file, it is long. */
    private String threadDump() {
        Path dump = Path.of("target", "mesh-threads-" + process.pid() + ".txt").toAbsolutePath();
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).redirectOutput(dump.toFile()).start();
            return jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) ? dump.toString() : "jcmd did not answer";
        } catch (IOException e) {
            return "no dump: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no dump: interrupted";
        }
    }

    private String whatItSaid() {
        return output() + (log == null ? "" : "\n--- last " + LOG_TAIL_LINES + " lines of " + log + " ---\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Sends SIGINT, as Ctrl-C in the terminal does. */
    void interrupt() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -INT " + process.pid() + " failed");
        }
    }

    int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError("mesh did not exit within " + within + ":\n" + whatItSaid());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
