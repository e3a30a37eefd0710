package io.streammesh.embedded;

import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshTopics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Apicurio Registry server (module {@code registry-server}) as a child process: its
 * classpath clashes with Kafka 4, so it cannot share this JVM.
 *
 * <p>Storage is an H2 file in the state directory, so schemas and their ids survive a restart.
 * The child gets this process's pid and stops itself when this process is gone (a crash or
 * {@code kill -9} included); a normal close stops it first.
 */
final class RegistryProcess implements AutoCloseable {

    /** System property naming the registry's {@code quarkus-run.jar}. */
    static final String JAR_PROPERTY = "mesh.registry.jar";
    /** Environment variable naming the registry's {@code quarkus-run.jar}. */
    static final String JAR_ENV = "MESH_REGISTRY_JAR";

    private static final Logger LOG = LoggerFactory.getLogger(RegistryProcess.class);
    private static final Path BUILT_JAR = Path.of("registry-server", "target", "quarkus-app", "quarkus-run.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final String baseUrl;
    private final Path logFile;
    private final Path pidFile;
    private final HttpClient http = adminClient();

    private RegistryProcess(Process process, String baseUrl, Path logFile, Path pidFile) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.logFile = logFile;
        this.pidFile = pidFile;
    }

    /**
     * Launches the registry; call {@link #awaitReady()} before using it.
     *
     * @param jar the registry's quarkus-run.jar
     * @param host address to bind
     * @param port HTTP port
     * @param dataDir where its H2 database lives
     * @param logFile where its output goes (appended to, so a restart keeps why the last one died)
     * @param credentials the mesh's credential store, which the registry authenticates every call against
     */
    static RegistryProcess launch(Path jar, String host, int port, Path dataDir, Path logFile, Path credentials) {
        Path pidFile = dataDir.resolve("registry.pid");
        stopLeftover(pidFile);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java,
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dmesh.parent.pid=" + ProcessHandle.current().pid(),
                "-Dmesh.credentials=" + credentials.toAbsolutePath(),
                "-Dquarkus.http.host=" + host,
                "-Dquarkus.http.port=" + port,
                "-jar", jar.toString()));
        var builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // H2 gives up on a locked table after 1 s by default; the apps starting together register
        // their schemas at once, and a refusal only costs them a retry and a warning. It also
        // writes commits to its file up to half a second late: a registry killed in that window
        // would come back without the schema it just acknowledged.
        builder.environment().put("REGISTRY_DATASOURCE_URL", "jdbc:h2:file:" + dataDir.resolve("registry").toAbsolutePath()
                + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0");
        try {
            StateDirectory.createPrivate(logFile);
            Process process = builder.start();
            StateDirectory.writePrivate(pidFile, Long.toString(process.pid()));
            return new RegistryProcess(process, "http://" + host + ":" + port, logFile, pidFile);
        } catch (IOException e) {
            throw new MeshException("cannot launch the Apicurio Registry (" + jar + "): " + e.getMessage(), e);
        }
    }

    /**
     * Finds the registry server's jar.
     *
     * @param configured a jar given in the config, or null
     * @return the jar
     * @throws MeshException saying how to build it
     */
    static Path locateJar(Path configured) {
        Optional<Path> given = Optional.ofNullable(configured)
                .or(() -> Optional.ofNullable(System.getProperty(JAR_PROPERTY)).map(Path::of))
                .or(() -> Optional.ofNullable(System.getenv(JAR_ENV)).map(Path::of));
        if (given.isPresent()) {
            if (!Files.isRegularFile(given.get())) {
                throw new MeshException("the Apicurio Registry jar " + given.get() + " does not exist; "
                        + "build it with ./mvnw -pl registry-server package");
            }
            return given.get();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(BUILT_JAR))) {
                return dir.resolve(BUILT_JAR);
            }
        }
        throw new MeshException("the Apicurio Registry server is not built (no " + BUILT_JAR + " here or above); "
                + "build it with ./mvnw -pl registry-server package, or set " + JAR_ENV);
    }

    /**
     * Waits until the registry answers its readiness check, then sets the global rules every
     * product relies on: valid schemas only, and BACKWARD compatibility within a topic. Rules are
     * the platform's: domains only register schemas, under these rules.
     *
     * @param adminPassword mesh-admin's password, which the registry asks for to change its rules
     * @throws MeshException with the registry's last log line if it exits or does not get ready
     */
    void awaitReady(String adminPassword) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                if (lastLogLine().contains("seems to be in use")) {
                    throw new PortTaken("the Apicurio Registry could not listen on " + baseUrl
                            + ": the port is in use (full log: " + logFile + ")");
                }
                throw new MeshException("the Apicurio Registry exited with code " + process.exitValue()
                        + " while starting: " + lastLogLine() + " (full log: " + logFile + ")");
            }
            if (get("/health/ready") == 200) {
                applyGlobalRules(http, baseUrl, adminPassword);
                LOG.info("Apicurio Registry ready at {}", baseUrl);
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted while waiting for the Apicurio Registry");
            }
        }
        throw new MeshException("the Apicurio Registry was not ready within " + START_TIMEOUT.toSeconds()
                + " s: " + lastLogLine() + " (full log: " + logFile + ")");
    }

    /** The registry's port was taken by someone else while it started. */
    static final class PortTaken extends MeshException {
        private static final long serialVersionUID = 1L;

        PortTaken(String message) {
            super(message);
        }
    }

    String baseUrl() {
        return baseUrl;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Kills the process as a crash would ({@code kill -9}): no shutdown, nothing flushed.
     *
     * @throws MeshException if it is still alive after 10 s
     */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new MeshException("the Apicurio Registry (pid " + process.pid() + ") did not die within 10 s of kill -9");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while killing the Apicurio Registry", e);
        }
    }

    /** @return the registry's process id */
    long pid() {
        return process.pid();
    }

    /** @return completes when the registry's process has exited, for whatever reason */
    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** @return why the process ended, one line: its exit code and its last telling log line */
    String exitReason() {
        int code = process.exitValue();
        // a shell's convention: 128 + n is death by signal n (137: SIGKILL, e.g. kill -9 or the OOM killer)
        String how = code > 128 ? "killed by signal " + (code - 128) : "exit code " + code;
        return how + ", last log line: " + lastLogLine();
    }

    /**
     * An HTTP client for the registry's admin calls. HTTP/1.1 because the JDK client's default
     * asks a plain-http server to upgrade to HTTP/2 on the first request, and the registry under
     * load answered such a first POST with GOAWAY, failing the mesh's start.
     *
     * @return a client for the registry's REST API
     */
    static HttpClient adminClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * Sets the global rules every product relies on: valid schemas only, and BACKWARD
     * compatibility within a topic. Rules are the platform's: domains only register schemas,
     * under these rules. Then seeds the id sequences (see {@link #seedIdSequences}).
     *
     * @param http the client to call with
     * @param baseUrl the registry's base URL, ready
     * @param adminPassword mesh-admin's password, which the registry asks for to change its rules
     * @throws MeshException if the registry refuses a rule or does not answer
     */
    static void applyGlobalRules(HttpClient http, String baseUrl, String adminPassword) {
        String login = "Basic " + Base64.getEncoder().encodeToString(
                (MeshPrincipal.ADMIN.name() + ":" + adminPassword).getBytes(StandardCharsets.UTF_8));
        ensureGlobalRule(http, baseUrl, "VALIDITY", "FULL", login);
        ensureGlobalRule(http, baseUrl, "COMPATIBILITY", "BACKWARD", login);
        seedIdSequences(http, baseUrl, login);
    }

    private static void ensureGlobalRule(HttpClient http, String baseUrl, String type, String config, String login) {
        String body = "{\"type\":\"" + type + "\",\"config\":\"" + config + "\"}";
        int created = send(http, baseUrl, HttpRequest.newBuilder(URI.create(baseUrl + "/apis/registry/v2/admin/rules"))
                .header("Content-Type", "application/json").header("Authorization", login)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (created == 409) {
            created = send(http, baseUrl, HttpRequest.newBuilder(URI.create(baseUrl + "/apis/registry/v2/admin/rules/" + type))
                    .header("Content-Type", "application/json").header("Authorization", login)
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        }
        if (created / 100 != 2) {
            throw new MeshException("the Apicurio Registry refused the global " + type + " rule (HTTP " + created + ")");
        }
    }

    /**
     * Registers the audit authorizer's schema as mesh-admin before anyone else may register. The
     * first registration in a new registry inserts the rows of its content and global id
     * sequences, and Apicurio 2.4 on H2 fails two clients that insert them at once (a table lock
     * timeout, HTTP 500 to both): the broker's audit shipper and a domain's first schema did exactly
     * that. Once the rows exist, concurrent registrations only update them, which H2 serialises.
     */
    private static void seedIdSequences(HttpClient http, String baseUrl, String login) {
        int created = send(http, baseUrl, HttpRequest.newBuilder(URI.create(baseUrl + "/apis/registry/v2/groups/default/artifacts?ifExists=RETURN_OR_UPDATE"))
                .header("Content-Type", "application/json").header("Authorization", login)
                .header("X-Registry-ArtifactId", MeshTopics.AUDIT_RAW + "-value").header("X-Registry-ArtifactType", "AVRO")
                .POST(HttpRequest.BodyPublishers.ofString(AuthorizationEvent.getClassSchema().toString())).build());
        if (created / 100 != 2) {
            throw new MeshException("the Apicurio Registry refused the audit schema " + MeshTopics.AUDIT_RAW + "-value (HTTP " + created + ")");
        }
    }

    private int get(String path) {
        try {
            return send(http, baseUrl, HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(2)).GET().build());
        } catch (MeshException e) {
            return -1;
        }
    }

    private static int send(HttpClient http, String baseUrl, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new MeshException("the Apicurio Registry at " + baseUrl + " does not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while calling the Apicurio Registry", e);
        }
    }

    private String lastLogLine() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i).strip();
                if (line.contains("ERROR") || line.contains("Exception") || line.contains("Failed")) {
                    return line;
                }
            }
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A registry left by a mesh that died before its registry noticed still holds the H2 file. */
    private static void stopLeftover(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle.of(pid)
                    .filter(p -> p.info().commandLine().orElse("").contains("quarkus-run.jar"))
                    .ifPresent(p -> {
                        LOG.info("Stopping a registry (pid {}) left by an earlier mesh", pid);
                        p.destroy();
                        p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
                    });
        } catch (IOException | NumberFormatException | java.util.concurrent.CompletionException e) {
            LOG.warn("Could not check for a leftover registry ({}): {}", pidFile, e.getMessage());
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            Files.deleteIfExists(pidFile);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", pidFile, e.getMessage());
        }
    }
}
