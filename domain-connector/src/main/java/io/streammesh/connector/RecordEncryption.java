package io.streammesh.connector;

import com.google.crypto.tink.Aead;
import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.ProductKey;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.AvroBytes;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.EncryptedFields;
import io.streammesh.schema.LocatedRecord;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.SubjectId;
import io.streammesh.schema.ProductEncryption;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryData;

/**
 * A product's encrypted fields as the gate writes them: each listed string or bytes field of a
 * record that passed the contract becomes its {@link FieldCipher} ciphertext under the data key of
 * the record's subject (its {@code encryption.subject} field), so the product schema stays the
 * contract's. A dead letter of such a product is encrypted whole: with the data key of the subject
 * it names when it parsed (so erasing the subject erases its dead letters too), else with the key
 * of the product's dead-letter subject ({@link #deadLetterSubject}): it may not even parse, so its
 * fields and subject cannot be found, and it must not reach the disks in cleartext either.
 */
final class RecordEncryption {

    /** The wildcard field of the associated data of a value encrypted whole. */
    static final String WHOLE_VALUE = "*";

    private final ProductAddress address;
    /** The address as text, made once: each record's key for the product is looked up by it. */
    private final String product;
    /** The product's current schema: the fields' positions are its. */
    private final Schema schema;
    private final String subjectField;
    /** How a reason names the subject field, {@code field <name>}: built once, not for every record. */
    private final String subjectWhat;
    /** The subject field's position in the schema: fields are read by position, not looked up by name for every record. */
    private final int subjectPosition;
    private final List<Target> targets;
    private final PreparedKeys keys;

    /**
     * @param position the field's position in the product's current schema, which every record checked has
     * @param bytes whether the field is bytes (else a string)
     * @param nullable whether the field is a union with null (its value's bytes start with the branch's index)
     * @param place the field's part of each record's associated data ({@link FieldCipher#place})
     */
    private record Target(String name, int position, boolean bytes, boolean nullable, byte[] place) {
    }

    private RecordEncryption(ProductAddress address, Schema schema, String subjectField, int subjectPosition, List<Target> targets,
                             PreparedKeys keys) {
        this.address = address;
        this.product = address.toString();
        this.schema = schema;
        this.subjectField = subjectField;
        this.subjectWhat = "field " + subjectField;
        this.subjectPosition = subjectPosition;
        this.targets = targets;
        this.keys = keys;
    }

    /**
     * @param address the product
     * @param encryption its contract's encryption
     * @param schema its current schema
     * @param keys the subjects' data keys: one not at hand yet fails the record's encryption with
     *        {@link io.streammesh.keys.KeyNotReady}, before any field changed
     * @return the product's encryption
     * @throws MeshException if a listed field is not an encryptable field of the schema (a
     *         registration written past the contract validator)
     */
    static RecordEncryption of(ProductAddress address, ProductEncryption encryption, Schema schema, PreparedKeys keys) {
        Schema.Field subject = schema.getField(encryption.getSubject());
        if (subject == null) {
            throw new MeshException("encryption.subject '" + encryption.getSubject() + "' is not a field of the schema of " + address);
        }
        List<Target> targets = encryption.getFields().stream().map(name -> {
            Schema.Field field = schema.getField(name);
            Schema.Type type = field == null ? null : EncryptedFields.valueType(field.schema());
            if (type == null) {
                throw new MeshException("encryption.fields '" + name + "' is not a string or bytes field of the schema of " + address);
            }
            return new Target(name, field.pos(), type == Schema.Type.BYTES, field.schema().getType() == Schema.Type.UNION,
                    FieldCipher.place(address.toString(), name));
        }).sorted(Comparator.comparingInt(Target::position)).toList();
        if (targets.stream().map(Target::position).distinct().count() < targets.size()) {
            throw new MeshException("encryption.fields of " + address + " lists a field twice");
        }
        return new RecordEncryption(address, schema, encryption.getSubject(), subject.pos(), targets, keys);
    }

    /**
     * @param address a product with encrypted fields
     * @return the subject whose data key encrypts its dead letters
     */
    static String deadLetterSubject(ProductAddress address) {
        return "mesh.dead-letters|" + address;
    }

    /**
     * @param record a parsed record of the product, of its current schema
     * @return the data subject it names, or null if that is empty or not a valid subject id
     */
    String subjectOf(GenericRecord record) {
        return subjectOf(record.get(subjectPosition));
    }

    /**
     * @param record a located record of the product's current schema
     * @return the data subject it names, or null if that is empty or not a valid subject id
     */
    String subjectOf(LocatedRecord record) {
        return subjectOf(record.value(subjectPosition));
    }

    private String subjectOf(Object value) {
        String subject = SubjectId.of(value);
        return subject.isEmpty() || SubjectId.problem(subjectField, subject).isPresent() ? null : subject;
    }

    /**
     * Encrypts the listed fields in place (a null field stays null).
     *
     * @param record a record of the product's current schema that passed the contract
     * @throws Unencryptable if the record's subject field is null or empty, or the subject's key unusable
     * @throws IllegalArgumentException if the record is of another schema (a caller's bug: the positions would be wrong)
     */
    void encrypt(GenericRecord record) {
        current(record.getSchema());
        String subject = subject(record.get(subjectPosition));
        Aead key = key(subject);
        try {
            for (Target target : targets) {
                Object value = record.get(target.position());
                if (value != null) {
                    record.put(target.position(), target.bytes() ? ByteBuffer.wrap(ciphertext(key, subject, target, value))
                            : FieldCipher.encrypt(key, value.toString(), FieldCipher.associatedData(target.place(), subject)));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot encrypt a field of " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * Encrypts the listed fields (a null field stays null) into a copy of the record's bytes: the
     * other fields' bytes are copied as they lie, as Avro would have written them again. A field's
     * text or bytes are encrypted as the record holds them (a string's UTF-8), never decoded.
     *
     * @param record a record of the product's current schema that passed the contract, located in
     *        its value (the wire format's header before it is copied too)
     * @return the value with the fields encrypted
     * @throws Unencryptable if the record's subject field is null or empty, or the subject's key unusable
     */
    byte[] encrypt(LocatedRecord record) {
        current(record.schema());
        String subject = subject(record.value(subjectPosition));
        Aead key = key(subject);
        byte[] bytes = record.bytes();
        // each field's new bytes first, so that the value is written once, at its size
        var encrypted = new byte[targets.size()][];
        var valueStarts = new int[targets.size()];
        int size = record.end();
        try {
            for (int i = 0; i < encrypted.length; i++) {
                Target target = targets.get(i);
                if (target.nullable() && record.value(target.position()) == null) {
                    continue;
                }
                // a nullable field's value starts with its branch's index, the same for the ciphertext
                int valueStart = target.nullable() ? BinaryData.skipLong(bytes, record.start(target.position())) : record.start(target.position());
                int end = record.end(target.position());
                int contentStart = BinaryData.skipLong(bytes, valueStart);
                byte[] content = Arrays.copyOfRange(bytes, contentStart, end);
                byte[] associatedData = FieldCipher.associatedData(target.place(), subject);
                encrypted[i] = target.bytes() ? key.encrypt(content, associatedData) : FieldCipher.encryptUtf8(key, content, associatedData);
                valueStarts[i] = valueStart;
                size += varLongSize(encrypted[i].length) + encrypted[i].length - (end - valueStart);
            }
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot encrypt a field of " + address + ": " + e.getMessage(), e);
        }
        byte[] out = new byte[size];
        int copied = 0;
        int written = 0;
        for (int i = 0; i < encrypted.length; i++) {
            if (encrypted[i] == null) {
                continue;
            }
            int valueStart = valueStarts[i];
            System.arraycopy(bytes, copied, out, written, valueStart - copied);
            written += valueStart - copied;
            written += BinaryData.encodeLong(encrypted[i].length, out, written);
            System.arraycopy(encrypted[i], 0, out, written, encrypted[i].length);
            written += encrypted[i].length;
            copied = record.end(targets.get(i).position());
        }
        System.arraycopy(bytes, copied, out, written, record.end() - copied);
        return out;
    }

    /** @return how many bytes Avro's zig-zag varint of a non-negative length takes */
    private static int varLongSize(long length) {
        long zigZag = length << 1;
        int size = 1;
        while ((zigZag & ~0x7FL) != 0) {
            zigZag >>>= 7;
            size++;
        }
        return size;
    }

    /** The fields are found by their positions in the current schema: a record of another would be encrypted in the wrong places. */
    private void current(Schema recordSchema) {
        if (recordSchema != schema && !recordSchema.equals(schema)) {
            throw new IllegalArgumentException("a record of " + address + " not of its current schema: "
                    + "its fields are not where encryption looks");
        }
    }

    private static byte[] ciphertext(Aead key, String subject, Target target, Object value) throws GeneralSecurityException {
        return key.encrypt(AvroBytes.copyOf((ByteBuffer) value), FieldCipher.associatedData(target.place(), subject));
    }

    /** @return the record's subject, checked */
    private String subject(Object value) {
        String subject = SubjectId.of(value);
        if (subject.isEmpty()) {
            throw new Unencryptable(DeadLetterHeaders.SUBJECT_RULE, "field " + subjectField + " names the data subject whose key encrypts "
                    + String.join(", ", targets.stream().map(Target::name).toList()) + "; it is empty");
        }
        SubjectId.problem(subjectWhat, subject).ifPresent(problem -> {
            throw new Unencryptable(DeadLetterHeaders.SUBJECT_RULE, problem);
        });
        return subject;
    }

    private Aead key(String subject) {
        try {
            return ProductKey.of(keys.dataKey(address.domain(), subject), product);
        } catch (SubjectKeys.UnusableKey e) {
            // one subject's broken key costs that record, never the gate's task, which every domain shares; the
            // reason names the field, not the subject: dead-letter headers are cleartext
            throw new Unencryptable(DeadLetterHeaders.ENCRYPTION_RULE, "the data key of the subject in field " + subjectField
                    + " is on the key log but cannot be unwrapped with the domain's key-encryption key");
        }
    }

    /**
     * A dead letter's value encrypted whole.
     *
     * @param subject whose data key encrypted it (the {@link DeadLetterHeaders#ENCRYPTED_WITH} header)
     * @param value the encrypted value, or null for a record without one
     */
    record Sealed(String subject, byte[] value) {
    }

    /**
     * @param address a product with encrypted fields
     * @param keys the subjects' data keys, and the products' dead-letter keys
     * @param value a dead letter's value, or null
     * @param subject the valid data subject the dead letter names, or null if unknown
     * @return the value encrypted whole with that subject's key, or with the product's dead-letter key when
     *         the subject is unknown or its key unusable
     * @throws io.streammesh.keys.KeyNotReady if the key it needs is not at hand (nor, for the dead-letter key, had before)
     */
    static Sealed sealDeadLetter(ProductAddress address, DeadLetterKeys keys, byte[] value, String subject) {
        if (value == null) {
            return new Sealed(subject == null ? deadLetterSubject(address) : subject, null);
        }
        if (subject != null) {
            try {
                return seal(address, ProductKey.of(keys.keys().dataKey(address.domain(), subject), address.toString()), value, subject);
            } catch (SubjectKeys.UnusableKey e) {
                // the product's own key keeps it sealed; replacing the subject's key would lose the subject's records
            }
        }
        return seal(address, keys.of(address), value, deadLetterSubject(address));
    }

    /** @param key the subject's key for the product */
    private static Sealed seal(ProductAddress address, Aead key, byte[] value, String subject) {
        try {
            return new Sealed(subject, key.encrypt(value, FieldCipher.associatedData(address.toString(), WHOLE_VALUE, subject)));
        } catch (GeneralSecurityException e) {
            throw new MeshException("cannot encrypt a dead letter of " + address + ": " + e.getMessage(), e);
        }
    }

    /** A record of an encrypted product that cannot be encrypted: it names no subject, or the subject's key is unusable. */
    static final class Unencryptable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String rule;

        Unencryptable(String rule, String message) {
            super(message, null, false, false);
            this.rule = rule;
        }

        /** @return the dead-letter rule it breaks */
        String rule() {
            return rule;
        }
    }
}
