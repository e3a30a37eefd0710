package io.streammesh.schema;

import org.apache.avro.Schema;

/**
 * Which Avro fields the contract gate can encrypt: strings and bytes, nullable or not. An
 * encrypted string holds its ciphertext as text and encrypted bytes hold it raw, so the product's
 * registered schema stays the contract's and every consumer still decodes its records.
 */
public final class EncryptedFields {

    /**
     * The header of a view record whose subject was erased: the encrypted fields (comma-separated)
     * that read as null because the subject's data key is gone.
     */
    public static final String ERASED_HEADER = "mesh.erased";

    private EncryptedFields() {
    }

    /**
     * @param schema a field's schema
     * @return whether it is a string or bytes, or a union of one of them with null
     */
    public static boolean encryptable(Schema schema) {
        return valueType(schema) != null;
    }

    /**
     * @param schema a field's schema
     * @return {@link Schema.Type#STRING} or {@link Schema.Type#BYTES} for an encryptable field
     *         (the non-null branch of a nullable one), else null
     */
    public static Schema.Type valueType(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            var branches = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
            return branches.size() == 1 && schema.getTypes().size() == 2 ? valueType(branches.get(0)) : null;
        }
        return schema.getType() == Schema.Type.STRING || schema.getType() == Schema.Type.BYTES ? schema.getType() : null;
    }
}
