package io.streammesh.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An app in a JVM of its own, on the test's class path, so that a test can kill it abruptly
 * ({@code destroyForcibly}, no clean close) and start it again.
 */
public final class AppProcess {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private AppProcess() {
    }

    /**
     * Starts {@code main} and waits until its output shows {@code ready}.
     *
     * @param main a class with a main method
     * @param log where its output goes
     * @param ready what it prints once running
     * @param args its arguments
     * @return the running process
     * @throws AssertionError with its output if it exits or is not ready within 90 s
     */
    public static Process start(Class<?> main, Path log, String ready, String... args) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        // The child logs as this test JVM does: a configuration file named by property is not found on the class path.
        String logging = System.getProperty("logback.configurationFile");
        if (logging != null) {
            command.add("-Dlogback.configurationFile=" + logging);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
                while (!Files.readString(log).contains(ready)) {
                    if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                        throw new AssertionError(main.getSimpleName() + " exited: " + Files.readString(log));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(main.getSimpleName() + " was not ready within " + START_TIMEOUT.toSeconds() + " s: "
                                + Files.readString(log));
                    }
                }
                return process;
            } catch (IOException | InterruptedException | RuntimeException | Error e) {
                // not ready means not started: nothing the caller could stop outlives this call
                process.destroyForcibly();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + main.getName(), e);
        }
    }
}
