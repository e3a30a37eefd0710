package io.streammesh.connector;

import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.ProductAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Why a record goes to its product's dead-letter topic, as both {@link ProductProducer} and the
 * contract gate write it in {@link DeadLetterHeaders}.
 *
 * @param rule the broken rule's name, or one of the gate's own ({@link DeadLetterHeaders#SCHEMA_RULE} and others)
 * @param reason why, one line
 */
record DeadLetterReason(String rule, String reason) {

    /** A reason is one line, whatever the text a rule or parser gave it. */
    DeadLetterReason {
        reason = reason.replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * Adds the reason headers, after removing any a client set: only the mesh says why.
     *
     * @param headers the record's headers
     * @param contractVersion the contract version the record was checked against
     * @param product the product it was meant for
     * @param at when it was dead-lettered
     */
    void addTo(Headers headers, String contractVersion, ProductAddress product, Instant at) {
        removeForged(headers);
        headers.add(DeadLetterHeaders.RULE, bytes(rule));
        headers.add(DeadLetterHeaders.REASON, bytes(reason));
        headers.add(DeadLetterHeaders.CONTRACT_VERSION, bytes(contractVersion));
        headers.add(DeadLetterHeaders.TIME, bytes(at.toString()));
        headers.add(DeadLetterHeaders.PRODUCT, bytes(product.toString()));
    }

    /**
     * Removes every header starting with {@link DeadLetterHeaders#PREFIX}: a client could set them
     * to pass its own reasons off as the mesh's.
     *
     * @param headers a record's headers
     */
    static void removeForged(Headers headers) {
        List<String> keys = null;
        for (Header header : headers) {
            if (header.key().startsWith(DeadLetterHeaders.PREFIX)) {
                if (keys == null) {
                    keys = new ArrayList<>();
                }
                keys.add(header.key());
            }
        }
        if (keys != null) {
            keys.forEach(headers::remove);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
