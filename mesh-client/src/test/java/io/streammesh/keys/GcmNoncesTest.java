package io.streammesh.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GcmNoncesTest {

    @Test
    void noNonceIsDrawnTwiceAcrossBatchesAndThreads() {
        Set<ByteBuffer> seen = new HashSet<>();
        seen.addAll(draw(5_000));
        seen.addAll(CompletableFuture.supplyAsync(() -> draw(5_000)).join());

        assertThat(seen).hasSize(10_000).doesNotContain(ByteBuffer.wrap(new byte[GcmNonces.SIZE]));
    }

    @Test
    void aNonceIsWrittenWhereAskedAndNothingElseIs() {
        byte[] out = new byte[GcmNonces.SIZE + 4];
        out[0] = 7;
        out[out.length - 1] = 9;

        GcmNonces.writeNext(out, 2);

        assertThat(out[0]).isEqualTo((byte) 7);
        assertThat(out[1]).isZero();
        assertThat(Arrays.copyOfRange(out, 2, 2 + GcmNonces.SIZE)).as("the nonce").isNotEqualTo(new byte[GcmNonces.SIZE]);
        assertThat(out[out.length - 2]).isZero();
        assertThat(out[out.length - 1]).isEqualTo((byte) 9);
    }

    private static Set<ByteBuffer> draw(int count) {
        Set<ByteBuffer> nonces = new HashSet<>();
        for (int i = 0; i < count; i++) {
            byte[] nonce = new byte[GcmNonces.SIZE];
            GcmNonces.writeNext(nonce, 0);
            nonces.add(ByteBuffer.wrap(nonce));
        }
        return nonces;
    }
}
