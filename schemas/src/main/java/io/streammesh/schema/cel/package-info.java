/**
 * CEL (Common Expression Language) over Avro records: the language of the mesh's quality rules
 * and view filters. An expression sees one record as the variable {@code record}, whose fields
 * are type-checked against the Avro schema when the expression is compiled, so a misspelt field
 * or a type mismatch is an error at publish time, not at run time.
 */
package io.streammesh.schema.cel;
