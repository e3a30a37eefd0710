package io.streammesh.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.security.auth.module.UnixSystem;
import io.streammesh.schema.MeshException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The layout of a mesh's state directory (default {@code .mesh/}):
 * <pre>
 * kafka/            broker log and metadata directories
 * registry/         the registry's H2 database (schemas and their ids)
 * clients/          &lt;principal&gt;.properties (Java) and &lt;principal&gt;.kcat.conf (librdkafka)
 * logs/             broker and registry logs
 * apps/             local state of the mesh's Kafka Streams apps
 * credentials       salted password hashes of every principal
 * view.secret       the key hashed view fields are derived from
 * mesh.json         what the running mesh listens on (see {@link MeshStatus})
 * mesh.lock         held by the process running the mesh
 * </pre>
 *
 * <p>It holds plaintext product records, password hashes and client passwords, so it is its
 * owner's alone: the directory and its directories are {@code rwx------} and the files the mesh
 * writes itself {@code rw-------}. Files the broker, the registry's H2 and the Streams apps create
 * get the process umask, which Java cannot set, but sit behind those directories.
 */
public final class StateDirectory {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@code --fresh} deletes: the mesh's own entries, never anything else in the directory. */
    private static final List<String> MESH_ENTRIES =
            List.of("kafka", "kafka-nodes", "registry", "clients", "logs", "apps", "audit-spool", "credentials", "credentials.lock", "mesh.json",
                    "mesh.json.next", "view.secret", "keks");

    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    /** Status changes of every state directory object in this process, one at a time. */
    private static final Object STATUS_WRITES = new Object();

    private final Path root;

    /** @param root the directory */
    public StateDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** @return the directory itself */
    public Path root() {
        return root;
    }

    /** @return the broker's log directory */
    public Path kafka() {
        return root.resolve("kafka");
    }

    /** @return where a cluster's brokers keep their log directories (a single broker uses {@link #kafka()}) */
    public Path kafkaNodes() {
        return root.resolve("kafka-nodes");
    }

    /** @return the registry's database directory */
    public Path registry() {
        return root.resolve("registry");
    }

    /** @return where client configs are written */
    public Path clients() {
        return root.resolve("clients");
    }

    /** @return where the broker and registry log */
    public Path logs() {
        return root.resolve("logs");
    }

    /** @return where the broker's authorizer keeps audit events it could not ship yet */
    public Path auditSpool() {
        return root.resolve("audit-spool");
    }

    /** @return where the mesh's Kafka Streams apps keep their local state */
    public Path apps() {
        return root.resolve("apps");
    }

    /**
     * @return where the domains' local key-encryption keys are kept ({@code io.streammesh.keys.LocalKms}),
     *         one owner-only keyset per domain, shared by every holder of the mesh's data keys
     */
    public Path keks() {
        return root.resolve("keks");
    }

    /** @return the credential store's file */
    public Path credentials() {
        return root.resolve("credentials");
    }

    /** @return the running mesh's status file */
    public Path statusFile() {
        return root.resolve("mesh.json");
    }

    /**
     * Creates the directory if needed and checks that it can be written.
     *
     * @throws MeshException saying which directory and how to fix it
     */
    public void prepare() {
        try {
            createPrivateDirectory(root);
            for (Path dir : List.of(kafka(), registry(), clients(), logs(), apps(), auditSpool())) {
                createPrivateDirectory(dir);
            }
        } catch (IOException e) {
            throw unwritable(e);
        }
        if (!Files.isWritable(root)) {
            throw unwritable(null);
        }
    }

    private MeshException unwritable(IOException cause) {
        return new MeshException("state directory " + root + " is not writable"
                + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")")
                + "; fix its permissions or choose another with --state-dir", cause);
    }

    /**
     * Takes the lock that says a mesh runs on this directory. The operating system drops it when
     * the process dies, so a crash never leaves a stale lock.
     *
     * @return the lock, to close when the mesh stops
     * @throws MeshException if another mesh holds it
     */
    public FileLock lock() {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(root.resolve("mesh.lock"), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
        } catch (OverlappingFileLockException e) {
            // held by this very JVM: a second mesh on the same directory
        } catch (IOException e) {
            throw unwritable(e);
        }
        closeQuietly(channel);
        String pid = readStatus().map(s -> " (pid " + s.pid() + ")").orElse("");
        throw new MeshException("a mesh is already running on state directory " + root + pid
                + "; stop it with Ctrl-C, or run this one with another --state-dir");
    }

    /** @return whether a live process holds this directory's lock */
    public boolean isLocked() {
        if (!Files.exists(root.resolve("mesh.lock"))) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(root.resolve("mesh.lock"), StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Deletes the mesh's data (broker, registry, principals, client configs), keeping anything
     * else a user put in the directory. Call only while holding the lock.
     */
    public void wipe() {
        for (String entry : MESH_ENTRIES) {
            Path path = root.resolve(entry);
            if (!Files.exists(path)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new MeshException("cannot wipe " + path + " for --fresh: " + e.getMessage(), e);
            }
        }
    }

    /**
     * @param status what the mesh listens on, written once it is ready; a command reading it at the
     *        same moment sees the old status or the new one, never half of one
     */
    public void writeStatus(MeshStatus status) {
        synchronized (STATUS_WRITES) {
            try {
                Path next = root.resolve("mesh.json.next");
                writePrivate(next, JSON.writeValueAsString(status));
                Files.move(next, statusFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new MeshException("cannot write " + statusFile() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Changes the running mesh's status, one change at a time (the parts that start, the registry's
     * supervisor), so that none is lost to another made at the same moment.
     *
     * @param change what to change in it
     */
    public void updateStatus(UnaryOperator<MeshStatus> change) {
        synchronized (STATUS_WRITES) {
            readStatus().ifPresent(status -> writeStatus(change.apply(status)));
        }
    }

    /**
     * @return the last status written, if any
     * @throws MeshException if the status file is another user's, or others may write it or its
     *         directory: the URLs in it are where commands send this user's logins and data
     */
    public Optional<MeshStatus> readStatus() {
        try {
            refuseUntrusted(root);
            refuseUntrusted(statusFile());
            return Optional.of(JSON.readValue(statusFile().toFile(), MeshStatus.class));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new MeshException("cannot read " + statusFile() + " (" + e.getMessage() + "); "
                    + "delete it, or start afresh with mesh up --fresh", e);
        }
    }

    /**
     * A mesh writes its status owner-only in a directory of its own: a file or directory that is
     * not this user's, or that others may write, was planted (e.g. a {@code .mesh} in a shared
     * directory above the working one). Where the file system has no Unix owners or POSIX
     * permissions (Windows), there is nothing to check.
     */
    private static void refuseUntrusted(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try {
            long owner = ((Number) Files.getAttribute(path, "unix:uid")).longValue();
            if (owner != new UnixSystem().getUid()) {
                throw new MeshException(path + " belongs to another user (uid " + owner + "): a mesh state directory of yours is not shared; "
                        + "give your own with --state-dir DIR or MESH_STATE_DIR=DIR");
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new MeshException(path + " may be written by other users (" + PosixFilePermissions.toString(permissions)
                        + "); a mesh keeps its state directory to itself: chmod go-w " + path + ", or start afresh with mesh up --fresh");
            }
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no Unix owners or POSIX permissions on this file system
        }
    }

    /** Removes the status file when the mesh stops. */
    public void clearStatus() {
        try {
            Files.deleteIfExists(statusFile());
        } catch (IOException e) {
            throw new MeshException("cannot delete " + statusFile() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates a file readable and writable by its owner only, if it does not exist yet, for a
     * writer that opens it by name (a log appender, a child process's output).
     *
     * @param file the file
     * @throws IOException if it cannot be created
     */
    public static void createPrivate(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
        }
        Files.setPosixFilePermissions(file, PRIVATE_FILE);
    }

    /**
     * Writes a file readable and writable by its owner only.
     *
     * @param file the file, replaced if it exists
     * @param content its content
     * @throws IOException if it cannot be written
     */
    public static void writePrivate(Path file, String content) throws IOException {
        createPrivate(file);
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        // an older mesh, or a directory the user made, may have left it readable to others
        Files.setPosixFilePermissions(dir, PRIVATE_DIRECTORY);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
