package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded mesh's key-encryption keys: one Tink AES-256-GCM keyset per domain, in
 * {@code <dir>/<domain>.kek.json} (owner-only, 0600), created on first use and addressed as
 * {@code mesh-local://<domain>} through Tink's {@link KmsClient} seam, so that a cloud KMS takes
 * its place by configuration. Rotation adds a new primary key to the keyset and keeps the old ones
 * to unwrap what they wrapped; the KEK version is the primary key's id. Whoever holds the state
 * directory's owner account holds these keys: a production mesh uses a KMS instead.
 *
 * <p>A KEK is read and parsed once and kept with its primitive while its file stays the same file
 * (inode, modification time and size, checked on every use): a holder unwraps every data key of a
 * domain when it starts, and a rotation by another process (a new file moved over the old) is
 * seen at the next use. Rotations take turns on {@code <domain>.kek.lock} (a file lock, so across
 * processes: two {@code mesh keys rotate} at once both land), and a keyset is on the disk before
 * it takes the KEK's name.
 */
public final class LocalKms implements KmsClient {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKms.class);

    /** The URI scheme of local KEKs. */
    public static final String SCHEME = "mesh-local://";

    /** Rotations by every LocalKms of this JVM, one at a time. */
    private static final Object ROTATIONS = new Object();
    /** The longest a rotation waits for another process's. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(60);
    private static final long LOCK_POLL_MS = 20;

    private final Path dir;
    private final Map<String, Loaded> loaded = new HashMap<>();

    /** A KEK as read from its file, and what that file was when it was read. */
    private record Loaded(Object fileKey, FileTime modified, long size, KeysetHandle keyset, Aead aead) {

        boolean readFrom(BasicFileAttributes file) {
            return Objects.equals(fileKey, file.fileKey()) && modified.equals(file.lastModifiedTime()) && size == file.size();
        }
    }

    /** @param dir where the KEK keysets are kept (created owner-only if missing) */
    public LocalKms(Path dir) {
        this.dir = dir;
        register();
    }

    /**
     * @param domain a domain
     * @return the URI of its KEK, {@code mesh-local://<domain>}
     */
    public static String uri(String domain) {
        ProductAddress.checkName("domain", domain);
        return SCHEME + domain;
    }

    @Override
    public boolean doesSupport(String keyUri) {
        return keyUri != null && keyUri.startsWith(SCHEME);
    }

    @Override
    public KmsClient withCredentials(String credentialPath) {
        return this;
    }

    @Override
    public KmsClient withDefaultCredentials() {
        return this;
    }

    @Override
    public synchronized Aead getAead(String keyUri) throws GeneralSecurityException {
        return keyset(domain(keyUri)).aead();
    }

    /**
     * @param domain a domain
     * @return the version of its KEK that wraps new data keys: the keyset's primary key id
     */
    public synchronized int version(String domain) {
        try {
            return keyset(domain).keyset().getPrimary().getId();
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot read the key-encryption key of domain " + domain + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds a new primary key to the domain's KEK; the old keys stay to unwrap what they wrapped.
     *
     * @param domain a domain
     * @return the new KEK version
     */
    public int rotate(String domain) {
        Path lock = file(domain).resolveSibling(domain + ".kek.lock");
        // A file lock is the whole JVM's: two LocalKms of one JVM take turns before asking for it.
        synchronized (ROTATIONS) {
            try (FileChannel channel = FileChannel.open(ownerOnly(lock), StandardOpenOption.WRITE); FileLock held = locked(channel, lock)) {
                synchronized (this) {
                    // read under the lock: a rotation another process finished just before is in the file, not lost
                    KeysetHandle rotated = KeysetHandle.newBuilder(keyset(domain).keyset())
                            .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary())
                            .build();
                    save(domain, rotated);
                    return rotated.getPrimary().getId();
                }
            } catch (GeneralSecurityException e) {
                throw new MeshException("cannot rotate the key-encryption key of domain " + domain + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new MeshException("cannot lock " + lock + " to rotate the key-encryption key of domain " + domain + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** The lock, once no other rotation holds it: one stuck for longer (a suspended process) is named, not waited for forever. */
    private static FileLock locked(FileChannel channel, Path lock) throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            FileLock held = channel.tryLock();
            if (held != null) {
                return held;
            }
            if (System.nanoTime() > deadline) {
                throw new MeshException("another rotation has held " + lock + " for over " + LOCK_WAIT.toSeconds()
                        + " s; try again once it is done");
            }
            try {
                Thread.sleep(LOCK_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted while waiting for " + lock, e);
            }
        }
    }

    /** @return the file, created empty and owner-only (its directory too) if missing */
    private Path ownerOnly(Path file) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // made by an earlier rotation
        }
        return file;
    }

    private Loaded keyset(String domain) throws GeneralSecurityException {
        Path file = file(domain);
        BasicFileAttributes attributes = attributes(file);
        if (attributes == null) {
            create(domain, KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM));
            attributes = attributes(file);
            if (attributes == null) {
                throw new MeshException("the key-encryption key " + file + " was removed as it was created");
            }
        }
        Loaded held = loaded.get(domain);
        if (held != null && held.readFrom(attributes)) {
            return held;
        }
        // the attributes are taken before the read: a file replaced in between is read again at the next use, never kept as the old one
        KeysetHandle keyset;
        try {
            keyset = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(file), InsecureSecretKeyAccess.get());
        } catch (IOException e) {
            throw new MeshException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Loaded read = new Loaded(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), keyset,
                keyset.getPrimitive(RegistryConfiguration.get(), Aead.class));
        loaded.put(domain, read);
        return read;
    }

    /** @return the file's attributes, null if there is no such file */
    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new MeshException("cannot read the attributes of " + file + ": " + e.getMessage(), e);
        }
    }

    /** Written to a new owner-only file, then moved over the old: a crash never leaves half a keyset. */
    private void save(String domain, KeysetHandle keyset) throws GeneralSecurityException {
        Path file = file(domain);
        try {
            Files.move(written(domain, keyset), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
        } catch (IOException e) {
            throw new MeshException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A domain's first KEK, unless another holder (another process, or another {@code LocalKms} on
     * the same directory: the gate and the catalog each have theirs) created it first: then that
     * one stays, since whatever it wrapped meanwhile would be lost with it. Linked into place, which
     * fails if the file exists, written whole before.
     */
    void create(String domain, KeysetHandle keyset) throws GeneralSecurityException {
        Path file = file(domain);
        Path next = null;
        try {
            next = written(domain, keyset);
            link(next, file);
            syncDirectory();
        } catch (FileAlreadyExistsException e) {
            // another holder's KEK came first
        } catch (IOException e) {
            throw new MeshException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (next != null) {
                try {
                    Files.deleteIfExists(next);
                } catch (IOException e) {
                    LOG.warn("Could not delete {}: {}", next, e.getMessage());
                }
            }
        }
    }

    /** A file system without hard links gets the file moved into place, unless one is there: a narrow race, not none. */
    private static void link(Path written, Path file) throws IOException {
        try {
            Files.createLink(file, written);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.move(written, file);
        }
    }

    /**
     * Makes a KEK's new name durable: a crash after a rotation must not bring back the keyset
     * before it, whose keys would not unwrap what was wrapped again with the new one.
     */
    private void syncDirectory() throws IOException {
        FileChannel directory;
        try {
            directory = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            // some platforms (Windows) cannot open a directory to sync it; the file itself is synced
            LOG.warn("Could not open {} to sync it after writing a key-encryption key: {}", dir, e.getMessage());
            return;
        }
        try (directory) {
            directory.force(true);
        }
    }

    /** @return a new owner-only file in the KEK directory holding the keyset (none is left if it cannot be written) */
    private Path written(String domain, KeysetHandle keyset) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path next = Files.createTempFile(dir, domain, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel out = FileChannel.open(next, StandardOpenOption.WRITE)) {
            ByteBuffer json = ByteBuffer.wrap(TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get())
                    .getBytes(StandardCharsets.UTF_8));
            while (json.hasRemaining()) {
                out.write(json);
            }
            // on the disk before it takes the KEK's name: a crash must not leave a KEK whose keys are lost
            out.force(true);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            Files.deleteIfExists(next);
            throw e;
        }
        return next;
    }

    private Path file(String domain) {
        ProductAddress.checkName("domain", domain);
        return dir.resolve(domain + ".kek.json");
    }

    private static String domain(String keyUri) throws GeneralSecurityException {
        if (keyUri == null || !keyUri.startsWith(SCHEME)) {
            throw new GeneralSecurityException("not a local key URI (" + SCHEME + "<domain>): " + keyUri);
        }
        return keyUri.substring(SCHEME.length());
    }

    /** Tink's AEAD key types, registered once per JVM (registering again is harmless). */
    static void register() {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink's AEAD primitives do not register: " + e.getMessage(), e);
        }
    }
}
