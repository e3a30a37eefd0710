package io.streammesh.catalog;

/**
 * One top-level field of a product's value schema, as the product page shows it.
 *
 * @param name the field's name
 * @param type its type as people read it: {@code string}, {@code null | string}, {@code long (timestamp-millis)}, {@code array<string>}
 * @param doc its documentation; empty when the schema gives none
 * @param pii whether the contract marks it personal data (the registration's {@code piiFields})
 * @param encrypted whether the contract gate encrypts it (the contract's {@code encryption.fields})
 */
record SchemaField(String name, String type, String doc, boolean pii, boolean encrypted) {
}
