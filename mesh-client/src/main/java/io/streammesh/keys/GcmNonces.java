package io.streammesh.keys;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Random 96-bit AES-GCM nonces, as Tink draws them, but drawn from the thread's own NIST DRBG
 * ({@code SecureRandom "DRBG"}, seeded by the JDK from the system's entropy) 256 at a time. A nonce
 * asked of a {@code SecureRandom} one at a time cost 125 ns (Tink's {@code NativePRNG} reads
 * {@code /dev/urandom} and mixes it with SHA-1 on every call), about a quarter of encrypting a
 * field; drawn in bulk from the DRBG, 25 ns. Bytes a DRBG gives in one call are as random as
 * those it gives in many, and a nonce is no secret (it is written beside its ciphertext): a
 * thread's undrawn nonces held in memory give nothing away.
 */
final class GcmNonces {

    /** The nonce size of Tink's AES-GCM keys. */
    static final int SIZE = 12;
    private static final int BATCH = 256;
    private static final ThreadLocal<GcmNonces> OF_THREAD = ThreadLocal.withInitial(GcmNonces::new);

    private final SecureRandom random;
    private final byte[] drawn = new byte[SIZE * BATCH];
    private int next = drawn.length;

    private GcmNonces() {
        try {
            random = SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no DRBG (every JDK since 9 has)", e);
        }
    }

    /**
     * Writes a fresh random nonce.
     *
     * @param out where to write it
     * @param offset at which index of {@code out} it starts
     */
    static void writeNext(byte[] out, int offset) {
        OF_THREAD.get().write(out, offset);
    }

    private void write(byte[] out, int offset) {
        if (next == drawn.length) {
            random.nextBytes(drawn);
            next = 0;
        }
        System.arraycopy(drawn, next, out, offset, SIZE);
        next += SIZE;
    }
}
