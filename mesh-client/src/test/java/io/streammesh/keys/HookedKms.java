package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import java.security.GeneralSecurityException;

/** A KMS whose every KEK use is passed to a hook first: to count, slow down or fail the uses of the KEKs of {@code kms}. */
final class HookedKms implements KmsClient {

    /** Told of a KEK use before it happens. */
    @FunctionalInterface
    interface Hook {
        /**
         * @param unwrap whether the KEK decrypts (unwraps a data key), else it encrypts (wraps one)
         * @throws GeneralSecurityException to fail the use, as a KMS that does not answer
         */
        void use(boolean unwrap) throws GeneralSecurityException;
    }

    private final KmsClient kms;
    private final Hook hook;

    HookedKms(KmsClient kms, Hook hook) {
        this.kms = kms;
        this.hook = hook;
    }

    @Override
    public boolean doesSupport(String keyUri) {
        return kms.doesSupport(keyUri);
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
        Aead kek = kms.getAead(keyUri);
        return new Aead() {
            @Override
            public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
                hook.use(false);
                return kek.encrypt(plaintext, associatedData);
            }

            @Override
            public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
                hook.use(true);
                return kek.decrypt(ciphertext, associatedData);
            }
        };
    }
}
