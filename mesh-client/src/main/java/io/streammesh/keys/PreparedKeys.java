package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data keys made ready off the thread that uses them. A thread that every domain shares (the
 * contract gate's stream thread) takes a subject's key only when it is at hand
 * ({@link SubjectKeys#atHand}); otherwise it asks for it here ({@link KeyNotReady}) and goes on
 * with other domains' records. Keys are created, read from the key log or unwrapped on worker
 * threads of their own, the domains that asked taken in turn, up to {@link #BATCH} subjects of one
 * domain at a time (their new keys written to the log together), fewer for a domain whose turns
 * take longer than {@link #TURN_MS}: a domain that names thousands of new subjects waits for its
 * own keys, and another domain's wait for about one of its turns. A domain is in one worker's turn
 * at a time; a domain asked for while every worker started is in a turn gets a worker of its own,
 * up to {@link #WORKERS}, so that a domain whose turn hangs (its key topic or KMS does not answer,
 * up to the clients' timeouts) holds up the domains waiting behind it in no worker.
 *
 * <p>A domain whose keys cannot be made ready (its key log or its KMS out of reach) is an outage,
 * no verdict on its records: they wait, the failure is logged once, and the domain's subjects are
 * not tried again for {@link #PAUSE_MS}, so that the other domains' turns go on meanwhile. A
 * subject whose entry on the log gives no key is a verdict: the next that asks for its key is told
 * ({@link SubjectKeys.UnusableKey}). Thread-safe.
 *
 * <p>A reader's keys ({@link #reading}: the policy-enforcer's, which opens encrypted fields for
 * views) are made ready the same way, with no key created: its thread takes a subject's keys as
 * {@link #subjectKey} finds them at hand, and a subject the keys held know nothing of, or a
 * ciphertext of a key they do not know ({@link #latestSubjectKey}), waits for a read of the log
 * that started after its record was seen.
 */
public final class PreparedKeys {

    /** The most subjects of one domain made ready in its turn. */
    static final int BATCH = 32;
    /**
     * How long a turn should take at most: a domain whose turn took longer gets half as many
     * subjects in its next (at least one), one whose turn was quick twice as many (at most
     * {@link #BATCH}), so that a domain whose KMS answers slowly keeps the others waiting for about
     * that long, not for {@link #BATCH} of its round trips.
     */
    static final long TURN_MS = 100;
    /** The most workers at once: each takes one domain's turn at a time. */
    static final int WORKERS = 4;
    /** How long a domain whose keys could not be made ready is not tried again. */
    public static final long PAUSE_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(PreparedKeys.class);

    private final SubjectKeys keys;
    private final Executor worker;
    /** Whether keys are only read and unwrapped, never created ({@link #reading}). */
    private final boolean reading;
    /** Per domain of a reader, the read mark its next turn's read must pass, if one was asked for (under the lock). */
    private final Map<String, Long> readAfter = new HashMap<>();

    /** Per domain, the subjects asked for and not taken yet, in the order asked (under the lock). */
    private final Map<String, LinkedHashSet<String>> asked = new HashMap<>();
    /** The domains with subjects asked for, in turn (under the lock). */
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    /** How many workers are started and not ended (under the lock). */
    private int workers;
    /** The domains in a worker's turn now, which no other worker takes (under the lock). */
    private final Set<String> busy = new HashSet<>();
    /** Per domain whose turns took long, how many subjects its turn takes (under the lock; {@link #BATCH} if absent). */
    private final Map<String, Integer> turnSizes = new HashMap<>();
    /** Per domain in an outage, until when (on the keys' clock) its subjects are not tried again (under the lock). */
    private final Map<String, Long> pausedUntil = new HashMap<>();
    /** Why a subject has no usable key: told once, to the next that asks for it, which then asks again. */
    private final Map<Subject, SubjectKeys.UnusableKey> unusable = new ConcurrentHashMap<>();
    private final AtomicLong prepared = new AtomicLong();

    private record Subject(String domain, String subject) {
    }

    /**
     * @param keys the data keys
     * @param worker runs the work of making keys ready; started when a key is asked for and none
     *        runs, it ends when nothing is asked ({@link #thread()}, or {@code Runnable::run} in tests:
     *        then a key is ready as soon as it is asked for)
     */
    public PreparedKeys(SubjectKeys keys, Executor worker) {
        this(keys, worker, false);
    }

    private PreparedKeys(SubjectKeys keys, Executor worker, boolean reading) {
        this.keys = keys;
        this.worker = worker;
        this.reading = reading;
    }

    /**
     * @param keys the data keys, read-only
     * @param worker as for the constructor
     * @return keys made ready for {@link #subjectKey} and {@link #latestSubjectKey}, none created
     */
    public static PreparedKeys reading(SubjectKeys keys, Executor worker) {
        return new PreparedKeys(keys, worker, true);
    }

    /** @return an executor that runs each work on a daemon thread of its own, {@code mesh-data-keys} */
    public static Executor thread() {
        return work -> {
            var thread = new Thread(work, "mesh-data-keys");
            thread.setDaemon(true);
            thread.start();
        };
    }

    /**
     * @param domain the domain the subject's records belong to
     * @param subject the subject id
     * @return its data key, if at hand
     * @throws KeyNotReady if it is not: it is asked for (unless its domain's keys are paused after
     *         an outage); ask again once {@link #prepared()} moved on, or a while later
     * @throws SubjectKeys.UnusableKey if the subject's entry on the key log gives no key
     */
    public Aead dataKey(String domain, String subject) {
        return atHandOrAsked(domain, subject, 0, () -> keys.atHand(domain, subject));
    }

    /**
     * For a reader: what decrypts the subject's fields, as {@link SubjectKeys#subjectKey} would
     * answer, if at hand. A subject without an entry in the keys held is not at hand this way: ask
     * for the latest ({@link #latestSubjectKey}), as its key may have been written a moment ago.
     *
     * @param domain the domain the subject's records belong to
     * @param subject the subject id
     * @return its keys ({@link SubjectKey#NONE} if it has no entry after a read started since it was last asked for)
     * @throws KeyNotReady if they are not at hand: they are asked for; ask again once {@link #prepared()} moved on
     * @throws SubjectKeys.UnusableKey if the subject's entry on the key log gives no key
     */
    public SubjectKey subjectKey(String domain, String subject) {
        return readKey(domain, subject, 0);
    }

    /**
     * For a reader: as {@link #subjectKey}, from a read of the log that started after
     * {@code seenAt}: for a record whose ciphertext is of a key the keys held do not know, or whose
     * subject they know nothing of, maybe the subject's fresh key, which the gate wrote to the log
     * before the record. Given the {@link #readMark()} of when the record was first seen, the
     * answer says what the log held after the record was written, however often it is asked.
     *
     * @param domain the domain the subject's records belong to
     * @param subject the subject id
     * @param seenAt the {@link #readMark()} when the record that needs the key was first seen
     * @return its keys as the log said after that
     * @throws KeyNotReady if no such read has been made yet: it is asked for
     * @throws SubjectKeys.UnusableKey if the subject's entry on the key log gives no key
     */
    public SubjectKey latestSubjectKey(String domain, String subject, long seenAt) {
        return readKey(domain, subject, seenAt);
    }

    /** @return a mark that every read of a key log started after this call passes ({@link #latestSubjectKey}) */
    public long readMark() {
        return keys.readMark();
    }

    private SubjectKey readKey(String domain, String subject, long mark) {
        return atHandOrAsked(domain, subject, mark, () -> keys.subjectKeyAtHand(domain, subject, mark));
    }

    /**
     * @param mark a read mark the answer must pass (0: any fresh read)
     * @param atHand the subject's key if at hand, without waiting
     * @return the key at hand; else it is asked for, and given if a worker on the caller's thread made it ready
     * @throws KeyNotReady if it is not at hand yet
     * @throws SubjectKeys.UnusableKey if the subject's entry gives no key
     */
    private <T> T atHandOrAsked(String domain, String subject, long mark, Supplier<Optional<T>> atHand) {
        Optional<T> key = told(domain, subject, atHand);
        if (key.isPresent()) {
            return key.get();
        }
        var asking = new Subject(domain, subject);
        SubjectKeys.UnusableKey none = unusable.remove(asking);
        if (none != null) {
            throw none;
        }
        ask(domain, subject, mark);
        // with a worker that runs on the caller's thread, the key is ready now, or known to be unusable
        key = told(domain, subject, atHand);
        if (key.isPresent()) {
            return key.get();
        }
        none = unusable.remove(asking);
        if (none != null) {
            throw none;
        }
        throw new KeyNotReady(domain, subject);
    }

    /** @return the key at hand, if it is; an entry that gives none is said at once, and the worker's verdict on it dropped */
    private <T> Optional<T> told(String domain, String subject, Supplier<Optional<T>> atHand) {
        try {
            return atHand.get();
        } catch (SubjectKeys.UnusableKey e) {
            // the entry says so itself now: the worker's verdict on it is not kept for a later key of the subject
            unusable.remove(new Subject(domain, subject));
            throw e;
        }
    }

    /**
     * Whether asking for the subject's key now would be answered at once: it is at hand, or
     * known to have no usable key. Reads no log, asks no KMS and queues nothing: for a caller that
     * holds records for keys and tries them only once their key can be had.
     *
     * @param domain the domain the subject's records belong to
     * @param subject the subject id
     * @return whether {@link #dataKey} would not throw {@link KeyNotReady}, as far as can be told without asking
     */
    public boolean atHand(String domain, String subject) {
        if (unusable.containsKey(new Subject(domain, subject))) {
            return true;
        }
        try {
            return keys.atHand(domain, subject).isPresent();
        } catch (SubjectKeys.UnusableKey e) {
            return true;
        }
    }

    /**
     * @return how many turns made keys ready so far: a caller holding records for keys tries them
     *         again when it moved on
     */
    public long prepared() {
        return prepared.get();
    }

    /** @return the data keys themselves, for the rare use that may wait for the key log on the caller's thread */
    public SubjectKeys keys() {
        return keys;
    }

    private void ask(String domain, String subject, long mark) {
        synchronized (this) {
            queue(domain, List.of(subject));
            if (mark > 0) {
                readAfter.merge(domain, mark, Math::max);
            }
            // a domain in an outage collects its subjects until its pause is over, when the next ask starts a worker; one in
            // a worker's turn waits for that worker; the others are taken by the workers not in a turn, and one more if they are fewer
            if (workers >= WORKERS || takeable() <= workers - busy.size()) {
                return;
            }
            workers++;
        }
        var ran = new AtomicBoolean();
        boolean started = false;
        try {
            worker.execute(() -> {
                ran.set(true);
                work();
            });
            started = true;
        } finally {
            if (!started && !ran.get()) {
                // never ran (refused, or no thread for it): the next ask starts a worker again
                synchronized (this) {
                    workers--;
                }
            }
        }
    }

    /** Under the lock: how many domains asked for a worker could take now, neither paused nor in a turn. */
    private int takeable() {
        int takeable = 0;
        for (String domain : turns) {
            if (!paused(domain) && !busy.contains(domain)) {
                takeable++;
            }
        }
        return takeable;
    }

    /** Takes the domains' turns until nothing is asked. */
    private void work() {
        boolean done = false;
        String domain = null;
        try {
            while (true) {
                List<String> batch = new ArrayList<>();
                synchronized (this) {
                    domain = nextTurn();
                    if (domain == null) {
                        workers--;
                        done = true;
                        return;
                    }
                    busy.add(domain);
                    LinkedHashSet<String> subjects = asked.get(domain);
                    int size = turnSizes.getOrDefault(domain, BATCH);
                    for (Iterator<String> next = subjects.iterator(); next.hasNext() && batch.size() < size; ) {
                        batch.add(next.next());
                        next.remove();
                    }
                    if (subjects.isEmpty()) {
                        asked.remove(domain);
                    } else {
                        turns.addLast(domain);
                    }
                }
                Long mark;
                synchronized (this) {
                    mark = readAfter.remove(domain);
                }
                prepare(domain, batch, mark == null ? 0 : mark);
                synchronized (this) {
                    busy.remove(domain);
                    domain = null;
                }
            }
        } finally {
            if (!done) {
                // an Error: every domain still asked for keeps its turn (the subjects of the turn it broke are asked
                // again by the records that wait for them), and the next ask starts another worker
                synchronized (this) {
                    if (domain != null) {
                        busy.remove(domain);
                    }
                    turns.clear();
                    turns.addAll(asked.keySet());
                    workers--;
                }
            }
        }
    }

    /** Under the lock: the subjects join their domain's queue, which takes its turn after the others'. */
    private void queue(String domain, List<String> subjects) {
        LinkedHashSet<String> queued = asked.get(domain);
        if (queued == null) {
            queued = new LinkedHashSet<>();
            asked.put(domain, queued);
            turns.addLast(domain);
        }
        queued.addAll(subjects);
    }

    /** Under the lock: the first domain whose turn it is, neither paused nor in another worker's turn, taken out of the turns; null if none. */
    private String nextTurn() {
        for (Iterator<String> next = turns.iterator(); next.hasNext(); ) {
            String domain = next.next();
            if (!paused(domain) && !busy.contains(domain)) {
                next.remove();
                return domain;
            }
        }
        return null;
    }

    /** Under the lock: whether the domain's keys are not tried now, after an outage. */
    private boolean paused(String domain) {
        Long until = pausedUntil.get(domain);
        return until != null && keys.now() < until;
    }

    private void prepare(String domain, List<String> subjects, long mark) {
        // on the keys' clock, as the pauses are (monotonic in a running mesh)
        long started = keys.now();
        try {
            (reading ? keys.prepareRead(domain, subjects, mark) : keys.prepare(domain, subjects))
                    .forEach((subject, none) -> unusable.put(new Subject(domain, subject), none));
        } catch (RuntimeException e) {
            pause(domain, subjects, mark, e);
            return;
        } finally {
            resize(domain, subjects.size(), keys.now() - started);
        }
        synchronized (this) {
            if (pausedUntil.remove(domain) != null) {
                LOG.info("The data keys of domain {} are made ready again", domain);
            }
        }
        prepared.incrementAndGet();
    }

    /** @return how many subjects the domain's next turn takes (for tests) */
    synchronized int turnSize(String domain) {
        return turnSizes.getOrDefault(domain, BATCH);
    }

    /** The domain's next turn sized by how long this one took ({@link #TURN_MS}). */
    private synchronized void resize(String domain, int taken, long tookMs) {
        int size = turnSizes.getOrDefault(domain, BATCH);
        if (tookMs > TURN_MS) {
            size = Math.max(1, Math.min(size, taken) / 2);
        } else if (tookMs < TURN_MS / 2 && taken >= size) {
            size = Math.min(BATCH, size * 2);
        }
        if (size == BATCH) {
            turnSizes.remove(domain);
        } else {
            turnSizes.put(domain, size);
        }
    }

    /** The domain's keys cannot be made ready now: its subjects go back to its queue, which is not taken for a while. */
    private synchronized void pause(String domain, List<String> subjects, long mark, RuntimeException outage) {
        if (pausedUntil.put(domain, keys.now() + PAUSE_MS) == null) {
            LOG.warn("Could not make data keys of domain {} ready; its records wait, and its keys are tried again every {} ms: {}",
                    domain, PAUSE_MS, outage.getMessage());
        }
        queue(domain, subjects);
        if (mark > 0) {
            readAfter.merge(domain, mark, Math::max);
        }
    }
}
