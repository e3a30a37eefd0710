package io.streammesh.connector;

import com.google.crypto.tink.Aead;
import io.streammesh.keys.KeyNotReady;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.ProductAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each encrypted product's dead-letter key ({@link RecordEncryption#deadLetterSubject}) for the
 * gate, which seals with it the dead letters that name no subject: kept once had, for the
 * gate's life, so that a record that can wait no longer is dead-lettered with it even while its
 * domain's key log or KMS is out of reach, and no later record of its partition has to wait
 * behind it. A key once had stays good: the subject is the platform's own (no record or
 * erasure may name it), and a rotation wraps the same key again. Shared by the gate's tasks.
 */
final class DeadLetterKeys {

    private final PreparedKeys keys;
    /** By product: its dead-letter key as last had at hand, bound to the product. */
    private final Map<String, Aead> had = new ConcurrentHashMap<>();

    /** @param keys the subjects' data keys, made ready off the stream thread */
    DeadLetterKeys(PreparedKeys keys) {
        this.keys = keys;
    }

    /**
     * @param address a product with encrypted fields
     * @return its dead-letter key, bound to it: at hand, or as had before
     * @throws KeyNotReady if it is not at hand and was never had: it is asked for
     * @throws io.streammesh.keys.SubjectKeys.UnusableKey if its entry on the key log gives no key
     */
    Aead of(ProductAddress address) {
        String product = address.toString();
        try {
            Aead key = ProductKey.of(keys.dataKey(address.domain(), RecordEncryption.deadLetterSubject(address)), product);
            had.put(product, key);
            return key;
        } catch (KeyNotReady e) {
            Aead kept = had.get(product);
            if (kept == null) {
                throw e;
            }
            return kept;
        }
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
            of(address);
        } catch (KeyNotReady | SubjectKeys.UnusableKey e) {
            // asked for; an unusable one is replaced when a dead letter needs it
        }
    }

    /**
     * A fresh dead-letter key for a product whose key on the log gives none, made on the caller's
     * thread (the key log written, the KEK asked): once per product.
     *
     * @param address a product with encrypted fields
     * @return its new dead-letter key, bound to it
     */
    Aead replace(ProductAddress address) {
        Aead key = ProductKey.of(keys.keys().freshKey(address.domain(), RecordEncryption.deadLetterSubject(address)), address.toString());
        had.put(address.toString(), key);
        return key;
    }

    /** @return the subjects' data keys */
    PreparedKeys keys() {
        return keys;
    }
}
