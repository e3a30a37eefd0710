package io.streammesh.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.proto.EncryptedKeyset;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data keys of data subjects: one Tink AES-256-GCM keyset per (domain, subject id), created on
 * first use, wrapped by the domain's KEK (associated data binds it to its domain and subject) and
 * kept on the domain's {@link KeyLog}. Erasing a subject replaces its key's entry with an erasure
 * ({@link KeyEntry#erasure}) that keeps only the ids of the keys it had; a later record about it
 * gets a fresh key, whose entry keeps those ids, so that what the erased keys encrypted reads as
 * erased, never as forged ({@link #subjectKey}). An erasure erases whatever key came before it on
 * the log, as every holder reads the log in the same order, and an erased key never comes back
 * (an entry of it written again later, by a rewrap or a rival that had not read the erasure, is
 * read as the erasure). Whoever writes an entry without having read to its end first (an
 * erasure, a rewrap, a key created while others wrote) reads past it and writes the entry as read
 * again if it differs (the erasure came after all, more ids are erased): the last entry of a
 * subject, which compaction keeps, is always what every holder holds. Keys written by other
 * holders (another gate instance, an erasure) are seen within {@link #REFRESH_MS} of the next use.
 * Thread-safe.
 *
 * <p>Several holders may create a subject's key at once (two gate instances, each with a record
 * about a new subject): the first key on the log since the subject's last erasure is its key. A
 * holder that created one reads the log to past its own entry before using it, unless its entry
 * was the log's next one after what it had read (then nothing came before it); if another came
 * first it takes that one instead and writes it again, so that the last entry, the one compaction
 * keeps, is the key that encrypted. A later rival key never replaces a usable key a holder has
 * (an entry that does not unwrap still does: it costs that subject, as before).
 *
 * <p>A domain's log is read and written under a lock of the domain's own (and by a consumer of its
 * own, {@link KafkaKeyLog}): a domain whose log is long to read, or whose key topic does not
 * answer, holds up no other domain's keys. A key held from a read of the log that ended less than
 * {@link #REFRESH_MS} ago is handed out without the lock, so that a use never waits for another
 * thread's read of the log; a holder that answers requests ({@link #refreshingInBackground}) keeps
 * its reads that fresh on a thread of its own.
 *
 * <p>Every subject's entry is held as the log has it, its key still wrapped (a few hundred bytes
 * a subject): a key is unwrapped when used, or when reading the log must know which key an
 * entry holds (a subject's second key entry, or one of a subject with erased keys), and at most
 * {@link #UNWRAPPED_KEYS} unwrapped keys (about 2 KB each with their cipher) are kept, those used
 * last, each for at most {@link #UNWRAPPED_IDLE} unused. A domain with millions of data subjects
 * so costs every holder (the gate every domain shares among them) the size of its wrapped
 * entries, not of its keys, reading its log costs no KEK operation per subject, and key material
 * stays in memory only while it is used.
 */
public final class SubjectKeys implements AutoCloseable {

    /**
     * Whose KEK wraps the platform's own keys (the gates' keys for waiting records): the name no
     * domain may take, so that no domain's KMS is asked for them.
     */
    public static final String PLATFORM = "mesh";
    /** How often the key logs are read again for keys written or erased elsewhere. */
    public static final long REFRESH_MS = 1_000;
    /** How many data keys a holder keeps unwrapped, at most (the rest stay wrapped until used). */
    public static final int UNWRAPPED_KEYS = 20_000;
    /** How long an unwrapped data key is kept unused. */
    public static final Duration UNWRAPPED_IDLE = Duration.ofMinutes(1);
    /**
     * How long a KMS named by configuration may fail to unwrap an entry before the entry is judged
     * unusable: a remote KMS out of reach fails as one that refuses the key, so a failure is an
     * outage first (its uses wait), and a verdict only once it has lasted this long.
     */
    public static final long REMOTE_OUTAGE_MS = Duration.ofMinutes(10).toMillis();
    /**
     * How long an entry judged unusable because a configured KMS failed to unwrap it for
     * {@link #REMOTE_OUTAGE_MS} is not asked again: that verdict is a guess (an outage that lasted
     * looks like a refusal), so the KMS is asked again this often, and an entry that unwraps then is
     * usable again, for every holder that asks, without a restart.
     */
    public static final long REJUDGE_MS = Duration.ofMinutes(1).toMillis();
    /**
     * How long after a KMS failed to unwrap an entry (an outage) it is not asked for that entry
     * again: its uses meanwhile meet the same outage at once, so that callers asking again and again
     * (a grantee's requests to the key service, records tried again) do not each cost a KMS call.
     */
    public static final long UNWRAP_RETRY_MS = 5_000;
    /**
     * How long the background refresher leaves a domain whose last read of its log failed: a key
     * topic that hangs (up to 30 s a call) costs the other domains' refreshes one wait that often,
     * not one every round; its uses still read it themselves.
     */
    static final long REFRESH_BACKOFF_MS = 30_000;
    /** How many times an entry is written again as read before its writer lets the next writer settle it. */
    private static final int SETTLE_ROUNDS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(SubjectKeys.class);

    /**
     * A subject's entry as read, as compact as the log keeps it: its data key still wrapped
     * (unwrapped when used, see {@link #unwrapped}, and judged by its first unwrap here,
     * {@link #unwrapChecked}); or why the entry gives none (then using it fails with that reason);
     * or neither, once the subject was erased. In each, the ids of the subject's erased keys.
     * Compared by identity, so that the unwrapped keys are those of the entries held, one each.
     */
    private static final class DataKey {
        private final KeyEntry wrapped;
        private final UnusableKey broken;
        private final Set<Integer> erasedKeyIds;
        /** What the entry's first unwrap found; null until then. */
        private volatile Judged judged;
        /** Whether, and since when (the holder's clock), a configured KMS has failed to unwrap it. */
        private boolean failing;
        private long failingSince;
        /** Why, and when (the holder's clock), its last unwrap failed as an outage; null if none did. */
        private String outage;
        private long outageAt;

        private DataKey(KeyEntry wrapped, UnusableKey broken, Set<Integer> erasedKeyIds) {
            this.wrapped = wrapped;
            this.broken = broken;
            this.erasedKeyIds = Set.copyOf(erasedKeyIds);
        }

        /** A key: its entry as on the log (the erased ids it names may be fewer than the subject's). */
        static DataKey of(KeyEntry wrapped, Set<Integer> erasedKeyIds) {
            return new DataKey(wrapped, null, erasedKeyIds);
        }

        static DataKey erased(Set<Integer> erasedKeyIds) {
            return new DataKey(null, null, erasedKeyIds);
        }

        static DataKey broken(UnusableKey why, Set<Integer> erasedKeyIds) {
            return new DataKey(null, why, erasedKeyIds);
        }

        /** @return whether the subject was erased and has no key since */
        boolean isErased() {
            return wrapped == null && broken == null;
        }

        /** @return whether the entry holds a key (not erased, not unusable) */
        boolean hasKey() {
            return wrapped != null;
        }

        /**
         * @param now the holder's clock
         * @return when a KMS first failed to unwrap it: now, if this is the first time
         */
        synchronized long failingSince(long now) {
            if (!failing) {
                failing = true;
                failingSince = now;
            }
            return failingSince;
        }

        /** @return why its last unwrap failed as an outage, if less than {@link #UNWRAP_RETRY_MS} ago; else null */
        synchronized String recentOutage(long now) {
            return outage != null && now - outageAt < UNWRAP_RETRY_MS ? outage : null;
        }

        /** @return the outage, kept for {@link #recentOutage} */
        synchronized KeyLogUnavailable outage(long now, KeyLogUnavailable failure) {
            outage = failure.getMessage();
            outageAt = now;
            return failure;
        }

        /**
         * @param now the holder's clock
         * @throws UnusableKey if the entry gives no key, unless that verdict is one to ask the KMS again about now
         */
        void checkUsable(long now) {
            if (broken != null) {
                throw broken;
            }
            Judged found = judged;
            if (found != null && found.broken() != null && !found.dueAgain(now)) {
                throw found.broken();
            }
        }

        /**
         * As {@link #checkUsable}, for a use that will ask the KMS: one use asks again when a
         * guessed verdict comes due; the others meanwhile get the verdict, as before it came due,
         * and do not each wait for a KMS that may hang.
         *
         * @param now the holder's clock
         * @throws UnusableKey if the entry gives no key, unless this use is the one to ask again
         */
        void checkUsableToAsk(long now) {
            if (broken != null) {
                throw broken;
            }
            Judged found = judged;
            if (found != null && found.broken() != null && !(found.dueAgain(now) && claimAsking(found, now))) {
                throw found.broken();
            }
        }

        /** @return whether this use asks: it moved the verdict's next ask a {@link #REJUDGE_MS} on */
        private synchronized boolean claimAsking(Judged due, long now) {
            if (judged != due) {
                return false;
            }
            judged = due.dueAt(now + REJUDGE_MS);
            return true;
        }

        Judged judged() {
            return judged;
        }

        /**
         * Keeps the first judgement, unless it was a guess ({@link Judged#revisable}): a later unwrap
         * (or a racing one) changes nothing else.
         */
        synchronized Judged judge(Judged found) {
            if (judged == null || judged.revisable()) {
                judged = found;
            }
            return judged;
        }

        /** @return whether a verdict on it is a guess that a KMS which answers again may overturn */
        boolean revisable() {
            Judged found = judged;
            return found != null && found.revisable();
        }

        /** When (the holder's clock) it first failed to unwrap when asked again for {@link #freshKey}; -1 if it never did. */
        private long refusedWhenAskedAgain = -1;

        /** @return when it first failed to unwrap when asked again: now, if this is the first time */
        synchronized long refusedWhenAskedAgain(long now) {
            if (refusedWhenAskedAgain < 0) {
                refusedWhenAskedAgain = now;
            }
            return refusedWhenAskedAgain;
        }

        /** Has a guessed verdict on it asked again at its next use, whenever it was made. */
        synchronized void askAgain() {
            if (judged != null && judged.revisable()) {
                judged = judged.dueAt(Long.MIN_VALUE);
            }
        }

        UnusableKey broken() {
            return broken;
        }

        KeyEntry wrapped() {
            return wrapped;
        }

        Set<Integer> erasedKeyIds() {
            return erasedKeyIds;
        }
    }

    /**
     * What an entry's first unwrap here found: its key's ids and a fingerprint of its material
     * (SHA-256 of the keyset, so that two entries are known to hold the same key without
     * unwrapping either again), or why it does not unwrap. A verdict that it does not is for good,
     * unless it is a guess ({@link #revisable}): then the KMS is asked again from {@code askAgainAt}
     * (the holder's clock) on.
     */
    private record Judged(Set<Integer> keyIds, byte[] fingerprint, UnusableKey broken, long askAgainAt) {

        /** {@link #askAgainAt} of a judgement for good. */
        private static final long NEVER = Long.MAX_VALUE;

        static Judged of(KeysetHandle keyset) {
            try {
                byte[] material = TinkProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
                return new Judged(Set.copyOf(SubjectKey.keyIds(keyset)), MessageDigest.getInstance("SHA-256").digest(material), null,
                        NEVER);
            } catch (GeneralSecurityException e) {
                throw new MeshException("cannot read a data key's material: " + e.getMessage(), e);
            }
        }

        static Judged broken(UnusableKey why) {
            return new Judged(Set.of(), null, why, NEVER);
        }

        /** @return a verdict that a configured KMS's long failure made: asked again {@link #REJUDGE_MS} after {@code now} */
        static Judged guessed(UnusableKey why, long now) {
            return new Judged(Set.of(), null, why, now + REJUDGE_MS);
        }

        boolean revisable() {
            return broken != null && askAgainAt != NEVER;
        }

        boolean dueAgain(long now) {
            return revisable() && now >= askAgainAt;
        }

        Judged dueAt(long when) {
            return new Judged(keyIds, fingerprint, broken, when);
        }

        boolean sameKey(Judged other) {
            return fingerprint != null && other.fingerprint() != null && MessageDigest.isEqual(fingerprint, other.fingerprint());
        }
    }

    /** A held entry's data key unwrapped: its keyset (to derive from, serve or wrap again) and what encrypts and decrypts with it. */
    private record Unwrapped(KeysetHandle keyset, SubjectKey decrypting) {

        static Unwrapped of(KeysetHandle keyset, DataKey entry) {
            return new Unwrapped(keyset, SubjectKey.of(keyset, entry.erasedKeyIds()));
        }
    }

    private final KeyLog log;
    private final KmsClient kms;
    private final Function<String, String> kekUri;
    private final ToIntFunction<String> kekVersion;
    private final LongSupplier clock;
    /** Where the KEKs are, as an app's config says; null where the caller gave the KMS itself (tests). */
    private final KekSource keks;
    /** Each domain's written under its lock, read without it by {@link #fresh}. */
    private final Map<String, Map<String, DataKey>> keys = new ConcurrentHashMap<>();
    /**
     * The keys of held entries last used, unwrapped. An entry replaced is dropped from it at once
     * ({@link #hold}); one that a use without the lock unwrapped while it was replaced, right after
     * that use ({@link #unwrapped}).
     */
    private final Cache<DataKey, Unwrapped> unwrapped;
    /** When each domain's log was last read to its end (the clock before the read): published after the entries it read. */
    private final Map<String, Long> readAt = new ConcurrentHashMap<>();
    /**
     * When each domain's last read to the end ended: what is held is used without a read for
     * {@link #REFRESH_MS} after that ({@link #fresh}), so that a domain whose reads take longer
     * than that still has its keys at hand after each (erasures written during a read are seen by
     * the next, {@link #REFRESH_MS} later at most).
     */
    private final Map<String, Long> readEndAt = new ConcurrentHashMap<>();
    /** Per domain whose last read of its log failed, when (the clock after it): {@link #refreshingInBackground} leaves it a while. */
    private final Map<String, Long> readFailedAt = new ConcurrentHashMap<>();
    /** How many reads of a key log have started ({@link #readMark()}). */
    private final AtomicLong reads = new AtomicLong();
    /** Per domain, the mark of its last read to the end: published before {@link #readAt}, so whoever sees that read sees its mark. */
    private final Map<String, Long> readMarks = new ConcurrentHashMap<>();
    /** Per domain, the subjects whose last entry read says otherwise than what this holder holds (under the domain's lock). */
    private final Map<String, Set<String>> unsettled = new ConcurrentHashMap<>();
    /** Per domain, the lock its log's reads and writes are made under: one domain's never waits for another's. */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private ScheduledExecutorService refresher;
    private volatile boolean closed;

    /**
     * @param log where wrapped keys are kept
     * @param kms the KEKs' client, e.g. {@link LocalKms} or Tink's AWS/GCP KMS clients
     * @param kekUri the URI of a domain's KEK for {@code kms}
     * @param kekVersion the version of a domain's KEK that wraps new keys (0 where the KMS keeps versions itself)
     * @param clock milliseconds, for {@link #REFRESH_MS}
     */
    public SubjectKeys(KeyLog log, KmsClient kms, Function<String, String> kekUri, ToIntFunction<String> kekVersion, LongSupplier clock) {
        this(log, kms, kekUri, kekVersion, clock, UNWRAPPED_KEYS);
    }

    /**
     * Keys whose KEKs are where an app's config says: an entry wrapped by a local keyset where the
     * config names a KMS, or by a KMS where it names none (an app whose config lacks the KMS), is
     * an outage naming the mismatch, never a broken key; and with a KMS, so is an entry that does
     * not unwrap (a remote KMS out of reach fails as one that refuses the key).
     *
     * @param log where wrapped keys are kept
     * @param keks the KEKs
     * @param clock milliseconds, for {@link #REFRESH_MS}
     */
    public SubjectKeys(KeyLog log, KekSource keks, LongSupplier clock) {
        this(log, keks.kms(), keks::uri, keks::version, clock, UNWRAPPED_KEYS, keks);
    }

    /** As the public constructor, keeping at most {@code unwrappedKeys} keys unwrapped. */
    SubjectKeys(KeyLog log, KmsClient kms, Function<String, String> kekUri, ToIntFunction<String> kekVersion, LongSupplier clock,
            int unwrappedKeys) {
        this(log, kms, kekUri, kekVersion, clock, unwrappedKeys, null);
    }

    private SubjectKeys(KeyLog log, KmsClient kms, Function<String, String> kekUri, ToIntFunction<String> kekVersion, LongSupplier clock,
            int unwrappedKeys, KekSource keks) {
        LocalKms.register();
        this.keks = keks;
        this.unwrapped = Caffeine.newBuilder().maximumSize(unwrappedKeys).expireAfterAccess(UNWRAPPED_IDLE)
                .scheduler(Scheduler.systemScheduler()).build();
        this.log = log;
        this.kms = kms;
        this.kekUri = kekUri;
        this.kekVersion = kekVersion;
        this.clock = clock;
    }

    /**
     * The mesh's keys: {@code mesh.keys.<domain>} on the broker, KEKs where the config says
     * ({@link KekSource}: the KMS it names, else local keysets in {@code kekDir}).
     *
     * @param config a platform principal's client config (one with ACLs on the key topics)
     * @param kekDir where local KEKs are kept
     * @return the keys
     * @throws io.streammesh.schema.MeshException if the config's KMS settings are unusable
     */
    public static SubjectKeys local(MeshClientConfig config, Path kekDir) {
        return new SubjectKeys(new KafkaKeyLog(config), KekSource.of(config, kekDir), SubjectKeys::monotonicMillis);
    }

    /**
     * The mesh's keys for a holder that only decrypts: reads {@code mesh.keys.<domain>}, never
     * writes it ({@link #dataKey}, {@link #erase} and {@link #rewrap} fail).
     *
     * @param config a platform principal's client config (one with READ on the key topics)
     * @param kekDir where local KEKs are kept, if the config names no KMS ({@link KekSource})
     * @return the keys
     * @throws io.streammesh.schema.MeshException if the config's KMS settings are unusable
     */
    public static SubjectKeys reader(MeshClientConfig config, Path kekDir) {
        return new SubjectKeys(KafkaKeyLog.reader(config), KekSource.of(config, kekDir), SubjectKeys::monotonicMillis);
    }

    /**
     * @param domain the domain the subject's records belong to
     * @param subject the subject id
     * @return the subject's data key, created (and durably on the key log) if it had none
     */
    public Aead dataKey(String domain, String subject) {
        DataKey held = fresh(domain, subject);
        return held != null ? usable(domain, subject, held) : heldOrCreated(domain, subject);
    }

    /**
     * The subject's data key if it is at hand: held from a read of the log less than
     * {@link #REFRESH_MS} ago, and kept unwrapped. Reads and writes no log, asks no KMS and takes
     * no lock, so it never waits: for a thread that many domains share, which has
     * {@link PreparedKeys} make the keys that are not at hand ready on a thread of their own.
     *
     * @param domain the domain the subject's records belong to
     * @param subject the subject id
     * @return its data key, or empty if it must first be created, looked up or unwrapped ({@link #prepare})
     * @throws UnusableKey if its entry on the key log gives no key
     */
    public Optional<Aead> atHand(String domain, String subject) {
        DataKey held = fresh(domain, subject);
        if (held == null) {
            return Optional.empty();
        }
        held.checkUsable(clock.getAsLong());
        Unwrapped kept = unwrapped.getIfPresent(held);
        return kept == null ? Optional.empty() : kept.decrypting().key();
    }

    /**
     * Makes the subjects' data keys at hand ({@link #atHand}): the log read if the last read is
     * not fresh, held keys unwrapped, and a key created for each subject that has none, the new
     * keys written to the log together, so that many new subjects cost one round trip to the
     * broker, not one each. The KMS is asked outside the lock (a round trip each to a remote KMS),
     * so that other uses of these keys, and the reads that keep them fresh, do not wait for it;
     * only the log's read and write happen under it (and a key made again for an entry that
     * changed meanwhile). A subject erased while its new key was
     * written has none at hand afterwards: asked again, it gets a fresh one.
     *
     * @param domain the domain the subjects' records belong to
     * @param subjects the subject ids
     * @return why a subject's key cannot be had, for each subject whose entry on the log gives no key
     * @throws KeyLogUnavailable if the log cannot be read or written, or the KMS does not unwrap a key now
     * @throws MeshException if the KMS does not wrap a new key
     */
    public Map<String, UnusableKey> prepare(String domain, Collection<String> subjects) {
        synchronized (lockOf(domain)) {
            // what the log holds, so that no key is made for a subject that has one
            refresh(domain);
        }
        Map<String, DataKey> known = keys.get(domain);
        // each new key made for the entry it would replace (none, or an erasure, whose ids it keeps)
        Map<String, DataKey> madeFor = new HashMap<>();
        Map<String, NewKey> made = new HashMap<>();
        for (String subject : subjects) {
            DataKey held = known == null ? null : known.get(subject);
            if (held == null || held.isErased()) {
                madeFor.put(subject, held);
                made.put(subject, newKey(domain, subject, held == null ? Set.of() : held.erasedKeyIds()));
            }
        }
        Map<String, DataKey> ofDomain;
        synchronized (lockOf(domain)) {
            refresh(domain);
            ofDomain = keys.get(domain);
            Map<String, NewKey> toWrite = new LinkedHashMap<>();
            for (String subject : subjects) {
                DataKey key = ofDomain.get(subject);
                if (key != null && !key.isErased()) {
                    continue;
                }
                // the entry changed while the key was made (a read, an erasure): made again, a rare KMS call under the lock
                toWrite.put(subject, made.containsKey(subject) && madeFor.get(subject) == key ? made.get(subject)
                        : newKey(domain, subject, key == null ? Set.of() : key.erasedKeyIds()));
            }
            if (!toWrite.isEmpty()) {
                createAll(domain, toWrite);
            }
        }
        Map<String, UnusableKey> unusable = new HashMap<>();
        for (String subject : subjects) {
            // the key held now (a rival's, read past this holder's own entry, comes wrapped) unwrapped and kept
            DataKey key = ofDomain.get(subject);
            try {
                if (key != null && !key.isErased()) {
                    usable(domain, subject, key);
                }
            } catch (UnusableKey e) {
                unusable.put(subject, e);
            }
        }
        return unusable;
    }

    /** A data key made for a subject and wrapped, not yet on the log. */
    private record NewKey(KeysetHandle keyset, KeyEntry wrapped, Set<Integer> erasedKeyIds) {
    }

    private NewKey newKey(String domain, String subject, Set<Integer> erased) {
        KeysetHandle keyset = newKeyset(erased);
        return new NewKey(keyset, wrap(domain, subject, keyset, erased), erased);
    }

    private Aead heldOrCreated(String domain, String subject) {
        synchronized (lockOf(domain)) {
            refresh(domain);
            DataKey key = keys.get(domain).get(subject);
            if (key == null || key.isErased()) {
                key = created(domain, subject);
            }
            return usable(domain, subject, key);
        }
    }

    /** A new key; should the subject be erased while it is written, the record being encrypted (a later one) gets a fresh key after the erasure. */
    private DataKey created(String domain, String subject) {
        DataKey key = create(domain, subject);
        if (key == null) {
            key = create(domain, subject);
        }
        if (key == null) {
            throw new UnusableKey("subject " + subject + " was erased from " + MeshTopics.keys(domain) + " twice while its data key was created", null);
        }
        return key;
    }

    /**
     * A data key for a subject whose entry this holder judged unusable ({@link UnusableKey}), such
     * as the key of a product's dead letters: the entry's own key if it unwraps now (a verdict a
     * configured KMS's long outage made, overturned once it answers, so that what the key sealed
     * stays readable), else a new key replacing the entry. Such an entry is replaced only once it
     * failed to unwrap when asked again twice, {@link #UNWRAP_RETRY_MS} apart at least, with no
     * unwrap between: a KMS that flaps (an unwrap timing out, the next wrap answering) is no
     * refusal.
     *
     * @param domain the domain
     * @param subject the subject id
     * @return the entry's key, or the new data key
     * @throws KeyLogUnavailable if the entry failed to unwrap when asked again for the first time: ask again later
     * @throws MeshException if the KMS does not wrap a new key (nor unwrapped the entry's)
     */
    public Aead freshKey(String domain, String subject) {
        synchronized (lockOf(domain)) {
            refresh(domain);
            DataKey held = keys.get(domain).get(subject);
            if (held != null && held.revisable()) {
                held.askAgain();
                try {
                    return usable(domain, subject, held);
                } catch (UnusableKey e) {
                    long now = clock.getAsLong();
                    long first = held.refusedWhenAskedAgain(now);
                    if (now - first < UNWRAP_RETRY_MS) {
                        throw new KeyLogUnavailable("a data key of domain " + domain + " judged unusable did not unwrap with "
                                + keks.uri(domain) + " when asked again; it is replaced only if it still does not in "
                                + UNWRAP_RETRY_MS / 1000 + " s", e);
                    }
                    LOG.warn("A data key of domain {} judged unusable still does not unwrap with {}: a new key replaces it", domain,
                            keks.uri(domain));
                }
            }
            return usable(domain, subject, created(domain, subject));
        }
    }

    /**
     * A subject's current key if it has one.
     *
     * @param domain the domain
     * @param subject the subject id
     * @return its data key, empty if it never had one or was erased (the log read to its end to say so)
     * @throws UnusableKey if its entry on the key log gives no key
     */
    public Optional<Aead> existing(String domain, String subject) {
        DataKey key = held(domain, subject);
        return key == null || key.isErased() ? Optional.empty() : Optional.of(usable(domain, subject, key));
    }

    /**
     * For decryption: the subject's current key, if it has one, and the ids of its erased keys, so
     * that a ciphertext of an erased key reads as erased even once the subject has a fresh key.
     *
     * @param domain the domain
     * @param subject the subject id
     * @return what decrypts the subject's fields ({@link SubjectKey#NONE} if it never had a key)
     * @throws UnusableKey if its entry on the key log gives no key
     */
    public SubjectKey subjectKey(String domain, String subject) {
        return subjectKey(domain, subject, held(domain, subject));
    }

    /**
     * What {@link #subjectKey} would answer, if it can be had without waiting: from a read of the
     * domain's log less than {@link #REFRESH_MS} ago that started after {@code readAfter}, with the
     * subject's key kept unwrapped. Reads no log, asks no KMS and takes no lock: for a thread that
     * many domains share (the enforcer's), which has {@link PreparedKeys#reading} make the others
     * ready on a thread of their own.
     *
     * @param domain the domain
     * @param subject the subject id
     * @param readAfter the answer must come from a read that started after this {@link #readMark()} (0: any fresh read)
     * @return what decrypts the subject's fields ({@link SubjectKey#NONE} if it has no entry), or empty if that is not at hand
     * @throws UnusableKey if its entry on the key log gives no key
     */
    public Optional<SubjectKey> subjectKeyAtHand(String domain, String subject, long readAfter) {
        if (!heldFresh(domain) || !readSince(domain, readAfter)) {
            return Optional.empty();
        }
        DataKey key = keys.get(domain).get(subject);
        if (key == null) {
            return Optional.of(SubjectKey.NONE);
        }
        key.checkUsable(clock.getAsLong());
        if (!key.hasKey()) {
            return Optional.of(SubjectKey.erased(key.erasedKeyIds()));
        }
        Unwrapped kept = unwrapped.getIfPresent(key);
        return kept == null ? Optional.empty() : Optional.of(kept.decrypting());
    }

    /**
     * @return a mark that every read of a key log started after this call passes: for an answer
     *         that must come from such a read ({@link #subjectKeyAtHand}), whatever the clock says
     */
    public long readMark() {
        return reads.get();
    }

    /**
     * Makes the subjects' keys at hand for {@link #subjectKeyAtHand}, reading none into being: the
     * domain's log read if the last read is not fresh or did not start after {@code readAfter}, and
     * the subjects' held keys unwrapped (outside the lock, a KMS round trip each at most).
     *
     * @param domain the domain
     * @param subjects the subject ids
     * @param readAfter as {@link #subjectKeyAtHand}
     * @return why a subject's key cannot be had, for each subject whose entry on the log gives no key
     * @throws KeyLogUnavailable if the log cannot be read, or the KMS does not unwrap a key now
     */
    public Map<String, UnusableKey> prepareRead(String domain, Collection<String> subjects, long readAfter) {
        synchronized (lockOf(domain)) {
            if (!readSince(domain, readAfter)) {
                read(domain);
            } else {
                refresh(domain);
            }
        }
        Map<String, DataKey> ofDomain = keys.get(domain);
        Map<String, UnusableKey> unusable = new HashMap<>();
        for (String subject : subjects) {
            DataKey key = ofDomain.get(subject);
            try {
                if (key != null && key.hasKey()) {
                    unwrapped(domain, subject, key);
                } else if (key != null) {
                    key.checkUsable(clock.getAsLong());
                }
            } catch (UnusableKey e) {
                unusable.put(subject, e);
            }
        }
        return unusable;
    }

    private SubjectKey subjectKey(String domain, String subject, DataKey key) {
        if (key == null) {
            return SubjectKey.NONE;
        }
        key.checkUsable(clock.getAsLong());
        return key.hasKey() ? unwrapped(domain, subject, key).decrypting() : SubjectKey.erased(key.erasedKeyIds());
    }

    /** @return the entry's data key, null once the subject was erased */
    private Aead usable(String domain, String subject, DataKey key) {
        key.checkUsable(clock.getAsLong());
        return key.hasKey() ? unwrapped(domain, subject, key).decrypting().key().orElseThrow() : null;
    }

    /**
     * The entry's key unwrapped, from those kept or unwrapped now and kept: outside Caffeine's
     * compute, so that a KMS call holds no other key's look-up, and dropped again at once if the
     * entry was replaced meanwhile (an erasure), so that no key held by no entry stays unwrapped.
     */
    private Unwrapped unwrapped(String domain, String subject, DataKey key) {
        Unwrapped kept = unwrapped.getIfPresent(key);
        if (kept != null) {
            return kept;
        }
        kept = Unwrapped.of(unwrapChecked(domain, subject, key), key);
        unwrapped.put(key, kept);
        Map<String, DataKey> ofDomain = keys.get(domain);
        if (ofDomain == null || ofDomain.get(subject) != key) {
            unwrapped.invalidate(key);
        }
        return kept;
    }

    /**
     * Unwraps a held entry's key, not kept. Its first unwrap here judges the entry, as reading it
     * used to: one that does not unwrap then is unusable for good (its uses fail with the reason,
     * and the KMS is not asked again for it). A configured KMS is given {@link #REMOTE_OUTAGE_MS}
     * first (an outage meanwhile), and its verdict is a guess, asked again every
     * {@link #REJUDGE_MS}. One that did unwrap and does not now meets a KMS that failed this time:
     * an outage ({@link KeyLogUnavailable}), which the caller waits out.
     *
     * @throws UnusableKey if the entry gives no key
     * @throws KeyLogUnavailable if a key that unwrapped before does not now
     */
    private KeysetHandle unwrapChecked(String domain, String subject, DataKey key) {
        long now = clock.getAsLong();
        key.checkUsableToAsk(now);
        Judged before = key.judged();
        boolean judgedBefore = before != null && !before.revisable();
        if (keks != null) {
            checkWrappedHere(domain, subject, key.wrapped());
        }
        String recent = key.recentOutage(now);
        if (recent != null) {
            throw new KeyLogUnavailable(recent + " (the KMS is asked again " + UNWRAP_RETRY_MS / 1000 + " s after it failed)", null);
        }
        KeysetHandle keyset;
        try {
            keyset = unwrap(domain, subject, key.wrapped());
        } catch (MeshException e) {
            boolean remote = keks != null && keks.local().isEmpty();
            if (!judgedBefore && remote) {
                long since = key.failingSince(now);
                if (now - since < REMOTE_OUTAGE_MS) {
                    throw key.outage(now, new KeyLogUnavailable("cannot unwrap the data key of subject " + subject + " of domain " + domain
                            + " with " + keks.uri(domain) + " now: " + e.getMessage(), e));
                }
                e = new MeshException(e.getMessage() + ", for " + (now - since) / 1000 + " s", e);
            }
            UnusableKey why = new UnusableKey("the data key of subject " + subject + " on " + MeshTopics.keys(domain) + " is unusable: "
                    + e.getMessage(), e);
            Judged found = judgedBefore ? key.judged() : key.judge(remote ? Judged.guessed(why, now) : Judged.broken(why));
            if (found.broken() != null) {
                throw found.broken();
            }
            throw key.outage(now, new KeyLogUnavailable("cannot unwrap a data key of domain " + domain + " now, though it unwrapped before: "
                    + e.getMessage(), e));
        }
        if (!judgedBefore) {
            Judged read = Judged.of(keyset);
            // held unjudged while a KMS failed (seen): an erased key written again stays erased
            Judged found = key.judge(Collections.disjoint(read.keyIds(), key.erasedKeyIds()) ? read
                    : Judged.broken(new UnusableKey("the data key of subject " + subject + " on " + MeshTopics.keys(domain)
                            + " is one of its erased keys, written again", null)));
            if (found.broken() != null) {
                throw found.broken();
            }
        }
        return keyset;
    }

    /**
     * A KMS keeps its versions (0 here), a local keyset's are its keys' ids (never 0): an entry of
     * the other kind was wrapped by an app whose config says otherwise than this one's.
     *
     * @throws KeyLogUnavailable naming the mismatch, until the configs agree
     */
    private void checkWrappedHere(String domain, String subject, KeyEntry wrapped) {
        boolean byKms = wrapped.kekVersion() == 0;
        if (byKms == keks.local().isPresent()) {
            throw new KeyLogUnavailable("the data key of subject " + subject + " on " + MeshTopics.keys(domain) + " was wrapped by "
                    + (byKms ? "a KMS, and this app's client config names none (" + KekSource.KEK_URI + ")"
                            : "a local keyset, and this app's client config names a KMS (" + keks.uri(domain) + ")")
                    + ": give every platform app the same KMS settings", null);
        }
    }

    /** @return what the entry's key is, unwrapping it if it was never judged; null if it gives no key */
    private Judged judged(String domain, String subject, DataKey key) {
        if (!key.hasKey() || key.broken() != null) {
            return null;
        }
        Judged found = key.judged();
        if (found == null) {
            try {
                unwrapChecked(domain, subject, key);
            } catch (UnusableKey e) {
                return null;
            } catch (KeyLogUnavailable e) {
                // a KMS out of reach: what the key is stays unknown, and the entry unjudged
                return null;
            }
            found = key.judged();
        }
        return found.broken() == null ? found : null;
    }

    /**
     * @return the ids of every key the subject has had as far as this entry knows: the erased ones and its own, as an unwrap of
     *         it found them, else as its wrapped keyset states them (no KMS asked), else as the key says if it unwraps now (one
     *         wrapped before ids were stated)
     */
    private Set<Integer> allKeyIds(String domain, String subject, DataKey key) {
        Set<Integer> ids = new HashSet<>(key.erasedKeyIds());
        Judged found = key.hasKey() ? key.judged() : null;
        Set<Integer> stated = key.hasKey() ? key.wrapped().keyIds() : Set.of();
        if ((found == null || found.broken() != null) && !stated.isEmpty()) {
            ids.addAll(stated);
            return ids;
        }
        Judged own = judged(domain, subject, key);
        if (own != null) {
            ids.addAll(own.keyIds());
        }
        return ids;
    }

    /** Holds a subject's entry; the key of the entry it replaces is no longer kept unwrapped. */
    private void hold(Map<String, DataKey> ofDomain, String subject, DataKey key) {
        DataKey before = ofDomain.put(subject, key);
        if (before != null && before != key) {
            unwrapped.invalidate(before);
        }
    }

    /** @return how many keys are kept unwrapped (for tests) */
    long unwrappedKeys() {
        unwrapped.cleanUp();
        return unwrapped.estimatedSize();
    }

    /**
     * The subject's entry after a read of the log that started after the call: a read another
     * thread started meanwhile serves every caller waiting for the lock, not one read each.
     */
    private DataKey latest(String domain, String subject) {
        long asked = readMark();
        synchronized (lockOf(domain)) {
            if (!readSince(domain, asked)) {
                read(domain);
            }
            return keys.get(domain).get(subject);
        }
    }

    /**
     * The key a read of the log less than {@link #REFRESH_MS} ago found, without the lock: the
     * same answer {@link #refresh} would give, as the read it would skip is that recent; null when
     * the read is older or the subject has no key in it (then the caller asks under the lock).
     */
    private DataKey fresh(String domain, String subject) {
        if (!heldFresh(domain)) {
            return null;
        }
        Map<String, DataKey> ofDomain = keys.get(domain);
        DataKey key = ofDomain == null ? null : ofDomain.get(subject);
        return key == null || key.isErased() ? null : key;
    }

    /** @return the subject's key, fresh or looked up under the lock; null if it has none */
    private DataKey held(String domain, String subject) {
        DataKey key = fresh(domain, subject);
        if (key != null) {
            return key;
        }
        long asked = readMark();
        synchronized (lockOf(domain)) {
            return lookUp(domain, subject, asked);
        }
    }

    /**
     * A subject without a key since the last refresh is looked for again at the log's end: the
     * record being read was written after its key, maybe within {@link #REFRESH_MS}, and a key
     * missed so would read as erased. A read that started after the caller asked serves it too,
     * so that callers asking for subjects the log does not have (a key service's caller naming
     * random ids) share reads. The domain's last read stays fresh meanwhile: other subjects' keys
     * are still handed out without the lock while the log is read.
     */
    private DataKey lookUp(String domain, String subject, long asked) {
        refresh(domain);
        DataKey key = keys.get(domain).get(subject);
        if ((key == null || key.isErased()) && !readSince(domain, asked)) {
            read(domain);
            key = keys.get(domain).get(subject);
        }
        return key;
    }

    /** @return whether a read of the domain's log started after the {@link #readMark()} {@code asked}, and no failed write asked for another since */
    private boolean readSince(String domain, long asked) {
        // readAt is removed where a failed write asks for a read first
        return readAt.containsKey(domain) && readMarks.getOrDefault(domain, 0L) > asked;
    }

    /**
     * For the catalog's key service, which hands a subject's data key to a grantee allowed to
     * decrypt: the keyset itself, not only its primitive, or the ids of an erased subject's keys.
     *
     * @param domain the domain
     * @param subject the subject id
     * @return its data key's keyset (none once erased) and the ids of its erased keys; empty if it never had a key
     * @throws UnusableKey if its entry on the key log gives no key
     */
    public Optional<Keyset> servedKey(String domain, String subject) {
        return keyset(domain, subject, held(domain, subject));
    }

    /**
     * As {@link #servedKey}, with the log read to its end first (a holder whose key did not open
     * a ciphertext asks for the subject's latest).
     *
     * @param domain the domain
     * @param subject the subject id
     * @return its data key's keyset and the ids of its erased keys, as the log says now
     * @throws UnusableKey if its entry on the key log gives no key
     */
    public Optional<Keyset> latestServedKey(String domain, String subject) {
        return keyset(domain, subject, latest(domain, subject));
    }

    private Optional<Keyset> keyset(String domain, String subject, DataKey key) {
        if (key == null || key.isErased() && key.erasedKeyIds().isEmpty()) {
            return Optional.empty();
        }
        key.checkUsable(clock.getAsLong());
        return Optional.of(new Keyset(key.hasKey() ? Optional.of(unwrapped(domain, subject, key).keyset()) : Optional.empty(),
                key.erasedKeyIds()));
    }

    /**
     * A subject's data key as the key service hands it out.
     *
     * @param keyset the current data key, none once the subject was erased
     * @param erasedKeyIds the ids of the subject's erased keys ({@link SubjectKey#erasedKeyIds})
     */
    public record Keyset(Optional<KeysetHandle> keyset, Set<Integer> erasedKeyIds) {
    }

    /**
     * Erases a subject: replaces its key's entry with an erasure that names the ids of every key
     * it had; once the key topic is compacted, its encrypted fields are unreadable everywhere.
     * The log is read to its end first, so that a key another holder wrote a moment ago is erased too.
     *
     * @param domain the domain
     * @param subject the subject id
     */
    public void erase(String domain, String subject) {
        eraseAll(domain, List.of(subject));
    }

    /**
     * Erases several subjects of a domain as {@link #erase} erases one, with one read of the log
     * and their erasures written together: however many erasures a domain writes, the lock that
     * its new keys need is held for a few round trips to the broker a batch, not a few per subject.
     * A subject whose last entry on the log is an erasure already gets none again.
     *
     * @param domain the domain
     * @param subjects the subject ids, in the order the domain asked
     * @return how many erasures were written
     */
    public int eraseAll(String domain, Collection<String> subjects) {
        synchronized (lockOf(domain)) {
            read(domain);
            Map<String, DataKey> ofDomain = keys.get(domain);
            Set<String> repairing = unsettled.getOrDefault(domain, Set.of());
            Map<String, DataKey> erasures = new LinkedHashMap<>();
            for (String subject : subjects) {
                DataKey held = ofDomain.get(subject);
                // held as erased but not yet repaired on the log (an erased key written again after it): erased again
                if (erasures.containsKey(subject) || held != null && held.isErased() && !repairing.contains(subject)) {
                    continue;
                }
                erasures.put(subject, DataKey.erased(held == null ? Set.of() : allKeyIds(domain, subject, held)));
            }
            if (erasures.isEmpty()) {
                return 0;
            }
            Map<String, byte[]> entries = new LinkedHashMap<>();
            erasures.forEach((subject, erasure) -> entries.put(subject, entry(domain, subject, erasure)));
            try {
                log.writeAllNext(domain, entries);
            } catch (RuntimeException e) {
                // some erasures may be on the log: the next use reads it first
                readAt.remove(domain);
                throw e;
            }
            erasures.forEach((subject, erasure) -> hold(ofDomain, subject, erasure));
            settle(domain, erasures);
            return erasures.size();
        }
    }

    /**
     * Wraps every data key of a domain again with its KEK's current version (after a KEK
     * rotation); the data keys, and so the data, stay as they are.
     *
     * @param domain the domain
     * @return how many keys were wrapped again
     */
    public int rewrap(String domain) {
        synchronized (lockOf(domain)) {
            read(domain);
            Map<String, DataKey> live = new HashMap<>();
            keys.get(domain).forEach((subject, key) -> {
                if (key.hasKey()) {
                    live.put(subject, key);
                }
            });
            Map<String, DataKey> rewrapped = new HashMap<>();
            // unwrapped one at a time, none kept: a domain's every key would push out those in use
            live.forEach((subject, key) -> {
                KeysetHandle keyset;
                try {
                    keyset = unwrapChecked(domain, subject, key);
                } catch (UnusableKey e) {
                    // an entry that does not unwrap costs its subject alone, here as everywhere
                    LOG.warn("Did not wrap the data key of a subject of domain {} again: {}", domain, e.getMessage());
                    return;
                }
                log.write(domain, subject, wrap(domain, subject, keyset, key.erasedKeyIds()).toBytes());
                rewrapped.put(subject, key);
            });
            // a subject erased while its key was wrapped again gets its erasure written again, after the key
            settle(domain, rewrapped);
            return rewrapped.size();
        }
    }

    private void refresh(String domain) {
        Long last = readAt.get(domain);
        if (last == null || clock.getAsLong() - last >= REFRESH_MS) {
            read(domain);
        }
    }

    /** @return whether the domain's keys as held may be used without a read: read less than {@link #REFRESH_MS} ago, none asked for since */
    private boolean heldFresh(String domain) {
        Long ended = readEndAt.get(domain);
        // readAt is published last and removed where a failed write asks for a read first
        return readAt.get(domain) != null && ended != null && clock.getAsLong() - ended < REFRESH_MS;
    }

    /** Reads {@code domain}'s log to its end. */
    private void read(String domain) {
        long now = clock.getAsLong();
        long mark = reads.incrementAndGet();
        try {
            log.catchUp(domain, this::seen);
        } catch (RuntimeException e) {
            readFailedAt.put(domain, clock.getAsLong());
            throw e;
        }
        readFailedAt.remove(domain);
        // after the read: a domain whose log cannot be read is never counted as read; only the domain asked for is read to its end
        keys.computeIfAbsent(domain, d -> new ConcurrentHashMap<>());
        readMarks.put(domain, mark);
        readEndAt.put(domain, clock.getAsLong());
        readAt.put(domain, now);
        if (log.writes()) {
            repair(domain);
        }
    }

    /**
     * Writes again, as this holder holds them, the subjects whose last entry on the log says
     * otherwise: an erased key written again, or a rival key, by a writer that stopped before it
     * settled its entry (a {@code mesh keys rotate} stopped with Ctrl-C, a gate killed while it
     * created a key). Compaction would keep that entry, and holders starting later would read it.
     * A write that fails is tried again at the next read, and never fails the read.
     */
    private void repair(String domain) {
        Set<String> subjects = unsettled.get(domain);
        if (subjects == null) {
            return;
        }
        for (String subject : List.copyOf(subjects)) {
            DataKey held = keys.get(domain).get(subject);
            try {
                if (held != null && held.broken() == null) {
                    log.write(domain, subject, entry(domain, subject, held));
                }
                subjects.remove(subject);
            } catch (UnusableKey e) {
                // a key that does not unwrap (wrapped by a KEK version gone since) cannot be written again as held
                subjects.remove(subject);
            } catch (RuntimeException e) {
                LOG.warn("Could not write the entry of a subject of domain {} again ({}); trying at the next read", domain, e.getMessage());
                return;
            }
        }
    }

    /** @return the lock the domain's log is read and written under */
    private Object lockOf(String domain) {
        return locks.computeIfAbsent(domain, d -> new Object());
    }

    private void settled(String domain, String subject, boolean settled) {
        if (settled) {
            Set<String> subjects = unsettled.get(domain);
            if (subjects != null) {
                subjects.remove(subject);
            }
        } else {
            unsettled.computeIfAbsent(domain, d -> new HashSet<>()).add(subject);
        }
    }

    /** @return the time on these keys' clock, in milliseconds (for {@link PreparedKeys}' pauses after an outage) */
    long now() {
        return clock.getAsLong();
    }

    /** A clock for key freshness that a step of the wall clock cannot turn back (an erased key would stay fresh). */
    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    private void seen(String domain, String subject, byte[] value) {
        Map<String, DataKey> ofDomain = keys.computeIfAbsent(domain, d -> new ConcurrentHashMap<>());
        DataKey held = ofDomain.get(subject);
        Set<Integer> erased = new HashSet<>(held == null ? Set.of() : held.erasedKeyIds());
        try {
            // a tombstone is an erasure as they were written before they kept the erased ids
            KeyEntry entry = value == null ? KeyEntry.erasure(Set.of()) : KeyEntry.fromBytes(value);
            erased.addAll(entry.erasedKeyIds());
            if (entry.erased()) {
                // whatever key came before the erasure on the log is erased, named in it or not
                erased.addAll(held == null ? Set.of() : allKeyIds(domain, subject, held));
                hold(ofDomain, subject, DataKey.erased(erased));
                settled(domain, subject, true);
                return;
            }
            DataKey key = DataKey.of(entry, erased);
            boolean inUse = held != null && unwrapped.getIfPresent(held) != null;
            Judged heldKey = held == null ? null : judged(domain, subject, held);
            if (heldKey == null && erased.isEmpty()) {
                // the subject's first key, and no key of it was erased: held wrapped until used
                hold(ofDomain, subject, key);
                settled(domain, subject, true);
                return;
            }
            // which key it holds matters: unwrapped to know whether it is an erased one, or the one held
            KeysetHandle keyset;
            try {
                keyset = unwrap(domain, subject, entry);
            } catch (MeshException e) {
                if (keks == null || keks.local().isPresent()) {
                    // a local KEK that does not unwrap it never will: a verdict, below
                    throw e;
                }
                // a KMS that fails now says nothing of the entry: a key held stays (written again by a writer, as for a
                // rival's), else the entry is held as read, its first use unwrapping and judging it (erased ids checked then)
                if (heldKey != null) {
                    settled(domain, subject, false);
                } else {
                    hold(ofDomain, subject, key);
                }
                return;
            }
            Judged read = key.judge(Judged.of(keyset));
            if (!Collections.disjoint(read.keyIds(), erased)) {
                // an erased key written again (a rewrap or a rival that had not read the erasure) stays erased
                if (heldKey == null) {
                    hold(ofDomain, subject, DataKey.erased(erased));
                }
                settled(domain, subject, false);
                return;
            }
            boolean first = heldKey == null || heldKey.sameKey(read);
            if (first) {
                hold(ofDomain, subject, key);
                if (inUse) {
                    unwrapped.put(key, Unwrapped.of(keyset, key));
                }
            }
            settled(domain, subject, first);
        } catch (MeshException | IllegalArgumentException e) {
            // one bad entry costs its subject alone, never the domain's other keys
            hold(ofDomain, subject, DataKey.broken(new UnusableKey("the data key of subject " + subject + " on "
                    + MeshTopics.keys(domain) + " is unusable: " + e.getMessage(), e), erased));
        }
    }

    /**
     * Writes a new key and reads the log past it (unless the key's entry came right after what this
     * holder had read): the first usable key written since this holder last read is the subject's,
     * this one or a rival's written at the same time.
     *
     * @return the subject's key, null if it was erased after this one was written
     */
    private DataKey create(String domain, String subject) {
        Map<String, DataKey> ofDomain = keys.get(domain);
        DataKey before = ofDomain.get(subject);
        // a key replaced (erased, unusable) is one the subject no longer has: its ids go with the new key
        Set<Integer> erased = before == null ? Set.of() : allKeyIds(domain, subject, before);
        KeysetHandle keyset = newKeyset(erased);
        KeyEntry wrapped = wrap(domain, subject, keyset, erased);
        DataKey mine = DataKey.of(wrapped, erased);
        mine.judge(Judged.of(keyset));
        unwrapped.put(mine, Unwrapped.of(keyset, mine));
        // while the entry is written, the subject has no key, so that the first key a catch-up reads is taken
        hold(ofDomain, subject, DataKey.erased(erased));
        boolean next;
        try {
            next = log.writeNext(domain, subject, wrapped.toBytes());
        } catch (RuntimeException e) {
            unwrapped.invalidate(mine);
            if (before == null) {
                ofDomain.remove(subject);
            } else {
                ofDomain.put(subject, before);
            }
            throw e;
        }
        if (next) {
            // nothing came between the last read and this entry: it is the first, as a read would find
            ofDomain.put(subject, mine);
        } else {
            // a rival's key first, an erasure after, or more erased ids than this holder knew: written again as read
            settle(domain, Map.of(subject, mine));
        }
        DataKey first = ofDomain.get(subject);
        return first == null || first.isErased() ? null : first;
    }

    /**
     * As {@link #create}, for several subjects at once, their keys made and wrapped already: their
     * entries written together, and the log read past them unless they came right after what this
     * holder had read.
     */
    private void createAll(String domain, Map<String, NewKey> made) {
        Map<String, DataKey> ofDomain = keys.get(domain);
        Map<String, DataKey> before = new HashMap<>();
        Map<String, DataKey> mine = new LinkedHashMap<>();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        made.forEach((subject, created) -> {
            DataKey key = DataKey.of(created.wrapped(), created.erasedKeyIds());
            key.judge(Judged.of(created.keyset()));
            unwrapped.put(key, Unwrapped.of(created.keyset(), key));
            before.put(subject, ofDomain.get(subject));
            mine.put(subject, key);
            entries.put(subject, created.wrapped().toBytes());
            // while the entries are written, the subjects have no key, so that the first key a catch-up reads is taken
            hold(ofDomain, subject, DataKey.erased(created.erasedKeyIds()));
        });
        boolean next;
        try {
            next = log.writeAllNext(domain, entries);
        } catch (RuntimeException e) {
            mine.values().forEach(unwrapped::invalidate);
            before.forEach((subject, replaced) -> {
                if (replaced == null) {
                    ofDomain.remove(subject);
                } else {
                    ofDomain.put(subject, replaced);
                }
            });
            // some entries may be on the log: the next use reads it first
            readAt.remove(domain);
            throw e;
        }
        if (next) {
            // nothing came between the last read and these entries: each is its subject's first, as a read would find
            ofDomain.putAll(mine);
        } else {
            settle(domain, mine);
        }
    }

    /** A new data key whose id is none of the subject's erased ones (it would read as erased). */
    private static KeysetHandle newKeyset(Set<Integer> erased) {
        try {
            KeysetHandle keyset;
            do {
                keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            } while (erased.contains(keyset.getPrimary().getId()));
            return keyset;
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot create a data key: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the log past entries this holder wrote without having read to their end, and writes
     * again each subject's entry as read where it differs from what was written (another holder's
     * erasure or key came between): the last entry, which compaction keeps, is what every holder
     * holds. A few rounds settle it; holders racing on longer write the same entries.
     *
     * @param written each subject's entry as this holder wrote it
     */
    private void settle(String domain, Map<String, DataKey> written) {
        Map<String, DataKey> toCheck = written;
        try {
            for (int round = 0; round < SETTLE_ROUNDS && !toCheck.isEmpty(); round++) {
                log.catchUp(domain, this::seen);
                Map<String, DataKey> again = new HashMap<>();
                toCheck.forEach((subject, entry) -> {
                    DataKey read = keys.get(domain).get(subject);
                    if (read != null && read.broken() == null && !sameEntry(domain, subject, read, entry)) {
                        log.write(domain, subject, entry(domain, subject, read));
                        again.put(subject, read);
                    }
                });
                toCheck = again;
            }
        } catch (RuntimeException e) {
            // what this holder has in memory may be short of the log: the next use reads it first
            readAt.remove(domain);
            throw e;
        } finally {
            // an entry as written that is not the one held (a rival's came first) keeps no key unwrapped
            written.forEach((subject, entry) -> {
                if (keys.get(domain).get(subject) != entry) {
                    unwrapped.invalidate(entry);
                }
            });
        }
    }

    /**
     * The entry to write for what a holder holds: a key already wrapped by the KEK's current version
     * as it is (a wrapped key is bound to its domain and subject, not to its entry), with the
     * subject's erased ids as held.
     */
    private byte[] entry(String domain, String subject, DataKey key) {
        if (key.isErased()) {
            return KeyEntry.erasure(key.erasedKeyIds()).toBytes();
        }
        KeyEntry held = key.wrapped();
        if (held.kekVersion() == kekVersion.applyAsInt(domain)) {
            return new KeyEntry(held.kekVersion(), held.wrapped(), key.erasedKeyIds()).toBytes();
        }
        return wrap(domain, subject, unwrapChecked(domain, subject, key), key.erasedKeyIds()).toBytes();
    }

    /**
     * @param read the subject's entry as read
     * @param written the entry as written, one that unwraps
     * @return whether both say the same: both erased, or the same key (wrapped again or not), with
     *         the same erased ids; or the entry read does not unwrap, so there is nothing to write again
     */
    private boolean sameEntry(String domain, String subject, DataKey read, DataKey written) {
        if (read == written) {
            return true;
        }
        boolean sameKey;
        if (read.isErased() || written.isErased()) {
            sameKey = read.isErased() && written.isErased();
        } else if (read.wrapped().kekVersion() == written.wrapped().kekVersion()
                && Arrays.equals(read.wrapped().wrapped(), written.wrapped().wrapped())) {
            sameKey = true;
        } else {
            Judged readKey = judged(domain, subject, read);
            if (readKey == null) {
                return true;
            }
            Judged writtenKey = judged(domain, subject, written);
            sameKey = writtenKey != null && readKey.sameKey(writtenKey);
        }
        return sameKey && read.erasedKeyIds().equals(written.erasedKeyIds());
    }

    private KeyEntry wrap(String domain, String subject, KeysetHandle keyset, Set<Integer> erasedKeyIds) {
        try {
            int version = kekVersion.applyAsInt(domain);
            byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, kek(domain), KeyEntry.associatedData(domain, subject));
            // the key's ids in clear beside it, where Tink's format has room for them: an erasure names them without the KMS
            return new KeyEntry(version, EncryptedKeyset.parseFrom(wrapped, ExtensionRegistryLite.getEmptyRegistry()).toBuilder()
                    .setKeysetInfo(keyset.getKeysetInfo()).build().toByteArray(), erasedKeyIds);
        } catch (GeneralSecurityException | InvalidProtocolBufferException e) {
            throw new MeshException("cannot wrap a data key of domain " + domain + " with its key-encryption key: " + e.getMessage(), e);
        }
    }

    /**
     * Wraps a key of the holder's own, not a data subject's, with the domain's KEK: for what the
     * holder keeps on the broker's disks a while and reads again after a restart (the gate's
     * waiting records), without a key on the key log. Asks the KMS, never the log.
     *
     * @param domain the domain whose KEK wraps it
     * @param keyset the key
     * @param purpose what it is for, bound to the wrapped key (associated data)
     * @return the wrapped key
     * @throws MeshException if the KMS does not wrap it
     */
    public byte[] wrapOwn(String domain, KeysetHandle keyset, byte[] purpose) {
        try {
            return TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, kek(domain), purpose);
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot wrap a key of domain " + domain + " with its key-encryption key: " + e.getMessage(), e);
        }
    }

    /**
     * @param domain the domain whose KEK wrapped it
     * @param wrapped what {@link #wrapOwn} gave
     * @param purpose what it was wrapped for
     * @return the key
     * @throws GeneralSecurityException if it does not unwrap (another purpose, or a KEK version the domain no longer has)
     */
    public KeysetHandle unwrapOwn(String domain, byte[] wrapped, byte[] purpose) throws GeneralSecurityException {
        return TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, kek(domain), purpose);
    }

    private KeysetHandle unwrap(String domain, String subject, KeyEntry wrapped) {
        try {
            return TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped.wrapped(), kek(domain), KeyEntry.associatedData(domain, subject));
        } catch (GeneralSecurityException e) {
            throw new MeshException("it does not unwrap with KEK version " + wrapped.kekVersion() + " (" + e.getMessage() + ")", e);
        }
    }

    private Aead kek(String domain) throws GeneralSecurityException {
        return kms.getAead(kekUri.apply(domain));
    }

    /**
     * Reads the key logs of every domain read so far again every half {@link #REFRESH_MS} on a
     * thread of its own (one domain at a time), so that a holder answering requests (the catalog's key service) finds its
     * keys fresh and no request waits for the broker; a subject without a key is still looked for
     * at the log's end on the request's path. A read that fails is logged, the domain left for
     * {@link #REFRESH_BACKOFF_MS}, and the next use reads the log itself (and fails with the reason)
     * once what it holds is older than {@link #REFRESH_MS}.
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

    /** Each domain's log in turn, under its own lock. */
    private void refreshRead() {
        for (String domain : List.copyOf(keys.keySet())) {
            Long failed = readFailedAt.get(domain);
            if (failed != null && clock.getAsLong() - failed < REFRESH_BACKOFF_MS) {
                continue;
            }
            synchronized (lockOf(domain)) {
                if (closed) {
                    return;
                }
                try {
                    read(domain);
                } catch (RuntimeException e) {
                    LOG.warn("Could not read the key log of domain {} in the background ({}); the next use of its keys reads it itself, "
                            + "the background again in {} s", domain, e.getMessage(), REFRESH_BACKOFF_MS / 1000);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (refresher != null) {
            refresher.shutdown();
        }
        unwrapped.invalidateAll();
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
