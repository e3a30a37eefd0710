package io.streammesh.keys;

import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.SubjectId;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Decrypts a product's encrypted fields in a record read from the product or one of its views
 * ({@link FieldCipher}, associated data of the PRODUCT's address): each listed field that holds a
 * ciphertext becomes its cleartext; the fields of an erased subject (or of a key of it that was
 * erased before it got a fresh one) become null and are named in {@link Decrypted#erased()},
 * never an exception, so a consumer reads on. A field that holds no
 * ciphertext (null, masked by a view, or a record without its subject) is left as it is.
 */
public final class FieldDecryption {

    private final ProductAddress product;
    private final String subjectField;
    private final List<String> fields;
    private final ProductKeys keys;

    /**
     * A record decrypted.
     *
     * @param value a copy of the record, its fields decrypted
     * @param erased the encrypted fields read as null because their subject was erased; empty otherwise
     */
    public record Decrypted(GenericRecord value, Set<String> erased) {

        /** @return whether some field of it belonged to an erased subject */
        public boolean isErased() {
            return !erased.isEmpty();
        }
    }

    /**
     * @param product the product whose contract encrypts the fields
     * @param subjectField the field naming the record's data subject ({@code encryption.subject})
     * @param fields the encrypted fields ({@code encryption.fields})
     * @param keys where the subjects' data keys come from
     */
    public FieldDecryption(ProductAddress product, String subjectField, List<String> fields, ProductKeys keys) {
        this.product = product;
        this.subjectField = subjectField;
        this.fields = List.copyOf(fields);
        this.keys = keys;
    }

    /**
     * @param record a record of the product or of one of its views
     * @return a decrypted copy, and which fields were erased
     * @throws MeshException if a ciphertext does not decrypt with its subject's key (moved from another record, or forged), or some
     *         fields are of an erased key and others of the current one (tampered with)
     */
    public Decrypted decrypt(GenericRecord record) {
        Object subjectValue = record.getSchema().getField(subjectField) == null ? null : record.get(subjectField);
        GenericRecord copy = GenericData.get().deepCopy(record.getSchema(), record);
        Set<String> erased = new LinkedHashSet<>();
        if (subjectValue == null) {
            return new Decrypted(copy, erased);
        }
        String subject = SubjectId.of(subjectValue);
        Map<String, Object> ciphertexts = new LinkedHashMap<>();
        for (String field : fields) {
            Object value = copy.getSchema().getField(field) == null ? null : copy.get(field);
            if (encrypted(value)) {
                ciphertexts.put(field, value);
            }
        }
        if (ciphertexts.isEmpty()) {
            return new Decrypted(copy, erased);
        }
        Map<String, Optional<Object>> opened;
        try {
            opened = open(keys.key(subject), subject, ciphertexts);
        } catch (NotOfTheKey e) {
            if (!e.unknownKey) {
                throw e;
            }
            // maybe the subject's fresh key, written after the one kept (an erasure between): asked for again, once
            opened = open(keys.latest(subject), subject, ciphertexts);
        }
        opened.forEach((field, cleartext) -> {
            copy.put(field, cleartext.orElse(null));
            if (cleartext.isEmpty()) {
                erased.add(field);
            }
        });
        return new Decrypted(copy, erased);
    }

    /** @return each field's cleartext, empty where its key was erased */
    private Map<String, Optional<Object>> open(SubjectKey key, String subject, Map<String, Object> ciphertexts) {
        Map<String, Optional<Object>> opened = new LinkedHashMap<>();
        ciphertexts.forEach((field, value) -> opened.put(field, decrypt(key, field, subject, value)));
        List<String> erased = opened.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
        if (!erased.isEmpty() && erased.size() < opened.size()) {
            // the gate encrypts a record's fields with one key: some erased and some not is a record tampered with
            throw new NotOfTheKey("fields " + erased + " of a record of " + product + " about subject " + subject
                    + " are of an erased key and its other fields of the current one: it was not written so by the contract gate", null);
        }
        return opened;
    }

    private static boolean encrypted(Object value) {
        return value instanceof ByteBuffer || value instanceof CharSequence text && FieldCipher.isEncrypted(text.toString());
    }

    /** @return the cleartext, empty if the ciphertext's key was erased */
    private Optional<Object> decrypt(SubjectKey key, String field, String subject, Object value) {
        try {
            return key.decryptField(value, FieldCipher.associatedData(product.toString(), field, subject));
        } catch (GeneralSecurityException e) {
            throw new NotOfTheKey("field " + field + " of a record of " + product + " about subject " + subject
                    + " does not decrypt with that subject's key: it was not written there by the contract gate", e);
        }
    }

    /** A record whose ciphertexts the subject's key does not open as the gate wrote them. */
    private static final class NotOfTheKey extends MeshException {
        private static final long serialVersionUID = 1L;
        /** Whether a ciphertext names a key the holder does not know (worth asking for the latest), not the current one. */
        private final boolean unknownKey;

        NotOfTheKey(String message, GeneralSecurityException cause) {
            super(message, cause);
            this.unknownKey = cause instanceof SubjectKey.UnknownKey;
        }
    }
}
