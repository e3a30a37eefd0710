package io.streammesh.connector;

import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.client.WireAvro;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.schema.LocatedRecord;
import io.streammesh.schema.ProductFields;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * One published contract as the gate applies it to raw values: a value is Avro in the mesh's
 * wire format whose schema id is a registered version of the product's subject (read with that
 * writer schema into the current one), or a UTF-8 JSON object read as {@code mesh produce} reads
 * JSON Lines ({@link RecordParser}); then it must pass the contract's quality rules
 * ({@link QualityRules}). An accepted value is written with the product's current schema id, its
 * contract's encrypted fields encrypted ({@link RecordEncryption}).
 * Not thread-safe: one per stream task.
 */
final class ContractCheck {

    private static final byte MAGIC = 0;

    /** What the gate does with one value. */
    sealed interface Verdict permits Accepted, Rejected {
    }

    /** @param value the product record's bytes, in the wire format with the current schema id */
    record Accepted(byte[] value) implements Verdict {
    }

    /**
     * @param reason why it goes to the dead-letter topic
     * @param subject the valid data subject the record names, for a product with encrypted fields
     *        whose record parsed (its dead letter is sealed with that subject's key), else null
     */
    record Rejected(DeadLetterReason reason, String subject) implements Verdict {

        /** @param reason why it goes to the dead-letter topic; no subject known */
        Rejected(DeadLetterReason reason) {
            this(reason, null);
        }
    }

    private final ProductAddress address;
    private final ProductRegistration registration;
    private final ProductSchemas schemas;
    private final int maxValueBytes;
    private final int currentId;
    private final Schema current;
    private final Set<Long> versions;
    private final RecordParser parser;
    private final QualityRules rules;
    private final WireWriter writer;
    /** The product's encrypted fields, or null. */
    private final RecordEncryption encryption;
    /**
     * Whether a reason may quote the record's values: not for a product with encrypted fields,
     * whose dead-letter headers stay in cleartext beside the sealed value.
     */
    private final boolean quotesValues;
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
    /** Locates the fields of values written with the current schema. */
    private final ProductFields currentFields;
    /** The positions of the fields the rules read, or null if a rule reads the record as a whole. */
    private final int[] ruleFields;
    private BinaryDecoder decoder;

    /**
     * @param contract the product's contract, compiled (shared by the gate's tasks)
     * @param schemas where writer schemas of other versions are looked up (once per id)
     * @param maxValueBytes the largest value checked
     * @param keys the data subjects' keys, for a product with encrypted fields: a record whose
     *        subject's key is not at hand is no verdict yet ({@link io.streammesh.keys.KeyNotReady})
     * @throws io.streammesh.schema.MeshException if an encrypted field is not a string or bytes field of the schema
     */
    ContractCheck(CompiledContracts.Compiled contract, ProductSchemas schemas, int maxValueBytes, PreparedKeys keys) {
        this.registration = contract.registration();
        this.address = ProductAddress.parse(registration.getAddress());
        this.schemas = schemas;
        this.maxValueBytes = maxValueBytes;
        this.currentId = Math.toIntExact(registration.getSchemaContentId());
        this.current = contract.current();
        this.versions = contract.versions();
        this.parser = new RecordParser(current);
        this.rules = contract.rules();
        // the rules and the encryption read strings as text
        this.currentFields = new ProductFields(current, true);
        this.ruleFields = rules.fieldsRead().map(names -> names.stream().mapToInt(name -> current.getField(name).pos()).toArray())
                .orElse(null);
        this.writer = new WireWriter(current, currentId);
        this.encryption = registration.getEncryption() == null ? null
                : RecordEncryption.of(address, registration.getEncryption(), current, keys);
        this.quotesValues = encryption == null;
    }

    /** @return the registration this check applies */
    ProductRegistration registration() {
        return registration;
    }

    /**
     * @param value a raw record value from the product's ingest topic
     * @return where it goes
     */
    Verdict check(byte[] value) {
        if (value == null) {
            return reject(DeadLetterHeaders.TOMBSTONE_RULE, "a record without a value (tombstone) is not a record of "
                    + address + ", which is not compacted");
        }
        if (value.length > maxValueBytes) {
            return new Rejected(oversized(value.length, maxValueBytes));
        }
        boolean avro = value.length >= WireAvro.HEADER_LENGTH && value[0] == MAGIC;
        if (avro && ruleFields != null && ByteBuffer.wrap(value, 1, 4).getInt() == currentId) {
            return checkInPlace(value);
        }
        GenericRecord record;
        try {
            record = avro ? avro(value) : parser.fromJsonText(value);
        } catch (Unfit e) {
            return rejected(e);
        } catch (RecordParser.RecordParseException e) {
            return reject(DeadLetterHeaders.SCHEMA_RULE, "neither Avro in the wire format nor a JSON object of the schema: "
                    + (quotesValues ? e.getMessage() : e.valueFree()));
        }
        var broken = rules.check(record, quotesValues);
        if (broken.isPresent()) {
            return new Rejected(broken.get(), encryption == null ? null : encryption.subjectOf(record));
        }
        if (encryption != null) {
            try {
                encryption.encrypt(record);
            } catch (RecordEncryption.Unencryptable e) {
                return reject(e.rule(), e.getMessage());
            }
        } else if (avro && ByteBuffer.wrap(value, 1, 4).getInt() == currentId) {
            return new Accepted(value);
        }
        try {
            return new Accepted(writer.write(record));
        } catch (RuntimeException e) {
            return reject(DeadLetterHeaders.SCHEMA_RULE, "does not fit the product's registered schema"
                    + (quotesValues ? ": " + e.getMessage() : ""));
        }
    }

    /**
     * A value written with the current schema is checked where it lies: its bytes are checked as
     * a record of that schema without decoding them ({@link ProductFields}), and only the fields
     * the rules read (and, for a product with encrypted fields, its subject and those fields) are
     * decoded. It goes on as it came, or with its encrypted fields spliced into a copy of its bytes.
     * Decoding every field and encoding the record anew cost the gate more than its rules.
     */
    private Verdict checkInPlace(byte[] value) {
        LocatedRecord located;
        GenericRecord record;
        try {
            located = currentFields.locate(value, WireAvro.HEADER_LENGTH);
            record = located.with(ruleFields);
        } catch (IllegalArgumentException e) {
            return rejected(unreadable(currentId, e));
        }
        if (located.end() != value.length) {
            return rejected(leftOver(currentId));
        }
        var broken = rules.check(record, quotesValues);
        if (broken.isPresent()) {
            return new Rejected(broken.get(), encryption == null ? null : encryption.subjectOf(located));
        }
        if (encryption == null) {
            return new Accepted(value);
        }
        try {
            return new Accepted(encryption.encrypt(located));
        } catch (RecordEncryption.Unencryptable e) {
            return reject(e.rule(), e.getMessage());
        }
    }

    private GenericRecord avro(byte[] value) {
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        if (id != currentId && !versions.contains((long) id)) {
            throw new Unfit("schema id " + id + " is not a registered version of " + address.valueSubject()
                    + " (an unknown id, or another product's schema)");
        }
        var reader = readers.get(id);
        if (reader == null) {
            reader = new GenericDatumReader<>(schemas.schema(id), current);
            readers.put(id, reader);
        }
        GenericRecord record;
        boolean rest;
        try {
            decoder = DecoderFactory.get().binaryDecoder(value, WireAvro.HEADER_LENGTH, value.length - WireAvro.HEADER_LENGTH, decoder);
            record = reader.read(null, decoder);
            rest = !decoder.isEnd();
        } catch (IOException | RuntimeException e) {
            throw unreadable(id, e);
        }
        if (rest) {
            throw leftOver(id);
        }
        return record;
    }

    private static Unfit unreadable(int id, Exception e) {
        String unreadable = "not Avro of schema id " + id + " readable as the product's current schema";
        return new Unfit(unreadable + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), unreadable);
    }

    private static Unfit leftOver(int id) {
        return new Unfit("not Avro of schema id " + id + ": bytes left over after the record");
    }

    /** @return the value's dead letter, its reason quoting the value only where the product allows it */
    private Rejected rejected(Unfit unfit) {
        return reject(DeadLetterHeaders.SCHEMA_RULE, quotesValues ? unfit.getMessage() : unfit.valueFree);
    }

    /**
     * @param length a value's length
     * @param maxValueBytes the gate's limit, which it is over
     * @return why such a value goes to the dead-letter topic, whatever the product
     */
    static DeadLetterReason oversized(int length, int maxValueBytes) {
        return new DeadLetterReason(DeadLetterHeaders.SIZE_RULE, "the value is " + length + " bytes, over the gate's limit of "
                + maxValueBytes + " bytes (its first " + maxValueBytes + " bytes are kept here)");
    }

    private static Rejected reject(String rule, String reason) {
        return new Rejected(new DeadLetterReason(rule, reason));
    }

    /** A value that is not a record of the product's schema. */
    private static final class Unfit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The message without any of the value's content. */
        private final String valueFree;

        Unfit(String message) {
            this(message, message);
        }

        Unfit(String message, String valueFree) {
            super(message, null, false, false);
            this.valueFree = valueFree;
        }
    }
}
