/**
 * Data contracts: the descriptor YAML a domain team writes for each product (shape in
 * ARCHITECTURE.md, JSON Schema in {@code data-contract.schema.json}), read into a
 * {@link io.streammesh.connector.contract.DataContract} and validated into a
 * {@link io.streammesh.connector.contract.ProductContract}: the address, the Avro schema, and
 * the quality rules and view filters compiled as CEL against it. Validation reports every
 * broken rule at once, each naming its field.
 */
package io.streammesh.connector.contract;
