/**
 * The mesh's record types (generated from the Avro schemas in {@code src/main/avro}), the demo
 * products' types (from {@code examples/}), and the naming rules for addresses and topics.
 */
package io.streammesh.schema;
