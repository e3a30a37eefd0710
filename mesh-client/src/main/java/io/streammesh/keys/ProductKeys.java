package io.streammesh.keys;

/** Where a decrypting holder gets the data keys of one product's subjects, e.g. the catalog's key service ({@link KeyServiceClient}). */
@FunctionalInterface
public interface ProductKeys {

    /**
     * @param subject a data subject id
     * @return its data key, if it has one now, and the ids of its erased keys ({@link SubjectKey#NONE} if it never had a key)
     * @throws io.streammesh.schema.MeshException if the holder may not have it (no grant allowing decryption) or the service does not answer
     */
    SubjectKey key(String subject);

    /**
     * The subject's key as it is now, not as kept: asked when the key kept did not open a
     * ciphertext, which may be of the subject's fresh key (after an erasure).
     *
     * @param subject a data subject id
     * @return its data key and the ids of its erased keys
     * @throws io.streammesh.schema.MeshException as {@link #key}
     */
    default SubjectKey latest(String subject) {
        return key(subject);
    }
}
