package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data keys of data subjects: one Tink AES-256-GCM keyset per (domain, subject id), created on
 * first use, wrapped by the domain's KEK (associated data binds it to its domain and subject) and
 * kept on the domain's {@link KeyLog}. Erasing a subject tombstones its key; a later record about
 * it gets a fresh key. Keys written by other holders (another gate instance, an erasure) are seen
 * within {@link #REFRESH_MS} of the next use. Thread-safe.
 *
 * <p>Several holders may create a subject's key at once (two gate instances, each with a record
 * about a new subject): the first key on the log since the subject's last erasure is its key. A
 * holder that created one reads the log to past its own entry before using it, unless its entry
 * was the log's next one after what it had read (then nothing came before it); if another came
 * first it takes that one instead and writes it again, so that the last entry, the one compaction
 * keeps, is the key that encrypted. A later rival key never replaces a usable key a holder has
 * (an entry that does not unwrap still does: it costs that subject, as before).
 *
 * <p>A key held from a read of the log less than {@link #REFRESH_MS} ago is handed out without
 * the lock, so that a use never waits for another thread's read of the log; a holder that answers
 * requests ({@link #refreshingInBackground}) keeps its reads that fresh on a thread of its own.
 */
public final class SubjectKeys implements AutoCloseable {

    /** How often the key logs are read again for keys written or erased elsewhere. */
    public static final long REFRESH_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(SubjectKeys.class);

    /**
     * A subject's data key: the keyset (to wrap it again) and its primitive, or why the entry on
     * the key log gives none (then neither is there, and using the key fails with that reason).
     */
    private record DataKey(KeysetHandle keyset, Aead aead, UnusableKey broken) {

        DataKey(KeysetHandle keyset) {
            this(keyset, primitive(keyset), null);
        }

        Aead usable() {
            if (broken != null) {
                throw broken;
            }
            return aead;
        }
    }

    private final KeyLog log;
    private final KmsClient kms;
    private final Function<String, String> kekUri;
    private final ToIntFunction<String> kekVersion;
    private final LongSupplier clock;
    /** Written under the lock, read without it by {@link #fresh}. */
    private final Map<String, Map<String, DataKey>> keys = new ConcurrentHashMap<>();
    /** When each domain's log was last read to its end (the clock before the read): published after the entries it read. */
    private final Map<String, Long> readAt = new ConcurrentHashMap<>();
    private ScheduledExecutorService refresher;
    private boolean closed;

    /**
     * @param log where wrapped keys are kept
     * @param kms the KEKs' client, e.g. {@link LocalKms} or Tink's AWS/GCP KMS clients
     * @param kekUri the URI of a domain's KEK for {@code kms}
     * @param kekVersion the version of a domain's KEK that wraps new keys (0 where the KMS keeps versions itself)
     * @param clock milliseconds, for {@link #REFRESH_MS}
     */
    public SubjectKeys(KeyLog log, KmsClient kms, Function<String, String> kekUri, ToIntFunction<String> kekVersion, LongSupplier clock) {
        LocalKms.register();
        this.log = log;
        this.kms = kms;
        this.kekUri = kekUri;
        this.kekVersion = kekVersion;
        this.clock = clock;
    }

    /**
     * The embedded mesh's keys: {@code mesh.keys.<domain>} on the broker, KEKs in {@code kekDir}.
     *
     * @param config a platform principal's client config (one with ACLs on the key topics)
     * @param kekDir where the local KEKs are kept
     * @return the keys
     */
    public static SubjectKeys local(MeshClientConfig config, Path kekDir) {
        var kms = new LocalKms(kekDir);
        return new SubjectKeys(new KafkaKeyLog(config), kms, LocalKms::uri, kms::version, SubjectKeys::monotonicMillis);
    }

    /**
     * The embedded mesh's keys for a holder that only decrypts: reads {@code mesh.keys.<domain>},
     * never writes it ({@link #dataKey}, {@link #erase} and {@link #rewrap} fail).
     *
     * @param config a platform principal's client config (one with READ on the key topics)
     * @param kekDir where the local KEKs are kept
     * @return the keys
     */
    public static SubjectKeys reader(MeshClientConfig config, Path kekDir) {
        var kms = new LocalKms(kekDir);
        return new SubjectKeys(KafkaKeyLog.reader(config), kms, LocalKms::uri, kms::version, SubjectKeys::monotonicMillis);
    }

    /**
     * @param domain the domain the subject's records belong to
     * @param subject the subject id
     * @return the subject's data key, created (and durably on the key log) if it had none
     */
    public Aead dataKey(String domain, String subject) {
        DataKey held = fresh(domain, subject);
        return held != null ? held.usable() : heldOrCreated(domain, subject);
    }

    private synchronized Aead heldOrCreated(String domain, String subject) {
        refresh(domain);
        DataKey key = keys.get(domain).get(subject);
        if (key == null) {
            key = create(domain, subject);
        }
        return key.usable();
    }

    /**
     * A new data key for the subject, replacing whatever its entry on the key log holds: for a
     * key whose entry this holder cannot unwrap ({@link UnusableKey}) and whose loss costs nothing
     * readable, such as the key of a product's dead letters.
     *
     * @param domain the domain
     * @param subject the subject id
     * @return the new data key
     */
    public synchronized Aead freshKey(String domain, String subject) {
        refresh(domain);
        return create(domain, subject).usable();
    }

    /**
     * For decryption: a subject's key if it has one.
     *
     * @param domain the domain
     * @param subject the subject id
     * @return its data key, empty if it never had one or was erased (the log read to its end to say so)
     */
    public Optional<Aead> existing(String domain, String subject) {
        return Optional.ofNullable(held(domain, subject)).map(DataKey::usable);
    }

    /**
     * The key a read of the log less than {@link #REFRESH_MS} ago found, without the lock: the
     * same answer {@link #refresh} would give, as the read it would skip is that recent; null when
     * the read is older or the subject has no key in it (then the caller asks under the lock).
     */
    private DataKey fresh(String domain, String subject) {
        Long last = readAt.get(domain);
        if (last == null || clock.getAsLong() - last >= REFRESH_MS) {
            return null;
        }
        Map<String, DataKey> ofDomain = keys.get(domain);
        return ofDomain == null ? null : ofDomain.get(subject);
    }

    /** @return the subject's key, fresh or looked up under the lock; null if it has none */
    private DataKey held(String domain, String subject) {
        DataKey key = fresh(domain, subject);
        if (key != null) {
            return key;
        }
        synchronized (this) {
            return lookUp(domain, subject);
        }
    }

    /**
     * A subject without a key since the last refresh is looked for again at the log's end: the
     * record being read was written after its key, maybe within {@link #REFRESH_MS}, and a key
     * missed so would read as erased.
     */
    private DataKey lookUp(String domain, String subject) {
        refresh(domain);
        DataKey key = keys.get(domain).get(subject);
        if (key == null) {
            readAt.remove(domain);
            refresh(domain);
            key = keys.get(domain).get(subject);
        }
        return key;
    }

    /**
     * A secret of the subject's own, derived from its data key: HMAC-SHA256 keyed with the data
     * key's AES key bytes over {@code context}. Gone with the data key: whatever it keyed (a view's
     * hash of the subject's fields) can no longer be linked to the subject once it is erased. The
     * data key itself never leaves this class.
     *
     * @param domain the domain
     * @param subject the subject id
     * @param context what the secret is for (different contexts give unrelated secrets)
     * @return 32 bytes, empty if the subject has no data key (never had one, or was erased)
     */
    public Optional<byte[]> derivedSecret(String domain, String subject, byte[] context) {
        DataKey key = held(domain, subject);
        if (key == null) {
            return Optional.empty();
        }
        key.usable();
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(((AesGcmKey) key.keyset().getPrimary().getKey()).getKeyBytes().toByteArray(InsecureSecretKeyAccess.get()),
                    "HmacSHA256"));
            return Optional.of(hmac.doFinal(context));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new MeshException("cannot derive a secret from the data key of subject " + subject + ": " + e.getMessage(), e);
        }
    }

    /**
     * For the catalog's key service, which hands a subject's data key to a grantee allowed to
     * decrypt: the keyset itself, not only its primitive.
     *
     * @param domain the domain
     * @param subject the subject id
     * @return its data key's keyset, empty if it never had one or was erased
     * @throws UnusableKey if its entry on the key log gives no key
     */
    public Optional<KeysetHandle> existingKeyset(String domain, String subject) {
        return Optional.ofNullable(held(domain, subject)).map(key -> {
            key.usable();
            return key.keyset();
        });
    }

    /**
     * Erases a subject: tombstones its key; once the key topic is compacted, its encrypted fields
     * are unreadable everywhere.
     *
     * @param domain the domain
     * @param subject the subject id
     */
    public synchronized void erase(String domain, String subject) {
        refresh(domain);
        log.write(domain, subject, null);
        keys.get(domain).remove(subject);
    }

    /**
     * Wraps every data key of a domain again with its KEK's current version (after a KEK
     * rotation); the data keys, and so the data, stay as they are.
     *
     * @param domain the domain
     * @return how many keys were wrapped again
     */
    public synchronized int rewrap(String domain) {
        readAt.remove(domain);
        refresh(domain);
        List<Map.Entry<String, DataKey>> all = keys.get(domain).entrySet().stream().filter(e -> e.getValue().broken() == null).toList();
        all.forEach(entry -> log.write(domain, entry.getKey(), wrap(domain, entry.getKey(), entry.getValue().keyset()).toBytes()));
        return all.size();
    }

    private void refresh(String domain) {
        Long last = readAt.get(domain);
        if (last == null || clock.getAsLong() - last >= REFRESH_MS) {
            read(domain);
        }
    }

    /** Reads the logs to their end: {@code domain}'s and every one read before. */
    private void read(String domain) {
        long now = clock.getAsLong();
        log.catchUp(domain, this::seen);
        // after the read: a domain whose log cannot be read is never counted as read
        keys.computeIfAbsent(domain, d -> new ConcurrentHashMap<>());
        keys.keySet().forEach(d -> readAt.put(d, now));
    }

    /** A clock for key freshness that a step of the wall clock cannot turn back (an erased key would stay fresh). */
    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    private void seen(String domain, String subject, byte[] value) {
        Map<String, DataKey> ofDomain = keys.computeIfAbsent(domain, d -> new ConcurrentHashMap<>());
        if (value == null) {
            ofDomain.remove(subject);
            return;
        }
        try {
            DataKey entry = new DataKey(unwrap(domain, subject, WrappedKey.fromBytes(value)));
            DataKey held = ofDomain.get(subject);
            if (held == null || held.broken() != null || sameKey(held, entry)) {
                ofDomain.put(subject, entry);
            }
        } catch (MeshException | IllegalArgumentException e) {
            // one bad entry costs its subject alone, never the domain's other keys
            ofDomain.put(subject, new DataKey(null, null, new UnusableKey("the data key of subject " + subject + " on "
                    + MeshTopics.keys(domain) + " is unusable: " + e.getMessage(), e)));
        }
    }

    /**
     * Writes a new key and reads the log past it (unless the key's entry came right after what this
     * holder had read): the first usable key written since this holder last read is the subject's,
     * this one or a rival's written at the same time.
     */
    private DataKey create(String domain, String subject) {
        KeysetHandle keyset;
        try {
            keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot create a data key: " + e.getMessage(), e);
        }
        Map<String, DataKey> ofDomain = keys.get(domain);
        ofDomain.remove(subject);
        if (log.writeNext(domain, subject, wrap(domain, subject, keyset).toBytes())) {
            // nothing came between the last read and this entry: it is the first, as a read would find
            ofDomain.put(subject, new DataKey(keyset));
        } else {
            log.catchUp(domain, this::seen);
        }
        DataKey first = ofDomain.get(subject);
        if (first == null) {
            throw new UnusableKey("subject " + subject + " was erased from " + MeshTopics.keys(domain) + " while its data key was created", null);
        }
        if (first.broken() == null && !first.keyset().equalsKeyset(keyset)) {
            log.write(domain, subject, wrap(domain, subject, first.keyset()).toBytes());
        }
        return first;
    }

    /** Whether two entries hold the same key: one wrapped again (a KEK rotation, a rival's key written again). */
    private static boolean sameKey(DataKey held, DataKey entry) {
        return held.keyset().equalsKeyset(entry.keyset());
    }

    private WrappedKey wrap(String domain, String subject, KeysetHandle keyset) {
        try {
            int version = kekVersion.applyAsInt(domain);
            return new WrappedKey(version, TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, kek(domain),
                    WrappedKey.associatedData(domain, subject)));
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot wrap a data key of domain " + domain + " with its key-encryption key: " + e.getMessage(), e);
        }
    }

    private KeysetHandle unwrap(String domain, String subject, WrappedKey wrapped) {
        try {
            return TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped.wrapped(), kek(domain), WrappedKey.associatedData(domain, subject));
        } catch (GeneralSecurityException e) {
            throw new MeshException("it does not unwrap with KEK version " + wrapped.kekVersion() + " (" + e.getMessage() + ")", e);
        }
    }

    private Aead kek(String domain) throws GeneralSecurityException {
        return kms.getAead(kekUri.apply(domain));
    }

    private static Aead primitive(KeysetHandle keyset) {
        try {
            return keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new MeshException("a data key gives no AEAD: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the key logs of every domain read so far again every half {@link #REFRESH_MS} on a
     * thread of its own, so that a holder answering requests (the catalog's key service) finds its
     * keys fresh and no request waits for the broker; a subject without a key is still looked for
     * at the log's end on the request's path. A read that fails is logged, and the next use reads
     * the log itself (and fails with the reason) once what it holds is older than {@link #REFRESH_MS}.
     *
     * @return these keys
     */
    public synchronized SubjectKeys refreshingInBackground() {
        if (refresher == null && !closed) {
            refresher = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "mesh-key-log-refresh");
                thread.setDaemon(true);
                return thread;
            });
            refresher.scheduleWithFixedDelay(this::refreshRead, REFRESH_MS / 2, REFRESH_MS / 2, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private synchronized void refreshRead() {
        if (closed) {
            return;
        }
        // one domain's catch-up reads every domain read before; should one fail, the next is asked
        for (String domain : List.copyOf(readAt.keySet())) {
            try {
                read(domain);
                return;
            } catch (RuntimeException e) {
                LOG.warn("Could not read the key logs in the background ({}); the next use of a key reads them itself", e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (refresher != null) {
            refresher.shutdown();
        }
        log.close();
    }

    /** A subject whose entry on the key log gives no key: not unwrappable with the domain's KEK, or not a wrapped key. */
    public static final class UnusableKey extends MeshException {
        private static final long serialVersionUID = 1L;

        UnusableKey(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
