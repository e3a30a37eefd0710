package io.streammesh.credentials;

import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The mesh's own credential store: one line per principal, {@code name kind iterations:salt:hash},
 * in a file readable only by its owner. The broker's PLAIN callback handler checks passwords
 * against it, so a principal added by any process (the CLI, a test) authenticates at once,
 * without a broker restart.
 *
 * <p>Reads are cached per file and refreshed when the file's modification time or size
 * changes; successful checks are memoised, since one PBKDF2 derivation costs tens of
 * milliseconds and Kafka authenticates every new connection.
 */
public final class CredentialStore {

    private static final Map<Path, Snapshot> SNAPSHOTS = new ConcurrentHashMap<>();
    /** File locks are per process; this orders writers within the process. */
    private static final Object WRITERS = new Object();

    private final Path file;

    private CredentialStore(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    /**
     * A new random password for a principal (32 URL-safe characters), to be stored here with
     * {@link #put} and handed only to the principal's own client config.
     *
     * @return the password
     */
    public static String newPassword() {
        return PasswordHash.newPassword();
    }

    /**
     * @param file the credentials file; created on first {@link #put}
     * @return the store kept in that file
     */
    public static CredentialStore at(Path file) {
        return new CredentialStore(file);
    }

    /** @return the file this store is kept in */
    public Path file() {
        return file;
    }

    /**
     * Adds a principal, or replaces its password and kind.
     *
     * @param principal the principal
     * @param password its password (only its salted hash is stored)
     */
    public void put(MeshPrincipal principal, String password) {
        var hash = PasswordHash.of(password);
        update(entries -> entries.put(principal.name(), new Entry(principal, hash)));
    }

    /** @return every principal in the store, by name */
    public List<MeshPrincipal> principals() {
        return snapshot().entries.values().stream().map(Entry::principal).toList();
    }

    /**
     * @param name a principal name without {@code User:}
     * @return the principal, if the store has it
     */
    public Optional<MeshPrincipal> find(String name) {
        return Optional.ofNullable(snapshot().entries.get(name)).map(Entry::principal);
    }

    /**
     * @param name a principal name without {@code User:}
     * @param password the password offered
     * @return whether the store has the principal and the password is its own
     */
    public boolean authenticate(String name, String password) {
        if (name == null || password == null) {
            return false;
        }
        Snapshot snapshot = snapshot();
        Entry entry = snapshot.entries.get(name);
        if (entry == null) {
            return false;
        }
        byte[] digest = sha256(password);
        if (snapshot.verified(name, digest)) {
            return true;
        }
        boolean ok = entry.hash.matches(password);
        if (ok) {
            snapshot.verified.put(name, digest);
        }
        return ok;
    }

    /**
     * Whether the password was verified for the principal before, without deriving its hash: for a
     * caller that may not spend a PBKDF2 derivation on this attempt (too many failed ones).
     *
     * @param name a principal name without {@code User:}
     * @param password the password offered
     * @return whether a check since the store last changed found it the principal's own
     */
    public boolean verifiedBefore(String name, String password) {
        if (name == null || password == null) {
            return false;
        }
        return snapshot().verified(name, sha256(password));
    }

    private Snapshot snapshot() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Snapshot.EMPTY;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read credential store " + file, e);
        }
        Version version = new Version(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        return SNAPSHOTS.compute(file, (path, cached) ->
                cached != null && cached.version.equals(version) ? cached : Snapshot.after(cached, version, read()));
    }

    private Map<String, Entry> read() {
        Map<String, Entry> entries = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                if (parts.length != 3) {
                    throw new MeshException("credential store " + file + " has a malformed line; expected 'name kind hash'");
                }
                var principal = new MeshPrincipal(parts[0], PrincipalKind.valueOf(parts[1]));
                entries.put(principal.name(), new Entry(principal, PasswordHash.decode(parts[2])));
            }
        } catch (NoSuchFileException e) {
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read credential store " + file, e);
        }
        return entries;
    }

    /** Read-modify-write under a file lock, so that several processes can add principals. */
    private void update(Consumer<Map<String, Entry>> change) {
        synchronized (WRITERS) {
            updateLocked(change);
        }
    }

    private void updateLocked(Consumer<Map<String, Entry>> change) {
        try {
            Files.createDirectories(file.getParent());
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                FileLock held = channel.lock();
                try {
                    write(change);
                } finally {
                    held.release();
                }
            }
        } catch (IOException e) {
            throw new MeshException("cannot write credential store " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(Consumer<Map<String, Entry>> change) throws IOException {
        Map<String, Entry> entries = read();
        change.accept(entries);
        List<String> lines = new ArrayList<>();
        lines.add("# StreamMesh credentials: name kind pbkdf2-iterations:salt:hash. Keep this file private.");
        entries.values().forEach(e -> lines.add(e.principal.name() + " " + e.principal.kind() + " " + e.hash.encode()));
        Path temp = Files.createTempFile(file.getParent(), ".credentials", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(temp, lines, StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Entry(MeshPrincipal principal, PasswordHash hash) {

        /** @return whether the other entry is this principal's with the same password hash (a record's arrays compare by identity) */
        boolean sameAs(Entry other) {
            return other != null && principal.equals(other.principal) && hash.iterations() == other.hash.iterations()
                    && MessageDigest.isEqual(hash.salt(), other.hash.salt()) && MessageDigest.isEqual(hash.hash(), other.hash.hash());
        }
    }

    /** Writes replace the file, so a new inode, time or size means new content. */
    private record Version(FileTime modified, long size, Object fileKey) {
    }

    private record Snapshot(Version version, Map<String, Entry> entries, Map<String, byte[]> verified) {
        static final Snapshot EMPTY = new Snapshot(null, Map.of());

        Snapshot(Version version, Map<String, Entry> entries) {
            this(version, entries, new ConcurrentHashMap<>());
        }

        /** @return whether a check since the store last changed found the password of this digest the principal's own */
        boolean verified(String name, byte[] digest) {
            byte[] known = verified.get(name);
            return known != null && MessageDigest.isEqual(known, digest);
        }

        /**
         * The file read again after a change: a password verified before stays so while its
         * principal's hash is unchanged, so that another principal added or rotated costs no one
         * a derivation, nor a throttled caller its way in.
         */
        static Snapshot after(Snapshot before, Version version, Map<String, Entry> entries) {
            var next = new Snapshot(version, entries);
            if (before != null) {
                before.verified.forEach((name, digest) -> {
                    Entry was = before.entries.get(name);
                    if (was != null && was.sameAs(entries.get(name))) {
                        next.verified.put(name, digest);
                    }
                });
            }
            return next;
        }
    }
}
