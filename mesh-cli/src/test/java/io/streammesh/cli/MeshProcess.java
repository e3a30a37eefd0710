package io.streammesh.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code mesh <args>} in a JVM of its own, as a user runs it, with its output in a file. */
final class MeshProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private MeshProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static MeshProcess start(Path workDir, String... args) throws IOException {
        Path output = Files.createTempFile(workDir, "mesh-", ".out");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Mesh.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        return new MeshProcess(process, output);
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

    /** Waits until the output holds {@code text}, failing early if the process ends. */
    /** Waits for the whole ready banner: its last line, so assertions on any banner line do not race the output reader. */
    void awaitReady(Duration within) {
        awaitOutput("Stop with Ctrl-C.", within);
    }

    void awaitOutput(String text, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (output().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("mesh exited with " + process.exitValue() + " before printing '" + text + "':\n" + output());
            }
            return false;
        });
    }

    int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError("mesh did not exit within " + within + ":\n" + output());
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
