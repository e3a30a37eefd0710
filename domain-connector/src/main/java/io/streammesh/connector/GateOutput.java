package io.streammesh.connector;

/**
 * One record the contract gate writes.
 *
 * @param topic the product topic or its dead-letter topic
 * @param value the bytes: the product's Avro in the wire format, or the record's original value
 */
record GateOutput(String topic, byte[] value) {
}
