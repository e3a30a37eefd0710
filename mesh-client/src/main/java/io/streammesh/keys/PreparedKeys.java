package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Data keys made ready off the thread that uses them. A thread that every domain shares (the
 * contract gate's stream thread) takes a subject's key only when it is at hand
 * ({@link SubjectKeys#atHand}); otherwise it asks for it here ({@link KeyNotReady}) and goes on
 * with other domains' records. Keys are created, read from the key log or unwrapped on a thread of
 * their own, the domains that asked taken in turn, up to {@link #BATCH} subjects of one domain at
 * a time (their new keys written to the log together): a domain that names thousands of new
 * subjects waits for its own keys, and never holds another domain's records, whatever its keys
 * cost (a network round trip each to a remote KMS). Thread-safe.
 */
public final class PreparedKeys {

    /** The most subjects of one domain made ready in its turn. */
    static final int BATCH = 32;

    private final SubjectKeys keys;
    private final Executor worker;
    /** Per domain, the subjects asked for and not taken yet, in the order asked (under the lock). */
    private final Map<String, LinkedHashSet<String>> asked = new HashMap<>();
    /** The domains with subjects asked for, in turn (under the lock). */
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    /** Whether a worker takes the turns now (under the lock). */
    private boolean working;
    /** Why a subject's key could not be made ready: given once, to the next that asks for it, which then asks again. */
    private final Map<Subject, RuntimeException> failed = new ConcurrentHashMap<>();
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
        this.keys = keys;
        this.worker = worker;
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
     * @throws KeyNotReady if it is not: it is asked for; ask again once {@link #prepared()} moved on
     * @throws SubjectKeys.UnusableKey if the subject's entry on the key log gives no key
     * @throws KeyLogUnavailable if making it ready met the key log or the KMS out of reach (the next call asks again)
     */
    public Aead dataKey(String domain, String subject) {
        Optional<Aead> key = keys.atHand(domain, subject);
        if (key.isPresent()) {
            return key.get();
        }
        RuntimeException failure = failed.remove(new Subject(domain, subject));
        if (failure != null) {
            throw failure;
        }
        ask(domain, subject);
        // with a worker that runs on the caller's thread, the key is ready now, or failed
        key = keys.atHand(domain, subject);
        if (key.isPresent()) {
            return key.get();
        }
        failure = failed.remove(new Subject(domain, subject));
        if (failure != null) {
            throw failure;
        }
        throw new KeyNotReady(domain);
    }

    /**
     * @return how many times keys were made ready (or failed to be) so far: a caller holding
     *         records for keys tries them again when it moved on
     */
    public long prepared() {
        return prepared.get();
    }

    /** @return the data keys themselves, for the rare use that may wait for the key log on the caller's thread */
    public SubjectKeys keys() {
        return keys;
    }

    private void ask(String domain, String subject) {
        synchronized (this) {
            LinkedHashSet<String> subjects = asked.get(domain);
            if (subjects == null) {
                subjects = new LinkedHashSet<>();
                asked.put(domain, subjects);
                turns.addLast(domain);
            }
            if (!subjects.add(subject) || working) {
                return;
            }
            working = true;
        }
        try {
            worker.execute(this::work);
        } catch (RuntimeException e) {
            synchronized (this) {
                working = false;
            }
            throw e;
        }
    }

    /** Takes the domains' turns until nothing is asked. */
    private void work() {
        boolean done = false;
        try {
            while (true) {
                String domain;
                List<String> batch = new ArrayList<>();
                synchronized (this) {
                    domain = turns.pollFirst();
                    if (domain == null) {
                        working = false;
                        done = true;
                        return;
                    }
                    LinkedHashSet<String> subjects = asked.get(domain);
                    for (Iterator<String> next = subjects.iterator(); next.hasNext() && batch.size() < BATCH; ) {
                        batch.add(next.next());
                        next.remove();
                    }
                    if (subjects.isEmpty()) {
                        asked.remove(domain);
                    } else {
                        turns.addLast(domain);
                    }
                }
                prepare(domain, batch);
            }
        } finally {
            if (!done) {
                // an Error: the next ask starts another worker
                synchronized (this) {
                    working = false;
                }
            }
        }
    }

    private void prepare(String domain, List<String> subjects) {
        try {
            keys.prepare(domain, subjects).forEach((subject, unusable) -> failed.put(new Subject(domain, subject), unusable));
        } catch (RuntimeException e) {
            // an outage (or a closed holder): each subject's next ask meets it, and asks again after
            subjects.forEach(subject -> failed.put(new Subject(domain, subject), e));
        } finally {
            prepared.incrementAndGet();
        }
    }
}
