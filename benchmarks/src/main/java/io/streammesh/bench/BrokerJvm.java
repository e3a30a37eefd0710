package io.streammesh.bench;

import io.streammesh.client.ClientConfigs;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.embedded.MeshConfig;
import io.streammesh.embedded.StateDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded mesh's broker (and registry process) run from a JVM of their own, which the
 * benchmark attaches to (issue 17's method): in one JVM, the broker's threads, heap and garbage
 * collections were the measured code's too, and single rounds of a ratio ranged 0.2–3.0.
 * The child lives while its standard input is open, so it ends with the benchmark, whatever
 * ends that.
 */
final class BrokerJvm implements AutoCloseable {

    private static final String READY = "broker JVM ready";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final String AUDITED = "audited";
    private static final String PLAIN = "plain";

    private final Process process;
    private final OutputStream stdin;

    private BrokerJvm(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
    }

    /**
     * Starts the mesh's broker and registry in a child JVM on this JVM's class path and attaches to it.
     *
     * @param state the mesh's state directory (fresh, free ports)
     * @return the attached mesh; closing it stops the child
     */
    static EmbeddedMesh start(Path state) throws IOException, InterruptedException {
        return start(state, true);
    }

    /**
     * As {@link #start(Path)}, with the broker's {@code AuditingAuthorizer} or Kafka's plain one.
     *
     * @param state the mesh's state directory (fresh, free ports)
     * @param audited whether the broker audits (false: Kafka's {@code StandardAuthorizer}, as {@link MeshConfig#withAudit})
     * @return the attached mesh; closing it stops the child
     */
    static EmbeddedMesh start(Path state, boolean audited) throws IOException, InterruptedException {
        Path log = state.resolve("broker-jvm.log");
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java command"));
        Files.createDirectories(state);
        var child = new BrokerJvm(new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), BrokerJvm.class.getName(),
                state.toString(), audited ? AUDITED : PLAIN)).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        try {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!Files.readString(log).contains(READY)) {
                if (!child.process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker JVM did not start (see " + log + "):\n" + tail(Files.readString(log)));
                }
                Thread.sleep(200);
            }
            var directory = new StateDirectory(state);
            var endpoints = directory.readStatus().orElseThrow(() -> new IllegalStateException("the broker JVM wrote no status")).endpoints();
            String adminPassword = new ClientConfigs(directory.clients()).config("mesh-admin").password().reveal();
            return EmbeddedMesh.attach(state, endpoints, adminPassword, child);
        } catch (IOException | InterruptedException | RuntimeException e) {
            child.close();
            throw e;
        }
    }

    private static String tail(String log) {
        return log.substring(Math.max(0, log.length() - 4_000));
    }

    /** Closes the child's standard input, which stops its mesh, and waits for it. */
    @Override
    public void close() throws IOException, InterruptedException {
        stdin.close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** @param args the state directory, then {@code audited} or {@code plain} */
    public static void main(String[] args) throws IOException {
        try (var mesh = EmbeddedMesh.start(MeshConfig.withFreePorts(Path.of(args[0])).withAudit(!args[1].equals(PLAIN)))) {
            System.out.println(READY);
            System.out.flush();
            // the benchmark writes nothing: this returns when it ends
            System.in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
