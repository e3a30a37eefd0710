package io.streammesh.testing;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import io.streammesh.keys.LocalKms;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A KMS that is not the mesh's default, for tests of a KMS named by configuration
 * ({@code io.streammesh.keys.KekSource}): {@code test-kms:///<directory>/<domain>} is the domain's
 * keyset in that directory, as {@link LocalKms} keeps them. Found by Java's {@code ServiceLoader},
 * as Tink's cloud KMS clients are, so that apps in processes of their own find it on their class
 * path too.
 */
public final class DirectoryKms implements KmsClient {

    /** The URI scheme it supports. */
    public static final String SCHEME = "test-kms://";

    private static final Map<Path, LocalKms> DIRECTORIES = new ConcurrentHashMap<>();

    /**
     * @param directory where the keysets are kept
     * @return a KEK URI template for that directory ({@code {domain}} for the domain)
     */
    public static String uriTemplate(Path directory) {
        return SCHEME + directory.toAbsolutePath() + "/{domain}";
    }

    @Override
    public boolean doesSupport(String keyUri) {
        return keyUri != null && keyUri.startsWith(SCHEME);
    }

    @Override
    public KmsClient withCredentials(String credentialPath) {
        return this;
    }

    @Override
    public KmsClient withDefaultCredentials() {
        return this;
    }

    @Override
    public Aead getAead(String keyUri) throws GeneralSecurityException {
        if (!doesSupport(keyUri)) {
            throw new GeneralSecurityException("not a " + SCHEME + " URI: " + keyUri);
        }
        Path key = Path.of(keyUri.substring(SCHEME.length()));
        LocalKms kms = DIRECTORIES.computeIfAbsent(key.getParent(), LocalKms::new);
        return kms.getAead(LocalKms.uri(key.getFileName().toString()));
    }
}
