package io.streammesh.connector;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The values of records of products with encrypted fields sealed while they wait in the gate's
 * store, whose changelog is on the broker's disks, where no cleartext of an encrypted field may
 * be outside the ingest topic. Each gate seals a domain's waiting records with a key of its own,
 * made on the domain's first waiting record and wrapped by the domain's KEK; the wrapped key goes
 * with each record, so that whichever gate restores the store opens it with the domain's KEK.
 * Only the KMS is asked (to wrap, on the thread of the domain's first waiting record, until it
 * succeeds once per domain and gate; to unwrap, once per sealing key a restored store brings),
 * never a domain's key log: a record waits for its subject's key even while the key log is out of
 * reach. A sealed record that does not open now is not routed: it waits, and the KMS is asked again
 * a second later at most. Each value is bound to its place (its ingest topic, partition
 * and offset). Shared by the gate's tasks.
 */
final class WaitingSeal {

    private static final Logger LOG = LoggerFactory.getLogger(WaitingSeal.class);
    private static final long RETRY_NANOS = 1_000_000_000L;

    private final SubjectKeys keys;
    /** Per domain, the key this gate seals with. */
    private final Map<String, Sealing> sealing = new ConcurrentHashMap<>();
    /** Per domain and wrapped key (this gate's, or one that sealed records a gate restored), the key unwrapped. */
    private final Map<Wrapped, Aead> opening = new ConcurrentHashMap<>();
    /** Per domain and wrapped key that did not unwrap, when (System.nanoTime): not asked of the KMS again for a second. */
    private final Map<Wrapped, Long> refused = new ConcurrentHashMap<>();

    private record Sealing(byte[] wrapped, Aead key) {
    }

    private record Wrapped(String domain, ByteBuffer key) {
    }

    /** @param keys the data keys, whose domains' KEKs wrap the gate's sealing keys */
    WaitingSeal(SubjectKeys keys) {
        this.keys = keys;
    }

    /**
     * @param address the record's product
     * @param record a record about to wait, its value as the client wrote it
     * @return the record with its value sealed (a record without a value as it is)
     * @throws MeshException if the domain's KEK does not wrap a new sealing key (the task fails, and the record is
     *         checked again: a KMS that does not answer for the domain's first waiting record stalls the gate's task)
     */
    PendingRecord seal(ProductAddress address, PendingRecord record) {
        if (record.value() == null) {
            return record;
        }
        Sealing key = sealing.computeIfAbsent(address.domain(), this::newSealing);
        try {
            return record.withValue(key.key().encrypt(record.value(), place(address, record)), key.wrapped());
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot seal a waiting record of " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param address the record's product
     * @param record a record that waited
     * @return the record with its value as the client wrote it
     * @throws GeneralSecurityException if its value does not open (its sealing key does not unwrap with the
     *         domain's KEK, or the value was held in another place)
     */
    PendingRecord open(ProductAddress address, PendingRecord record) throws GeneralSecurityException {
        if (!record.sealed()) {
            return record;
        }
        var wrapped = new Wrapped(address.domain(), ByteBuffer.wrap(record.sealedWith()));
        Aead key = opening.get(wrapped);
        if (key == null) {
            key = unwrap(wrapped);
        }
        try {
            return record.withValue(key.decrypt(record.value(), place(address, record)), null);
        } catch (GeneralSecurityException e) {
            if (refused.put(wrapped, System.nanoTime()) == null) {
                LOG.warn("A waiting record of {} does not open with the key that sealed it; it and the records of its ingest partition "
                        + "behind it wait ({})", address, e.getMessage());
            }
            throw e;
        }
    }

    /** The sealing key unwrapped with its domain's KEK, or why not; a key the KMS refused is not asked again for a second. */
    private Aead unwrap(Wrapped wrapped) throws GeneralSecurityException {
        Long refusedAt = refused.get(wrapped);
        if (refusedAt != null && System.nanoTime() - refusedAt < RETRY_NANOS) {
            throw new GeneralSecurityException("the key that sealed it did not unwrap with the KEK of domain " + wrapped.domain()
                    + " less than a second ago");
        }
        try {
            Aead key = keys.unwrapOwn(wrapped.domain(), wrapped.key().array(), purpose(wrapped.domain()))
                    .getPrimitive(RegistryConfiguration.get(), Aead.class);
            opening.put(wrapped, key);
            if (refused.remove(wrapped) != null) {
                LOG.info("Waiting records of domain {} open again", wrapped.domain());
            }
            return key;
        } catch (GeneralSecurityException | RuntimeException e) {
            if (refused.put(wrapped, System.nanoTime()) == null) {
                LOG.warn("Waiting records of domain {} were sealed with a key its KEK does not unwrap now; they wait, and it is "
                        + "tried again every second ({})", wrapped.domain(), e.getMessage());
            }
            throw e instanceof GeneralSecurityException security ? security : new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private Sealing newSealing(String domain) {
        try {
            KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            byte[] wrapped = keys.wrapOwn(domain, keyset, purpose(domain));
            Aead key = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
            opening.put(new Wrapped(domain, ByteBuffer.wrap(wrapped)), key);
            return new Sealing(wrapped, key);
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot make a key to seal waiting records of domain " + domain + ": " + e.getMessage(), e);
        }
    }

    /** @return what a domain's sealing keys are wrapped for, so that no other key wrapped by its KEK passes for one */
    private static byte[] purpose(String domain) {
        return ("mesh.waiting|" + domain).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] place(ProductAddress address, PendingRecord record) {
        return (address.ingestTopic() + "|" + record.partition() + "|" + record.offset()).getBytes(StandardCharsets.UTF_8);
    }
}
