package io.streammesh.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real kcat, a librdkafka client, run as a user runs it with the mesh's
 * {@code <principal>.kcat.conf}: the clients the README shows beside Java's, whose configs only a
 * real librdkafka proves. The README and {@code .ci/run} install it; a test that can also make its
 * point with the Java client asks {@link #installed()} first.
 */
public final class Kcat {

    private static final long TIMEOUT_SECONDS = 60;
    /** Between a record's key and value on kcat's standard input ({@code -K}): no key of the tests holds it. */
    private static final String KEY_DELIMITER = "|";

    private Kcat() {
    }

    /**
     * Produces the records, one line each, and waits until kcat has them acknowledged.
     *
     * @param config the principal's {@code .kcat.conf}
     * @param topic where to
     * @param records each record's key and value (one line of text, e.g. JSON), in order
     * @throws AssertionError if kcat is not installed, or does not deliver every record
     */
    public static void produce(Path config, String topic, List<Map.Entry<String, String>> records) {
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, String> record : records) {
            if (record.getKey().contains(KEY_DELIMITER) || record.getValue().contains("\n")) {
                throw new IllegalArgumentException("a record for kcat needs a key without '" + KEY_DELIMITER + "' and a one-line value: "
                        + record.getKey());
            }
            lines.append(record.getKey()).append(KEY_DELIMITER).append(record.getValue()).append('\n');
        }
        try {
            // to a file, so that kcat never blocks on a full pipe nobody reads
            Path stderr = Files.createTempFile("kcat", ".err");
            stderr.toFile().deleteOnExit();
            Process kcat = new ProcessBuilder(binary().toString(), "-F", config.toString(), "-P", "-t", topic, "-K", KEY_DELIMITER,
                    "-X", "acks=all")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile())
                    .start();
            try (Writer in = kcat.outputWriter(StandardCharsets.UTF_8)) {
                in.write(lines.toString());
            }
            boolean ended = kcat.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                kcat.destroyForcibly();
            }
            String errors = Files.readString(stderr);
            if (!ended) {
                throw new AssertionError("kcat did not deliver " + records.size() + " records to " + topic + " within " + TIMEOUT_SECONDS
                        + " s: " + errors);
            }
            // kcat's own errors start "% ERROR", a record librdkafka gave up on "% Delivery failed"
            if (kcat.exitValue() != 0 || errors.contains("% ERROR") || errors.contains("Delivery failed")) {
                throw new AssertionError("kcat did not deliver every record to " + topic + " (exit " + kcat.exitValue() + "): " + errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while kcat produced", e);
        }
    }

    /** @return whether kcat is on the {@code PATH} */
    public static boolean installed() {
        return onPath().isPresent();
    }

    private static Optional<Path> onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kcat");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** @return kcat on the {@code PATH} */
    private static Path binary() {
        return onPath().orElseThrow(() -> new AssertionError("kcat is not installed: this test produces through it as a librdkafka client would; install it as the "
                + "README's quick start says (apt-get install kcat)"));
    }
}
