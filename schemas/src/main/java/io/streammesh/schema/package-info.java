/**
 * The mesh's record types (generated from the Avro schemas in {@code src/main/avro}), the demo
 * products' types (from {@code examples/}), and the naming rules for addresses, topics and
 * principals ({@link io.streammesh.schema.MeshPrincipal}), with {@link io.streammesh.schema.MeshException},
 * the one-line error of every module. Immutable values only: safe to share between threads.
 */
package io.streammesh.schema;
