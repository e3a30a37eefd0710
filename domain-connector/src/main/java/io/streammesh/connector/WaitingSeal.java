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
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The values of waiting records sealed while they wait in the gate's store, whose changelog is on
 * the broker's disks, where no cleartext of an encrypted field may be outside the ingest topic.
 * Every waiting record is sealed: one waiting for its product's catalog entry may be of a contract
 * that encrypts fields, which the gate cannot know yet. Each gate seals with a key of its own, made
 * on its first waiting record and wrapped by the platform's KEK (the KMS's key of {@link SubjectKeys#PLATFORM},
 * the name no domain may take); the wrapped key goes with each record, so that whichever gate
 * restores the store opens it with that KEK. No domain's KMS or key log is asked for a record to
 * wait: a domain whose KMS does not answer stalls neither the gate's tasks, which every domain
 * shares, nor its own records that wait for their catalog entry, and a record waits for its
 * subject's key even while the key log is out of reach. A sealed record that does not open now is
 * not routed: it waits, and the KMS is asked again a second later at most. Each value is bound to
 * its place (its ingest topic, partition and offset). Shared by the gate's tasks.
 */
final class WaitingSeal {

    private static final Logger LOG = LoggerFactory.getLogger(WaitingSeal.class);
    private static final long RETRY_NANOS = 1_000_000_000L;
    /** What the sealing keys are wrapped for, so that no other key the platform's KEK wraps passes for one. */
    private static final byte[] PURPOSE = "mesh.waiting".getBytes(StandardCharsets.UTF_8);
    /**
     * What a sealing key wrapped by the platform's KEK starts with as a record holds it: a store
     * restored from before holds keys wrapped by their domain's KEK, which start otherwise (Tink's
     * encrypted keyset: a protobuf field tag), so each is unwrapped by the KEK that wrapped it.
     */
    private static final byte PLATFORM_WRAPPED = 'P';

    private final SubjectKeys keys;
    /** The key this gate seals with, made on its first waiting record. */
    private Sealing sealing;
    /** Per wrapped key (this gate's, or one that sealed records a gate restored), the key unwrapped. */
    private final Map<ByteBuffer, Aead> opening = new ConcurrentHashMap<>();
    /** Per wrapped key that did not unwrap, when (System.nanoTime): not asked of the KMS again for a second. */
    private final Map<ByteBuffer, Long> refused = new ConcurrentHashMap<>();

    private record Sealing(byte[] wrapped, Aead key) {
    }

    /** @param keys the data keys, whose KMS holds the platform's KEK that wraps the gate's sealing keys */
    WaitingSeal(SubjectKeys keys) {
        this.keys = keys;
    }

    /**
     * @param address the record's product
     * @param record a record about to wait, its value as the client wrote it
     * @return the record with its value sealed (a record without a value as it is)
     * @throws MeshException if the platform's KEK does not wrap a new sealing key (the task fails, and the record is
     *         checked again: the platform's KMS is the platform's to keep up, as its broker)
     */
    PendingRecord seal(ProductAddress address, PendingRecord record) {
        if (record.value() == null) {
            return record;
        }
        Sealing key = sealing();
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
     *         platform's KEK, or the value was held in another place)
     */
    PendingRecord open(ProductAddress address, PendingRecord record) throws GeneralSecurityException {
        if (!record.sealed()) {
            return record;
        }
        var wrapped = ByteBuffer.wrap(record.sealedWith());
        Aead key = opening.get(wrapped);
        if (key == null) {
            key = unwrap(address.domain(), wrapped);
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

    /** The sealing key unwrapped with the platform's KEK, or why not; a key the KMS refused is not asked again for a second. */
    private Aead unwrap(String domain, ByteBuffer wrapped) throws GeneralSecurityException {
        Long refusedAt = refused.get(wrapped);
        if (refusedAt != null && System.nanoTime() - refusedAt < RETRY_NANOS) {
            throw new GeneralSecurityException("the key that sealed it did not unwrap with the platform's KEK less than a second ago");
        }
        try {
            Aead key = unwrapped(domain, wrapped.array()).getPrimitive(RegistryConfiguration.get(), Aead.class);
            opening.put(wrapped, key);
            if (refused.remove(wrapped) != null) {
                LOG.info("Waiting records sealed with a key the platform's KEK did not unwrap open again");
            }
            return key;
        } catch (GeneralSecurityException | RuntimeException e) {
            if (refused.put(wrapped, System.nanoTime()) == null) {
                LOG.warn("Waiting records were sealed with a key the platform's KEK does not unwrap now; they wait, and it is "
                        + "tried again every second ({})", e.getMessage());
            }
            throw e instanceof GeneralSecurityException security ? security : new GeneralSecurityException(e.getMessage(), e);
        }
    }

    /** A store restored from before the platform's KEK sealed waiting records holds some sealed by their domain's. */
    private KeysetHandle unwrapped(String domain, byte[] wrapped) throws GeneralSecurityException {
        if (wrapped.length > 0 && wrapped[0] == PLATFORM_WRAPPED) {
            return keys.unwrapOwn(SubjectKeys.PLATFORM, Arrays.copyOfRange(wrapped, 1, wrapped.length), PURPOSE);
        }
        return keys.unwrapOwn(domain, wrapped, ("mesh.waiting|" + domain).getBytes(StandardCharsets.UTF_8));
    }

    private synchronized Sealing sealing() {
        if (sealing == null) {
            try {
                KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
                byte[] byKek = keys.wrapOwn(SubjectKeys.PLATFORM, keyset, PURPOSE);
                byte[] wrapped = new byte[byKek.length + 1];
                wrapped[0] = PLATFORM_WRAPPED;
                System.arraycopy(byKek, 0, wrapped, 1, byKek.length);
                Aead key = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
                opening.put(ByteBuffer.wrap(wrapped), key);
                sealing = new Sealing(wrapped, key);
            } catch (GeneralSecurityException e) {
                throw new MeshException("cannot make a key to seal waiting records: " + e.getMessage(), e);
            }
        }
        return sealing;
    }

    private static byte[] place(ProductAddress address, PendingRecord record) {
        return (address.ingestTopic() + "|" + record.partition() + "|" + record.offset()).getBytes(StandardCharsets.UTF_8);
    }
}
