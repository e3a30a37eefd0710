package io.streammesh.enforcer;

import io.streammesh.schema.LocatedRecord;
import io.streammesh.keys.KeyNotReady;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.SubjectKey;
import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.EncryptedFields;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.SubjectId;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import org.apache.avro.Schema;

/**
 * An encrypted product's fields opened in memory for its views, one writer schema of it: each
 * record's subject data key is taken as it is at hand ({@link PreparedKeys#subjectKey}: the key
 * log is read and keys unwrapped on a thread of their own, so a domain whose keys are slow to
 * come or out of reach holds up only its own records, which wait, {@link KeyNotReady}), its encrypted
 * fields are decrypted into the located {@link LocatedRecord} (so filters and masks see
 * cleartext) while their ciphertext is kept for the views that pass it through. A subject whose
 * key is gone (erased) reads as null in every encrypted field, and so does a record written
 * under a key of the subject's that was erased before a later record gave it a fresh one. Cleartext lives only in the
 * decoded record, which the next record overwrites: it is never written anywhere by this class.
 * Used by one stream thread at a time.
 */
final class ProductDecryption {

    private final ProductAddress address;
    /** The address as text, made once: each record's key for the product is looked up by it. */
    private final String product;
    private final PreparedKeys keys;
    private final byte[] hashContext;
    private final int subjectField;
    private final String subjectName;
    /** Per field position: whether the contract encrypts it. */
    private final boolean[] encrypted;
    private final List<Schema.Field> fields;
    private final Object[] ciphertexts;
    /** The last record's decrypted encrypted fields, by position. */
    private final Object[] cleartexts;
    private String subject;
    private boolean erased;
    private final List<String> erasedFields = new ArrayList<>();
    /** The last record's subject's data key (not its product key): what its hashes are keyed from. */
    private SubjectKey dataKey;
    private Mac subjectHash;

    /** A record whose encrypted fields cannot be opened: it goes to each view's dead-letter topic. */
    static class Undecryptable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Undecryptable(String message) {
            super(message);
        }
    }

    /** A ciphertext of a key that the keys held know neither as the subject's current key nor as an erased one. */
    static final class UnknownKey extends Undecryptable {
        private static final long serialVersionUID = 1L;

        UnknownKey(String message) {
            super(message);
        }
    }

    /**
     * @param address the product
     * @param encryption its contract's encryption
     * @param writer one writer schema of it
     * @param keys the subjects' data keys, read-only ({@link PreparedKeys#reading}); null where this enforcer has none (every
     *        record is then undecryptable)
     * @param productHashKey the product's hashing key, from which each subject's own is derived
     */
    ProductDecryption(ProductAddress address, ProductEncryption encryption, Schema writer, PreparedKeys keys, byte[] productHashKey) {
        this.address = address;
        this.product = address.toString();
        this.keys = keys;
        this.hashContext = productHashKey.clone();
        this.fields = writer.getFields();
        Schema.Field subjectAt = writer.getField(encryption.getSubject());
        if (subjectAt == null) {
            throw new Undecryptable("encryption.subject '" + encryption.getSubject() + "' is not a field of the schema of " + address);
        }
        this.subjectField = subjectAt.pos();
        this.subjectName = subjectAt.name();
        this.encrypted = new boolean[fields.size()];
        for (String name : encryption.getFields()) {
            Schema.Field field = writer.getField(name);
            if (field == null || !EncryptedFields.encryptable(field.schema())) {
                throw new Undecryptable("encryption.fields '" + name + "' is not a string or bytes field of the schema of " + address);
            }
            encrypted[field.pos()] = true;
        }
        this.ciphertexts = new Object[fields.size()];
        this.cleartexts = new Object[fields.size()];
    }

    /**
     * @param encryption a product's encryption
     * @param writer one of its writer schemas
     * @return the names of the fields it encrypts that the schema has
     */
    static Set<String> encryptedNames(ProductEncryption encryption, Schema writer) {
        return Set.copyOf(encryption.getFields().stream().filter(name -> writer.getField(name) != null).toList());
    }

    /**
     * Decrypts the record's encrypted fields in place; a subject without a data key (erased, or
     * never had one) gets null in each, as does a field written under an erased key of the subject's.
     *
     * @param record a located record of the writer schema
     * @param seenAt the keys' {@link PreparedKeys#readMark()} when the record was first seen: a key the keys held lack is looked
     *        for in a read that started after it
     * @throws Undecryptable if the subject is missing, its key unusable, or a field not its ciphertext
     * @throws KeyNotReady if the subject's keys are not at hand: they are asked for, and the record must wait for them
     */
    void open(LocatedRecord record, long seenAt) {
        // read as the gate names it: a bytes subject as hex
        subject = SubjectId.of(record.value(subjectField));
        subjectHash = null;
        dataKey = null;
        boolean anyCiphertext = false;
        for (int i = 0; i < encrypted.length; i++) {
            ciphertexts[i] = encrypted[i] ? record.value(i) : null;
            anyCiphertext |= ciphertexts[i] != null;
        }
        SubjectKey key = key(-1);
        if (anyCiphertext && key.key().isEmpty() && key.erasedKeyIds().isEmpty()) {
            // no entry in the keys held: maybe the subject's first key, written after the last read of the log
            key = key(seenAt);
        }
        try {
            openAll(key);
        } catch (UnknownKey e) {
            // maybe the subject's fresh key, written after the one held (an erasure between, less than a second ago): read for, once
            key = key(seenAt);
            openAll(key);
        }
        for (int i = 0; i < encrypted.length; i++) {
            if (ciphertexts[i] != null) {
                record.open(i, cleartexts[i]);
            }
        }
        erased = key.key().isEmpty() || !erasedFields.isEmpty();
    }

    /** Decrypts every encrypted field's ciphertext into {@link #cleartexts}, null and named in {@link #erasedFields} where its key was erased. */
    private void openAll(SubjectKey key) {
        erasedFields.clear();
        boolean opened = false;
        for (int i = 0; i < encrypted.length; i++) {
            if (ciphertexts[i] == null) {
                continue;
            }
            Optional<Object> cleartext = decrypt(key, i, ciphertexts[i]);
            cleartexts[i] = cleartext.orElse(null);
            if (cleartext.isEmpty()) {
                erasedFields.add(fields.get(i).name());
            } else {
                opened = true;
            }
        }
        if (opened && !erasedFields.isEmpty()) {
            // the gate encrypts a record's fields with one key: some erased and some not is a record tampered with
            throw new Undecryptable("fields " + erasedFields + " are of an erased data key of subject " + subject + " and the record's other "
                    + "encrypted fields of its current one: it was not written so by the contract gate (" + address + ")");
        }
    }

    /** @param seenAt as for {@link #open}; negative: the keys as held */
    private SubjectKey key(long seenAt) {
        if (subject.isEmpty()) {
            throw new Undecryptable("field " + subjectName + " names the data subject whose key decrypts the record; it is empty");
        }
        if (keys == null) {
            throw new Undecryptable("this policy-enforcer reads no data keys, so it cannot open the encrypted fields of " + address);
        }
        try {
            dataKey = seenAt >= 0 ? keys.latestSubjectKey(address.domain(), subject, seenAt) : keys.subjectKey(address.domain(), subject);
            return forProduct(dataKey);
        } catch (SubjectKeys.UnusableKey e) {
            throw new Undecryptable(e.getMessage());
        }
    }

    /** A data key the mesh did not make costs its records (dead letters), not the task: it is no outage of the key topic. */
    private SubjectKey forProduct(SubjectKey dataKey) {
        try {
            return dataKey.forProduct(product);
        } catch (MeshException e) {
            throw new Undecryptable(e.getMessage());
        }
    }

    /** @return the cleartext, empty if the subject has no key or the ciphertext's key was erased */
    private Optional<Object> decrypt(SubjectKey key, int field, Object ciphertext) {
        String name = fields.get(field).name();
        try {
            return key.decryptField(ciphertext, FieldCipher.associatedData(product, name, subject));
        } catch (GeneralSecurityException e) {
            String reason = "field " + name + " does not decrypt with the data key of subject " + subject + " for " + address
                    + " (" + e.getMessage() + ")";
            throw e instanceof SubjectKey.UnknownKey ? new UnknownKey(reason) : new Undecryptable(reason);
        }
    }

    /** @return whether the field at that position is encrypted by the contract */
    boolean isEncrypted(int field) {
        return encrypted[field];
    }

    /** @return whether the last record's encrypted fields read as null because their key was erased (or the subject has none) */
    boolean erased() {
        return erased;
    }

    /** @return the encrypted fields of the last record that held a value but read as null, comma-separated; empty if none */
    String erasedFields() {
        return String.join(",", erasedFields);
    }

    /**
     * @param field a field's position
     * @return the last record's value of that encrypted field as the product holds it (its ciphertext)
     */
    Object ciphertext(int field) {
        return ciphertexts[field];
    }

    /**
     * The hash of an encrypted field's cleartext under a key of the subject's own (derived from
     * its data key and the product's hashing key): once the subject is erased, nobody can compute
     * it again, so the hashes in the views can no longer be linked to the subject.
     *
     * @param cleartext a decrypted value of the last record, or null
     * @return its hash in hex, null for null
     */
    String hash(Object cleartext) {
        if (cleartext == null) {
            return null;
        }
        if (subjectHash == null) {
            // from the key the record was opened with: no look-up here, where some of the record's views may be written already
            Optional<byte[]> secret;
            try {
                secret = dataKey.derivedSecret(hashContext);
            } catch (SubjectKeys.UnusableKey e) {
                throw new Undecryptable(e.getMessage());
            }
            subjectHash = KeyedHash.hmac(secret.orElseThrow(() -> new Undecryptable("subject " + subject + " has no data key to hash with")));
        }
        return KeyedHash.hex(subjectHash, cleartext);
    }
}
