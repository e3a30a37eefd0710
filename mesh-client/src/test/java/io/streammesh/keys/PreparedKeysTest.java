package io.streammesh.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.crypto.tink.KmsClient;
import io.streammesh.keys.SubjectKeysTest.MemoryKeyLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedKeysTest {

    private static final byte[] DATA = "ann@example.com".getBytes(UTF_8);
    private static final byte[] BOUND = "orders.order-placed.v1|customerEmail|c-1".getBytes(UTF_8);

    @TempDir
    Path dir;
    private final MemoryKeyLog log = new MemoryKeyLog();
    /** The worker's runs, run when the test says: the thread of its own, stepped by hand. */
    private final ArrayDeque<Runnable> worker = new ArrayDeque<>();
    private LocalKms kms;
    /** The keys' clock. */
    private long now = 1_000_000;
    private SubjectKeys keys;
    private PreparedKeys prepared;

    @BeforeEach
    void open() {
        kms = new LocalKms(dir.resolve("keks"));
        keys = new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now);
        prepared = new PreparedKeys(keys, worker::add);
    }

    @Test
    void aKeyNotAtHandIsAskedForAndReadyOnceTheWorkerRanWhileTheCallerNeverTouchesTheLog() throws Exception {
        assertThatThrownBy(() -> prepared.dataKey("orders", "c-1")).isInstanceOf(KeyNotReady.class);
        assertThatThrownBy(() -> prepared.dataKey("orders", "c-1")).as("asked once").isInstanceOf(KeyNotReady.class);
        assertThat(log.entries).as("nothing written on the caller's thread").isEmpty();
        assertThat(worker).hasSize(1);
        long before = prepared.prepared();

        worker.poll().run();

        assertThat(prepared.prepared()).isGreaterThan(before);
        assertThat(log.entries).hasSize(1);
        byte[] ciphertext = prepared.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        assertThat(keys.existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
        assertThat(worker).as("a key at hand asks for nothing").isEmpty();
    }

    @Test
    void domainsAreTakenInTurnSoThatADomainWithManyNewSubjectsWaitsForItsOwnKeysOnly() {
        List<String> many = IntStream.range(0, PreparedKeys.BATCH * 3).mapToObj(i -> "c-" + i).toList();
        many.forEach(subject -> assertThatThrownBy(() -> prepared.dataKey("flood", subject)).isInstanceOf(KeyNotReady.class));
        assertThatThrownBy(() -> prepared.dataKey("calm", "c-1")).isInstanceOf(KeyNotReady.class);

        worker.poll().run();

        List<String> domains = log.entries.stream().map(MemoryKeyLog.Written::domain).toList();
        assertThat(domains.indexOf("calm")).as("after one turn of the flooding domain").isEqualTo(PreparedKeys.BATCH);
        assertThat(log.entries).hasSize(many.size() + 1);
        assertThat(prepared.dataKey("calm", "c-1")).isNotNull();
        many.forEach(subject -> assertThat(prepared.dataKey("flood", subject)).isNotNull());
    }

    @Test
    void aDomainWhoseKeysAreSlowToMakeGetsShorterTurnsSoThatTheOthersWaitAboutATurnNotABatchOfItsRoundTrips() {
        // a KMS round trip of 5 ms, on the keys' clock
        KmsClient slow = new HookedKms(kms, unwrap -> now += 5);
        prepared = new PreparedKeys(new SubjectKeys(log.reader(), slow, LocalKms::uri, kms::version, () -> now), worker::add);
        List<String> subjects = IntStream.range(0, PreparedKeys.BATCH).mapToObj(i -> "c-" + i).toList();

        subjects.forEach(subject -> assertThatThrownBy(() -> prepared.dataKey("slow", subject)).isInstanceOf(KeyNotReady.class));
        worker.poll().run();

        assertThat(prepared.turnSize("slow")).as(PreparedKeys.BATCH + " keys of 5 ms each took longer than a turn should")
                .isEqualTo(PreparedKeys.BATCH / 2);
        subjects.forEach(subject -> assertThat(prepared.dataKey("slow", subject)).isNotNull());
    }

    @Test
    void aDomainInAnOutageIsPausedWithItsSubjectsKeptWhileAnotherDomainsKeysAreMadeReady() {
        log.unreadable.add("down");
        assertThatThrownBy(() -> prepared.dataKey("down", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();
        long before = prepared.prepared();

        assertThatThrownBy(() -> prepared.dataKey("down", "c-1")).as("no verdict: it waits").isInstanceOf(KeyNotReady.class);
        assertThatThrownBy(() -> prepared.dataKey("down", "c-2")).isInstanceOf(KeyNotReady.class);
        assertThat(worker).as("paused: no worker for it").isEmpty();
        assertThatThrownBy(() -> prepared.dataKey("up", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();
        assertThat(prepared.dataKey("up", "c-1")).isNotNull();
        assertThat(prepared.prepared()).isGreaterThan(before);

        log.unreadable.remove("down");
        now += PreparedKeys.PAUSE_MS;
        assertThatThrownBy(() -> prepared.dataKey("down", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();

        assertThat(prepared.dataKey("down", "c-1")).isNotNull();
        assertThat(prepared.dataKey("down", "c-2")).as("asked during the pause, kept").isNotNull();
    }

    @Test
    void aSubjectWhoseEntryGivesNoKeyIsSaidSoToTheCaller() {
        prepared = new PreparedKeys(keys, Runnable::run);
        prepared.dataKey("orders", "c-1");
        log.entries.add(new MemoryKeyLog.Written("orders", "c-2", log.entries.get(0).value()));
        var other = new PreparedKeys(new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now), Runnable::run);

        assertThatThrownBy(() -> other.dataKey("orders", "c-2")).isInstanceOf(SubjectKeys.UnusableKey.class);
        assertThat(other.dataKey("orders", "c-1")).isNotNull();
    }

    @Test
    void aReaderTakesTheKeysAtHandAndHasTheOthersReadAndUnwrappedByTheWorkerCreatingNone() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        var reader = PreparedKeys.reading(new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now), worker::add);

        assertThatThrownBy(() -> reader.subjectKey("orders", "c-1")).isInstanceOf(KeyNotReady.class);
        assertThat(worker).hasSize(1);
        worker.poll().run();

        assertThat(reader.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).contains(DATA);
        assertThat(reader.subjectKey("orders", "c-9")).as("no entry").isEqualTo(SubjectKey.NONE);
        assertThat(worker).as("at hand: nothing asked").isEmpty();
        assertThat(log.entries).as("a reader creates no key").hasSize(1);
    }

    @Test
    void aReadersAskForTheLatestKeyIsAnsweredOnlyByAReadThatStartedAfterItHoweverFreshTheLastRead() throws Exception {
        var reader = PreparedKeys.reading(new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now), worker::add);
        assertThatThrownBy(() -> reader.subjectKey("orders", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();
        assertThat(reader.subjectKey("orders", "c-1")).isEqualTo(SubjectKey.NONE);
        // written after the reader's read, within the same millisecond of its clock, and its record seen then
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        long seen = reader.readMark();

        assertThatThrownBy(() -> reader.latestSubjectKey("orders", "c-1", seen)).isInstanceOf(KeyNotReady.class);
        assertThatThrownBy(() -> reader.latestSubjectKey("orders", "c-1", seen)).as("asked once, still not read").isInstanceOf(KeyNotReady.class);
        assertThat(worker).hasSize(1);
        worker.poll().run();

        assertThat(reader.latestSubjectKey("orders", "c-1", seen).decrypt(ciphertext, BOUND)).contains(DATA);
        assertThat(reader.latestSubjectKey("orders", "c-1", seen).decrypt(ciphertext, BOUND)).as("asked again for the same record: "
                + "answered by the same read").contains(DATA);
        assertThat(worker).isEmpty();
    }

    @Test
    void aReaderDomainInAnOutageIsPausedAndAnotherDomainsKeysAreStillMadeReady() {
        keys.dataKey("up", "c-1");
        keys.dataKey("down", "c-1");
        var reader = PreparedKeys.reading(new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now), worker::add);
        log.unreadable.add("down");

        assertThatThrownBy(() -> reader.subjectKey("down", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();
        assertThatThrownBy(() -> reader.subjectKey("down", "c-1")).as("no verdict: it waits").isInstanceOf(KeyNotReady.class);
        assertThatThrownBy(() -> reader.subjectKey("up", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();
        assertThat(reader.subjectKey("up", "c-1").key()).isPresent();

        log.unreadable.remove("down");
        now += PreparedKeys.PAUSE_MS;
        assertThatThrownBy(() -> reader.subjectKey("down", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();
        assertThat(reader.subjectKey("down", "c-1").key()).isPresent();
    }

    @Test
    void aDomainWhoseLogTakesLongerThanTheRefreshToReadStillHasItsKeysAtHandAfterEachRead() throws Exception {
        byte[] ciphertext = keys.dataKey("slow", "c-1").encrypt(DATA, BOUND);
        var reader = PreparedKeys.reading(new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now), worker::add);
        log.duringNextRead = () -> now += SubjectKeys.REFRESH_MS;

        assertThatThrownBy(() -> reader.subjectKey("slow", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();

        assertThat(reader.subjectKey("slow", "c-1").decrypt(ciphertext, BOUND)).as("not asked for again and again").contains(DATA);
        var writer = new PreparedKeys(new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now), worker::add);
        log.duringNextRead = () -> now += SubjectKeys.REFRESH_MS;
        assertThatThrownBy(() -> writer.dataKey("slow", "c-1")).isInstanceOf(KeyNotReady.class);
        worker.poll().run();
        assertThat(writer.dataKey("slow", "c-1").decrypt(ciphertext, BOUND)).isEqualTo(DATA);
    }

    @Test
    void aDomainWhoseKeyLogHangsHoldsUpOneWorkerAndItsOwnLockOnlyWhileAnotherDomainsKeysAreMadeReady() throws Exception {
        keys.dataKey("up", "c-1");
        var hanging = new CountDownLatch(1);
        var reading = new CountDownLatch(1);
        var started = new AtomicInteger();
        Executor threads = PreparedKeys.thread();
        var reader = PreparedKeys.reading(new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now), work -> {
            started.incrementAndGet();
            threads.execute(work);
        });
        // the next read, the hanging domain's: its key topic does not answer until the test lets it
        log.duringNextRead = () -> {
            reading.countDown();
            try {
                hanging.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try {
            assertThatThrownBy(() -> reader.subjectKey("hangs", "c-1")).isInstanceOf(KeyNotReady.class);
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 2; i <= 10; i++) {
                String subject = "c-" + i;
                assertThatThrownBy(() -> reader.subjectKey("hangs", subject)).isInstanceOf(KeyNotReady.class);
            }
            assertThat(started).as("no worker for a domain in a turn already").hasValue(1);

            // asked for by the first call (whose own answer may already be the key: a worker thread may be that quick)
            await().atMost(Duration.ofSeconds(10)).ignoreException(KeyNotReady.class)
                    .until(() -> reader.subjectKey("up", "c-1").key().isPresent());
            assertThat(hanging.getCount()).as("the other domain's read still hangs").isOne();
        } finally {
            hanging.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).ignoreException(KeyNotReady.class)
                .until(() -> reader.subjectKey("hangs", "c-1") == SubjectKey.NONE);
    }
}
