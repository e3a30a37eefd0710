package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import java.util.Optional;

/** Where a decrypting holder gets the data keys of one product's subjects, e.g. the catalog's key service ({@link KeyServiceClient}). */
@FunctionalInterface
public interface ProductKeys {

    /**
     * @param subject a data subject id
     * @return its data key, empty once the subject was erased (or never had one)
     * @throws io.streammesh.schema.MeshException if the holder may not have it (no grant allowing decryption) or the service does not answer
     */
    Optional<Aead> key(String subject);
}
