package io.streammesh.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.client.AvroJson;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.MeshException;
import io.streammesh.keys.FieldDecryption;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

/**
 * What {@code mesh consume} shows of a record, as one JSON object: key, partition, offset,
 * timestamp, the value and how it was read ({@value #AVRO}: by its writer's schema; a value that
 * is not Avro in the wire format, as a client may put on an ingest or dead-letter topic, as
 * {@value #TEXT} when it is UTF-8, else {@value #BASE64}; a tombstone as null), and on a
 * dead-letter topic the reason headers the mesh wrote.
 */
final class ConsumedRecords {

    /** A value read with its writer's schema from the registry. */
    static final String AVRO = "avro";
    /** A value that is not Avro, shown as the UTF-8 text it is. */
    static final String TEXT = "text";
    /** A value that is neither Avro nor UTF-8, shown as base64. */
    static final String BASE64 = "base64";

    /** The dead-letter headers shown, by the JSON field that shows each. */
    static final Map<String, String> DEAD_LETTER_FIELDS = deadLetterFields();

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Function<byte[], GenericRecord> avro;
    private final FieldDecryption decryption;
    /** Schema ids the registry said it does not hold: asked once, not for every record carrying one. */
    private final Set<Integer> unknownSchemaIds = new HashSet<>();

    /**
     * @param avro reads a value in the wire format with its writer's schema (WireAvro's decode):
     *        throws IllegalArgumentException for bytes that are not, a MeshException for a schema
     *        id the registry does not hold, a {@link SchemaRegistry.Unreachable} when the registry
     *        does not answer
     */
    ConsumedRecords(Function<byte[], GenericRecord> avro) {
        this(avro, null);
    }

    /**
     * @param avro as above
     * @param decryption how the product's encrypted fields are decrypted ({@code --decrypt}); null to show them as stored
     */
    ConsumedRecords(Function<byte[], GenericRecord> avro, FieldDecryption decryption) {
        this.avro = avro;
        this.decryption = decryption;
    }

    private static Map<String, String> deadLetterFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("rule", DeadLetterHeaders.RULE);
        fields.put("reason", DeadLetterHeaders.REASON);
        fields.put("contractVersion", DeadLetterHeaders.CONTRACT_VERSION);
        fields.put("product", DeadLetterHeaders.PRODUCT);
        fields.put("view", DeadLetterHeaders.VIEW);
        fields.put("sourcePartition", DeadLetterHeaders.SOURCE_PARTITION);
        fields.put("sourceOffset", DeadLetterHeaders.SOURCE_OFFSET);
        fields.put("time", DeadLetterHeaders.TIME);
        return fields;
    }

    /**
     * @param record a record as the broker gave it
     * @return what is shown of it
     * @throws SchemaRegistry.Unreachable if the registry does not answer: an outage says nothing about the value
     */
    ObjectNode json(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode node = JSON.objectNode();
        node.put("topic", record.topic());
        node.put("partition", record.partition());
        node.put("offset", record.offset());
        node.put("timestamp", record.timestampType() == TimestampType.NO_TIMESTAMP_TYPE ? null
                : Instant.ofEpochMilli(record.timestamp()).toString());
        key(node, record.key());
        value(node, record.value());
        ObjectNode deadLetter = deadLetter(record);
        if (!deadLetter.isEmpty()) {
            node.set("deadLetter", deadLetter);
        }
        return node;
    }

    private static void key(ObjectNode node, byte[] key) {
        String text = key == null ? null : utf8(key);
        node.put("key", key == null ? null : text != null ? text : Base64.getEncoder().encodeToString(key));
        if (key != null && text == null) {
            node.put("keyFormat", BASE64);
        }
    }

    private void value(ObjectNode node, byte[] value) {
        if (value == null) {
            node.putNull("value");
            return;
        }
        GenericRecord record = avro(value);
        if (record != null && decryption != null) {
            FieldDecryption.Decrypted decrypted = decryption.decrypt(record);
            node.set("value", AvroJson.of(decrypted.value()));
            node.put("valueFormat", AVRO);
            if (decrypted.isErased()) {
                decrypted.erased().forEach(node.putArray("erased")::add);
            }
            return;
        }
        if (record != null) {
            node.set("value", AvroJson.of(record));
            node.put("valueFormat", AVRO);
            return;
        }
        String text = utf8(value);
        node.put("value", text != null ? text : Base64.getEncoder().encodeToString(value));
        node.put("valueFormat", text != null ? TEXT : BASE64);
    }

    /** @return the value read by its writer's schema, or null if it is not Avro of a schema the registry holds */
    private GenericRecord avro(byte[] value) {
        Integer schemaId = value.length >= WireAvro.HEADER_LENGTH && value[0] == 0 ? ByteBuffer.wrap(value, 1, 4).getInt() : null;
        if (schemaId == null || unknownSchemaIds.contains(schemaId)) {
            return null;
        }
        try {
            return avro.apply(value);
        } catch (SchemaRegistry.Unreachable e) {
            throw e;
        } catch (MeshException e) {
            unknownSchemaIds.add(schemaId);
            return null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ObjectNode deadLetter(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode reasons = JSON.objectNode();
        DEAD_LETTER_FIELDS.forEach((field, header) -> {
            Header last = record.headers().lastHeader(header);
            if (last != null && last.value() != null) {
                String text = utf8(last.value());
                reasons.put(field, text != null ? text : Base64.getEncoder().encodeToString(last.value()));
            }
        });
        return reasons;
    }

    /** @return the bytes as text if they are UTF-8, else null */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
