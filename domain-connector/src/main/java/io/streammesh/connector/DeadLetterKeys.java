package io.streammesh.connector;

import com.google.crypto.tink.Aead;
import io.streammesh.keys.KeyNotReady;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.ProductAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each encrypted product's dead-letter key ({@link RecordEncryption#deadLetterSubject}) for the
 * gate, which seals with it the dead letters that name no subject: kept once had, for the gate's
 * life, so that a record that can wait no longer is dead-lettered with it even while its domain's
 * key log or KMS is out of reach, and no later record of its partition has to wait behind it. A
 * key once had stays good: the subject is the platform's own (no record or erasure may name it),
 * and a rotation wraps the same key again. Nothing here waits for a key log or a KMS on the
 * caller's thread: a key not at hand is asked for, and a product whose key on the log gives none
 * gets a fresh one made on a worker. Shared by the gate's tasks.
 */
final class DeadLetterKeys {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterKeys.class);
    /** How long after a fresh dead-letter key could not be made one is not tried again for the product. */
    static final long REPLACE_RETRY_MS = 5_000;
    /** In {@link #replacing}: a fresh key is being made. */
    private static final long MAKING = Long.MIN_VALUE;

    private final PreparedKeys keys;
    private final Executor worker;
    private final LongSupplier clock;
    /** By product: its dead-letter key as last had at hand, bound to the product. */
    private final Map<String, Aead> had = new ConcurrentHashMap<>();
    /** By product whose key gives none: {@link #MAKING}, or when (the clock) the last fresh key could not be made. */
    private final Map<String, Long> replacing = new ConcurrentHashMap<>();

    /**
     * @param keys the subjects' data keys, made ready off the stream thread
     * @param worker where a fresh dead-letter key is made for a product whose key gives none (the key log written, the KEK
     *        asked): a thread of its own, or the caller's in topology tests
     * @param clock milliseconds, for {@link #REPLACE_RETRY_MS}
     */
    DeadLetterKeys(PreparedKeys keys, Executor worker, LongSupplier clock) {
        this.keys = keys;
        this.worker = worker;
        this.clock = clock;
    }

    /**
     * @param address a product with encrypted fields
     * @return its dead-letter key, bound to it: at hand, or as had before
     * @throws KeyNotReady if it is not at hand and was never had: it is asked for (made anew if its key on the log gives none)
     */
    Aead of(ProductAddress address) {
        String product = address.toString();
        String subject = RecordEncryption.deadLetterSubject(address);
        try {
            return atHand(address);
        } catch (KeyNotReady e) {
            return kept(product).orElseThrow(() -> e);
        } catch (SubjectKeys.UnusableKey e) {
            // a key it had stays good, though the KMS no longer unwraps its entry; one it never had is replaced, unless the
            // entry unwraps when asked again there (a long KMS outage judged it, and the dead letters it sealed stay readable)
            if (!had.containsKey(product)) {
                replace(address);
            }
            return kept(product).orElseThrow(() -> new KeyNotReady(address.domain(), subject));
        }
    }

    /** @return the product's dead-letter key at hand, bound to it, and kept as had */
    private Aead atHand(ProductAddress address) {
        Aead key = ProductKey.of(keys.dataKey(address.domain(), RecordEncryption.deadLetterSubject(address)), address.toString());
        had.put(address.toString(), key);
        return key;
    }

    private Optional<Aead> kept(String product) {
        return Optional.ofNullable(had.get(product));
    }

    /**
     * @param address a product with encrypted fields
     * @return whether {@link #of} may give its dead-letter key now, as far as can be told without asking for it
     */
    boolean ready(ProductAddress address) {
        return had.containsKey(address.toString()) || keys.atHand(address.domain(), RecordEncryption.deadLetterSubject(address));
    }

    /**
     * Asks for the product's dead-letter key ahead of its need, unless had already: for records that
     * will soon wait no longer, so that their dead letters find it.
     *
     * @param address a product with encrypted fields
     */
    void askAhead(ProductAddress address) {
        if (had.containsKey(address.toString())) {
            return;
        }
        try {
            atHand(address);
        } catch (KeyNotReady | SubjectKeys.UnusableKey e) {
            // asked for; one whose key gives none gets a fresh key only when a dead letter needs it
        }
    }

    /** Makes the product a fresh dead-letter key on the worker, unless one is being made or could not be made a moment ago. */
    private void replace(ProductAddress address) {
        String product = address.toString();
        long now = clock.getAsLong();
        boolean[] start = {false};
        replacing.compute(product, (p, failedAt) -> {
            if (failedAt == null || failedAt != MAKING && now - failedAt >= REPLACE_RETRY_MS) {
                start[0] = true;
                return MAKING;
            }
            return failedAt;
        });
        if (!start[0]) {
            return;
        }
        try {
            worker.execute(() -> {
                boolean made = false;
                try {
                    had.put(product, ProductKey.of(keys.keys().freshKey(address.domain(), RecordEncryption.deadLetterSubject(address)),
                            product));
                    made = true;
                } catch (RuntimeException e) {
                    LOG.warn("Could not make a fresh dead-letter key for {}, whose key on the key log gives none: {}; its dead letters "
                            + "wait, and it is tried again in {} s", product, e.getMessage(), REPLACE_RETRY_MS / 1000);
                } finally {
                    if (made) {
                        replacing.remove(product);
                    } else {
                        replacing.put(product, clock.getAsLong());
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not start making a fresh dead-letter key for {}: {}; tried again in {} s", product, e.getMessage(),
                    REPLACE_RETRY_MS / 1000);
            replacing.put(product, clock.getAsLong());
        }
    }

    /** @return the subjects' data keys */
    PreparedKeys keys() {
        return keys;
    }
}
