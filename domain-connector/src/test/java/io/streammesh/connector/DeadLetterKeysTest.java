package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.keys.FieldCipher;
import io.streammesh.keys.KeyLog;
import io.streammesh.keys.KeyLogUnavailable;
import io.streammesh.keys.KeyNotReady;
import io.streammesh.keys.LocalKms;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.keys.SubjectKeys;
import io.streammesh.schema.ProductAddress;
import io.streammesh.testing.MemoryKeyLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterKeysTest {

    private static final ProductAddress ADDRESS = ProductAddress.parse("shop.order-placed.v1");
    private static final byte[] VALUE = "a dead letter".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BOUND = FieldCipher.associatedData(ADDRESS.toString(), RecordEncryption.WHOLE_VALUE,
            RecordEncryption.deadLetterSubject(ADDRESS));

    @TempDir
    Path keks;
    private final MemoryKeyLog log = new MemoryKeyLog();
    /** Whether the key log refuses reads, or writes, as a broker that does not answer. */
    private boolean readsDown;
    private boolean writesDown;
    private long now = 1_000_000;
    private int writes;

    @Test
    void aKeyOnceHadIsGivenWhileItIsNotAtHand() throws Exception {
        DeadLetterKeys keys = keys();
        byte[] sealed = keys.of(ADDRESS).encrypt(VALUE, BOUND);
        now += SubjectKeys.REFRESH_MS;
        readsDown = true;

        assertThat(keys.of(ADDRESS).decrypt(sealed, BOUND)).isEqualTo(VALUE);
        assertThatThrownBy(() -> fresh().of(ADDRESS)).as("a gate that never had it").isInstanceOf(KeyNotReady.class);
    }

    /**
     * A product whose dead-letter key on the log gives none gets a fresh one, made on the worker:
     * never on the stream thread, where a key log or KMS that does not answer would fail the task
     * that holds partition N of every domain's ingest topic.
     */
    @Test
    void aKeyThatGivesNoneIsMadeAnewOnTheWorkerAndAFailureThereLeavesTheDeadLetterWaitingNotTheCaller() throws Exception {
        String subject = RecordEncryption.deadLetterSubject(ADDRESS);
        log.append(new MemoryKeyLog.Written("shop", subject, new byte[] {1, 0, 0, 0, 1, 42}));
        writesDown = true;
        var work = new ArrayDeque<Runnable>();
        DeadLetterKeys keys = keys(work::add);

        assertThatThrownBy(() -> keys.of(ADDRESS)).isInstanceOf(KeyNotReady.class);
        assertThat(writes).as("nothing written on the caller's thread").isZero();
        work.poll().run();
        int tried = writes;
        assertThat(tried).isOne();
        assertThatThrownBy(() -> keys.of(ADDRESS)).as("not tried again at once").isInstanceOf(KeyNotReady.class);
        assertThat(work).isEmpty();

        writesDown = false;
        now += DeadLetterKeys.REPLACE_RETRY_MS;
        assertThatThrownBy(() -> keys.of(ADDRESS)).isInstanceOf(KeyNotReady.class);
        work.poll().run();
        byte[] sealed = keys.of(ADDRESS).encrypt(VALUE, BOUND);

        assertThat(fresh().of(ADDRESS).decrypt(sealed, BOUND)).as("on the key log for every holder").isEqualTo(VALUE);
    }

    /** @return the dead-letter keys of a gate on this test's key log, its worker the caller's thread */
    private DeadLetterKeys keys() {
        return keys(Runnable::run);
    }

    /** @param worker where a fresh dead-letter key is made */
    private DeadLetterKeys keys(Executor worker) {
        var kms = new LocalKms(keks);
        KeyLog reader = log.reader();
        KeyLog failingWrites = new KeyLog() {
            @Override
            public void catchUp(String domain, Entry entries) {
                if (readsDown) {
                    throw new KeyLogUnavailable("cannot read mesh.keys." + domain + ": the broker does not answer", null);
                }
                reader.catchUp(domain, entries);
            }

            @Override
            public void write(String domain, String subject, byte[] value) {
                writes++;
                if (writesDown) {
                    throw new KeyLogUnavailable("cannot write mesh.keys." + domain + ": the broker does not answer", null);
                }
                reader.write(domain, subject, value);
            }

            @Override
            public void close() {
                reader.close();
            }
        };
        var subjectKeys = new SubjectKeys(failingWrites, kms, LocalKms::uri, kms::version, () -> now);
        return new DeadLetterKeys(new PreparedKeys(subjectKeys, Runnable::run), worker, () -> now);
    }

    /** @return another gate's, started after */
    private DeadLetterKeys fresh() {
        return keys();
    }
}
