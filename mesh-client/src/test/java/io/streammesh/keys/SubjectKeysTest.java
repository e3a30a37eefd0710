package io.streammesh.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubjectKeysTest {

    private static final byte[] DATA = "ann@example.com".getBytes(UTF_8);
    private static final byte[] BOUND = "orders.order-placed.v1|customerEmail|c-1".getBytes(UTF_8);

    @TempDir
    Path dir;
    private final MemoryKeyLog log = new MemoryKeyLog();
    private long now = 1_000_000;
    private LocalKms kms;
    private SubjectKeys keys;

    @BeforeEach
    void open() {
        kms = new LocalKms(dir.resolve("keks"));
        keys = keys();
    }

    @Test
    void aSubjectGetsOneDataKeyOnFirstUseWrappedOnTheDomainsKeyLog() throws Exception {
        Aead first = keys.dataKey("orders", "c-1");
        Aead again = keys.dataKey("orders", "c-1");

        assertThat(again.decrypt(first.encrypt(DATA, BOUND), BOUND)).isEqualTo(DATA);
        assertThat(log.entries).hasSize(1);
        assertThat(log.entries.get(0).domain()).isEqualTo("orders");
        assertThat(new String(log.entries.get(0).value(), UTF_8)).doesNotContain("AES");
        assertThat(KeyEntry.fromBytes(log.entries.get(0).value()).kekVersion()).isEqualTo(kms.version("orders"));
    }

    @Test
    void aKeyIsAtHandOnlyWhileHeldFromAFreshReadAndUnwrappedAndPreparingMakesNewSubjectsKeysAtHandWrittenTogether() throws Exception {
        assertThat(keys.atHand("orders", "c-1")).as("never created").isEmpty();
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        assertThat(keys.atHand("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
        now += SubjectKeys.REFRESH_MS;
        assertThat(keys.atHand("orders", "c-1")).as("held from a read that is not fresh: an erasure may have come since").isEmpty();

        assertThat(keys.prepare("orders", List.of("c-1", "c-2", "c-3"))).isEmpty();

        assertThat(keys.atHand("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).as("the key it had").isEqualTo(DATA);
        assertThat(log.entries).extracting(MemoryKeyLog.Written::subject).containsExactly("c-1", "c-2", "c-3");
        SubjectKeys other = keys();
        for (String subject : List.of("c-2", "c-3")) {
            byte[] encrypted = keys.atHand("orders", subject).orElseThrow().encrypt(DATA, BOUND);
            assertThat(other.existing("orders", subject).orElseThrow().decrypt(encrypted, BOUND)).as(subject).isEqualTo(DATA);
            assertThat(other.atHand("orders", subject)).as("another holder has them wrapped until used").isPresent();
        }
    }

    @Test
    void aSubjectWhoseEntryGivesNoKeyIsSaidSoWhenPreparedAndWhenItsKeyIsAskedAtHand() {
        keys.dataKey("orders", "c-1");
        log.entries.add(new MemoryKeyLog.Written("orders", "c-3", log.entries.get(0).value()));
        now += SubjectKeys.REFRESH_MS;

        assertThat(keys.prepare("orders", List.of("c-3", "c-1"))).containsOnlyKeys("c-3");

        assertThatThrownBy(() -> keys.atHand("orders", "c-3")).isInstanceOf(SubjectKeys.UnusableKey.class);
        assertThat(keys.atHand("orders", "c-1")).isPresent();
        assertThat(log.entries).as("no key written over it").hasSize(2);
    }

    @Test
    void anotherHolderReadsTheSameKeyFromTheLog() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);

        assertThat(keys().existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
        assertThat(keys().existing("orders", "c-2")).isEmpty();
    }

    @Test
    void aKeyWrittenByAnotherHolderSinceTheLastRefreshIsFoundAtOnceNotTakenForAnErasure() throws Exception {
        SubjectKeys reader = keys();
        assertThat(reader.existing("orders", "c-1")).isEmpty();

        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);

        assertThat(reader.existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
    }

    @Test
    void aSubjectsDerivedSecretIsTheSameForEveryHolderItsOwnPerContextAndGoneWithItsErasure() {
        keys.dataKey("orders", "c-1");
        keys.dataKey("orders", "c-2");
        SubjectKeys other = keys();

        byte[] secret = other.subjectKey("orders", "c-1").derivedSecret(BOUND).orElseThrow();
        assertThat(secret).hasSize(32).isEqualTo(keys.subjectKey("orders", "c-1").derivedSecret(BOUND).orElseThrow());
        assertThat(other.subjectKey("orders", "c-2").derivedSecret(BOUND).orElseThrow()).isNotEqualTo(secret);
        assertThat(other.subjectKey("orders", "c-1").derivedSecret(DATA).orElseThrow()).isNotEqualTo(secret);

        keys.erase("orders", "c-1");
        now += SubjectKeys.REFRESH_MS;
        assertThat(other.subjectKey("orders", "c-1").derivedSecret(BOUND)).isEmpty();
        assertThat(other.subjectKey("orders", "c-2").derivedSecret(BOUND)).isPresent();
    }

    @Test
    void ciphertextBoundToOneRecordDoesNotDecryptAsAnothersOrWithAnotherSubjectsKey() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        byte[] movedTo = "orders.order-placed.v1|shippingAddress|c-1".getBytes(UTF_8);

        assertThatThrownBy(() -> keys.dataKey("orders", "c-1").decrypt(ciphertext, movedTo)).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> keys.dataKey("orders", "c-2").decrypt(ciphertext, BOUND)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void aWrappedKeyCopiedToAnotherSubjectDoesNotUnwrapAndCostsThatSubjectAlone() {
        keys.dataKey("orders", "c-1");
        log.entries.add(new MemoryKeyLog.Written("orders", "c-2", log.entries.get(0).value()));
        SubjectKeys reader = keys();

        assertThatThrownBy(() -> reader.existing("orders", "c-2"))
                .hasMessageStartingWith("the data key of subject c-2 on mesh.keys.orders is unusable: it does not unwrap with KEK version");
        assertThat(reader.existing("orders", "c-1")).isPresent();
    }

    @Test
    void anErasedSubjectHasNoKeyAnywhereAndALaterRecordGetsAFreshOne() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        SubjectKeys otherHolder = keys();
        otherHolder.dataKey("orders", "c-1");

        keys.erase("orders", "c-1");
        now += SubjectKeys.REFRESH_MS;

        KeyEntry erasure = KeyEntry.fromBytes(log.entries.get(1).value());
        assertThat(erasure.erased()).as("an erasure, no key").isTrue();
        assertThat(erasure.erasedKeyIds()).containsExactly(keyId(ciphertext));
        assertThat(otherHolder.existing("orders", "c-1")).as("every holder drops it").isEmpty();
        assertThat(otherHolder.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).isEmpty();
        assertThatThrownBy(() -> keys.dataKey("orders", "c-1").decrypt(ciphertext, BOUND)).isInstanceOf(GeneralSecurityException.class);
        assertThat(log.entries).hasSize(3);
        assertThat(KeyEntry.fromBytes(log.entries.get(2).value()).erasedKeyIds()).as("the fresh key's entry keeps the erased id")
                .containsExactly(keyId(ciphertext));
    }

    @Test
    void whatAnErasedKeyEncryptedReadsAsErasedAfterAFreshKeyForEveryHolderEvenAfterCompactionWhileAForgeryStillFails() throws Exception {
        byte[] before = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        byte[] otherSubjects = keys.dataKey("orders", "c-2").encrypt(DATA, BOUND);
        keys.erase("orders", "c-1");
        byte[] after = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        keys.erase("orders", "c-1");
        byte[] third = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        now += SubjectKeys.REFRESH_MS;

        var compacted = new MemoryKeyLog();
        compacted.entries.add(log.entries.get(log.entries.size() - 1));
        for (SubjectKeys holder : List.of(keys, keys(), new SubjectKeys(compacted.reader(), kms, LocalKms::uri, kms::version, () -> now))) {
            SubjectKey key = holder.subjectKey("orders", "c-1");
            assertThat(key.decrypt(before, BOUND)).as("the first key's record").isEmpty();
            assertThat(key.decrypt(after, BOUND)).as("the second key's record").isEmpty();
            assertThat(key.decrypt(third, BOUND)).hasValue(DATA);
            assertThatThrownBy(() -> key.decrypt(otherSubjects, BOUND)).as("another subject's ciphertext").isInstanceOf(GeneralSecurityException.class);
        }
    }

    @Test
    void aDomainsManyErasuresAreWrittenTogetherAndASubjectErasedBeforeGetsNoSecondErasure() throws Exception {
        keys.dataKey("orders", "c-1");
        keys.dataKey("orders", "c-2");
        keys.erase("orders", "c-1");
        int before = log.entries.size();
        int batchesBefore = log.batches;

        int written = keys.eraseAll("orders", List.of("c-1", "c-2", "c-never", "c-2"));

        assertThat(written).as("c-1 was erased before, c-2 is asked twice").isEqualTo(2);
        assertThat(log.entries.subList(before, log.entries.size())).extracting(MemoryKeyLog.Written::subject).containsExactly("c-2", "c-never");
        assertThat(log.batches - batchesBefore).as("one write for the batch").isEqualTo(1);
        assertThat(keys.existing("orders", "c-2")).isEmpty();
        assertThat(keys.eraseAll("orders", List.of("c-2"))).as("erased already").isZero();
    }

    /**
     * A caller asking for subjects the log does not have (a key service's caller naming random
     * ids) makes the holder read the log: meanwhile, other subjects' keys held from a fresh read
     * are handed out without waiting for that read. So while an erasure reads the log.
     */
    @Test
    void aReadForASubjectNeverSeenOrForAnErasureHoldsNoOtherSubjectsKeyBack() throws Exception {
        keys.dataKey("orders", "c-1");
        keys.dataKey("orders", "c-2");
        for (Runnable reading : List.<Runnable>of(() -> keys.servedKey("orders", "c-never"), () -> keys.erase("orders", "c-2"))) {
            var inRead = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            log.duringNextRead = () -> {
                inRead.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            var slow = CompletableFuture.runAsync(reading);
            assertThat(inRead.await(10, TimeUnit.SECONDS)).isTrue();
            try {
                assertThat(CompletableFuture.supplyAsync(() -> keys.servedKey("orders", "c-1")).get(10, TimeUnit.SECONDS)).isPresent();
            } finally {
                release.countDown();
            }
            slow.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anErasureErasesTheKeyBeforeItOnTheLogEvenOneItDoesNotName() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        log.entries.add(new MemoryKeyLog.Written("orders", "c-1", KeyEntry.erasure(Set.of()).toBytes()));

        SubjectKeys holder = keys();
        assertThat(holder.existing("orders", "c-1")).isEmpty();
        holder.dataKey("orders", "c-1");

        assertThat(holder.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).isEmpty();
        assertThat(KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value()).erasedKeyIds()).containsExactly(keyId(ciphertext));
    }

    @Test
    void entriesWrittenBeforeErasedIdsWereKeptStillReadAKeyAndATombstoneStillErases() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        KeyEntry entry = KeyEntry.fromBytes(log.entries.get(0).value());
        var legacy = new MemoryKeyLog();
        legacy.entries.add(new MemoryKeyLog.Written("orders", "c-1",
                ByteBuffer.allocate(5 + entry.wrapped().length).put((byte) 1).putInt(entry.kekVersion()).put(entry.wrapped()).array()));
        var holder = new SubjectKeys(legacy.reader(), kms, LocalKms::uri, kms::version, () -> now);

        assertThat(holder.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).hasValue(DATA);
        legacy.entries.add(new MemoryKeyLog.Written("orders", "c-1", null));
        now += SubjectKeys.REFRESH_MS;
        assertThat(holder.subjectKey("orders", "c-1").key()).isEmpty();
        holder.dataKey("orders", "c-1");
        assertThat(holder.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).as("the tombstoned key's record after a fresh key").isEmpty();
    }

    @Test
    void aKeyEntryOfASubjectWithoutErasedKeysIsWrittenAsHoldersFromBeforeErasedIdsReadIt() {
        keys.dataKey("orders", "c-1");

        assertThat(log.entries.get(0).value()[0]).isEqualTo((byte) 1);
    }

    @Test
    void anErasureWrittenWhileAnotherHolderCreatedAKeyIsWrittenAgainNamingItSoCompactionKeepsIt() throws Exception {
        SubjectKeys gate = keys();
        gate.existing("orders", "c-0");
        keys.existing("orders", "c-0");
        byte[][] created = new byte[1][];
        // the gate creates c-1's key between the eraser's read of the log and its write
        log.beforeNextWrite = () -> created[0] = encrypt(gate.dataKey("orders", "c-1"));

        keys.erase("orders", "c-1");
        now += SubjectKeys.REFRESH_MS;

        KeyEntry last = KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value());
        assertThat(last.erased()).isTrue();
        assertThat(last.erasedKeyIds()).containsExactly(keyId(created[0]));
        assertThat(onlyTheLastEntry().subjectKey("orders", "c-1").key()).isEmpty();
        SubjectKeys compacted = onlyTheLastEntry();
        compacted.dataKey("orders", "c-1");
        assertThat(compacted.subjectKey("orders", "c-1").decrypt(created[0], BOUND)).as("the key erased unnamed, after compaction").isEmpty();
    }

    @Test
    void aKeyCreatedByAHolderThatHadNotReadAnErasureKeepsTheErasedIdsInTheEntryCompactionKeeps() throws Exception {
        SubjectKeys stale = keys();
        stale.existing("orders", "c-0");
        byte[] erased = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        keys.erase("orders", "c-1");

        stale.dataKey("orders", "c-1");

        assertThat(KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value()).erasedKeyIds()).containsExactly(keyId(erased));
        SubjectKeys compacted = onlyTheLastEntry();
        assertThat(compacted.subjectKey("orders", "c-1").decrypt(erased, BOUND)).isEmpty();
    }

    @Test
    void anErasedKeyWrappedAgainByARewrapThatHadNotReadTheErasureStaysErasedAndTheErasureIsWrittenLast() throws Exception {
        byte[] erased = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        SubjectKeys eraser = keys();
        eraser.existing("orders", "c-1");
        kms.rotate("orders");
        // the erasure lands between the rewrap's read and its write
        log.beforeNextWrite = () -> eraser.erase("orders", "c-1");

        keys.rewrap("orders");
        now += SubjectKeys.REFRESH_MS;

        assertThat(KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value()).erased()).isTrue();
        for (SubjectKeys holder : List.of(keys, keys(), onlyTheLastEntry())) {
            assertThat(holder.existing("orders", "c-1")).isEmpty();
            assertThat(holder.subjectKey("orders", "c-1").decrypt(erased, BOUND)).isEmpty();
        }
    }

    @Test
    void anErasedKeyLeftLastOnTheLogByAWriterThatStoppedIsWrittenAgainAsErasedByTheNextWritingHolderNeverByAReader() throws Exception {
        byte[] erased = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        byte[] key = log.entries.get(0).value();
        keys.erase("orders", "c-1");
        // a rewrap that had not read the erasure wrote the key again, and stopped before it settled its entry
        log.entries.add(new MemoryKeyLog.Written("orders", "c-1", key));
        int written = log.entries.size();

        SubjectKeys reader = new SubjectKeys(readOnly(log.reader()), kms, LocalKms::uri, kms::version, () -> now);
        assertThat(reader.subjectKey("orders", "c-1").decrypt(erased, BOUND)).isEmpty();
        assertThat(log.entries).as("a reader writes nothing").hasSize(written);

        SubjectKeys writer = keys();
        assertThat(writer.existing("orders", "c-1")).isEmpty();
        KeyEntry last = KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value());
        assertThat(last.erased()).as("the erasure written again, last").isTrue();
        assertThat(last.erasedKeyIds()).containsExactly(keyId(erased));
        assertThat(onlyTheLastEntry().existing("orders", "c-1")).as("after compaction").isEmpty();
    }

    @Test
    void aSubjectErasedRightAfterItsNewKeyWasWrittenGetsAnotherFreshKeyForTheRecordBeingEncrypted() throws Exception {
        SubjectKeys eraser = keys();
        eraser.existing("orders", "c-0");
        log.afterNextWrite = () -> eraser.erase("orders", "c-1");

        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        now += SubjectKeys.REFRESH_MS;

        KeyEntry last = KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value());
        assertThat(last.erased()).isFalse();
        assertThat(last.erasedKeyIds()).as("the key erased as it was created").hasSize(1).doesNotContain(keyId(ciphertext));
        for (SubjectKeys holder : List.of(keys(), onlyTheLastEntry())) {
            assertThat(holder.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).hasValue(DATA);
        }
    }

    @Test
    void aCiphertextOfAKeyTheHolderDoesNotKnowAsksForTheLatestAndOneOfTheCurrentKeyThatDoesNotOpenIsAForgery() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        byte[] otherSubjects = keys.dataKey("orders", "c-2").encrypt(DATA, BOUND);
        SubjectKey key = keys.subjectKey("orders", "c-1");

        assertThatThrownBy(() -> key.decrypt(otherSubjects, BOUND)).isInstanceOf(SubjectKey.UnknownKey.class);
        assertThatThrownBy(() -> key.decrypt(ciphertext, "elsewhere".getBytes(UTF_8))).isInstanceOf(GeneralSecurityException.class)
                .isNotInstanceOf(SubjectKey.UnknownKey.class);
        assertThatThrownBy(() -> SubjectKey.erased(Set.of(keyId(otherSubjects))).decrypt(ciphertext, BOUND))
                .as("an erased subject's ciphertext of a key it does not name: maybe its fresh key").isInstanceOf(SubjectKey.UnknownKey.class);
        assertThat(SubjectKey.NONE.decrypt(ciphertext, BOUND)).as("a subject never seen reads as erased").isEmpty();
    }

    @Test
    void aKeyEntryThatIsNotOneIsRefusedWithItsReason() {
        assertThatThrownBy(() -> KeyEntry.fromBytes(new byte[] {9})).hasMessage("not a data key entry (format 9)");
        assertThatThrownBy(() -> KeyEntry.fromBytes(new byte[] {2, 0, 0, 0, 7})).hasMessage("not a data key entry (7 erased key ids)");
        assertThatThrownBy(() -> KeyEntry.fromBytes(new byte[] {2, 0, 0, 0, 0, 1})).hasMessage("not a data key entry (cut short)");
        assertThatThrownBy(() -> KeyEntry.fromBytes(new byte[] {2, -1, -1, -1, -1})).hasMessage("not a data key entry (-1 erased key ids)");
        assertThatThrownBy(() -> KeyEntry.fromBytes(new byte[] {3, 0, 0, 0, 0, 7})).hasMessage("not a data key entry (1 bytes after an erasure)");
        assertThatThrownBy(() -> KeyEntry.fromBytes(new byte[] {1, 0, 0, 0, 1})).hasMessage("not a data key entry (no wrapped key)");
    }

    @Test
    void twoHoldersCreatingASubjectsKeyAtOnceBothUseTheFirstOnTheLogAndWriteItLastForCompactionToKeep() throws Exception {
        SubjectKeys otherGate = keys();
        otherGate.existing("orders", "c-0");
        byte[] byFirst = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);

        byte[] byOther = otherGate.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        now += SubjectKeys.REFRESH_MS;

        assertThat(log.entries).as("the first key, the other's rival, the first written again").hasSize(3);
        assertThat(keys.dataKey("orders", "c-1").decrypt(byOther, BOUND)).as("the rival never replaces a key in use").isEqualTo(DATA);
        var compacted = new MemoryKeyLog();
        compacted.entries.add(log.entries.get(2));
        var afterCompaction = new SubjectKeys(compacted.reader(), kms, LocalKms::uri, kms::version, () -> now);
        Aead kept = afterCompaction.existing("orders", "c-1").orElseThrow();
        assertThat(kept.decrypt(byFirst, BOUND)).isEqualTo(DATA);
        assertThat(kept.decrypt(byOther, BOUND)).isEqualTo(DATA);
    }

    @Test
    void aHolderThatReadsARivalEntryAfterTheFirstKeepsTheFirst() throws Exception {
        byte[] byFirst = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        var elsewhere = new MemoryKeyLog();
        new SubjectKeys(elsewhere.reader(), kms, LocalKms::uri, kms::version, () -> now).dataKey("orders", "c-1");
        log.entries.add(elsewhere.entries.get(0));

        assertThat(keys().existing("orders", "c-1").orElseThrow().decrypt(byFirst, BOUND)).isEqualTo(DATA);
    }

    @Test
    void aRotatedKekWrapsEveryDataKeyAgainAndOldDataStaysReadable() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        keys.dataKey("orders", "c-2");
        int before = kms.version("orders");

        int after = kms.rotate("orders");
        assertThat(keys.rewrap("orders")).isEqualTo(2);

        assertThat(after).isNotEqualTo(before);
        assertThat(log.entries.subList(2, 4)).allSatisfy(e -> assertThat(KeyEntry.fromBytes(e.value()).kekVersion()).isEqualTo(after));
        assertThat(keys().existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
    }

    @Test
    void aRewrappedKeyKeepsTheIdsOfTheSubjectsErasedKeys() throws Exception {
        byte[] erased = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        keys.erase("orders", "c-1");
        keys.dataKey("orders", "c-1");

        kms.rotate("orders");
        keys.rewrap("orders");

        assertThat(KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value()).erasedKeyIds()).containsExactly(keyId(erased));
        assertThat(keys().subjectKey("orders", "c-1").decrypt(erased, BOUND)).isEmpty();
    }

    @Test
    void aKekRotatedByAnotherProcessIsUsedAtTheNextUseNotTheOneKeptInMemory() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        int before = kms.version("orders");

        int after = new LocalKms(dir.resolve("keks")).rotate("orders");
        keys.rewrap("orders");

        assertThat(after).isNotEqualTo(before);
        assertThat(kms.version("orders")).isEqualTo(after);
        assertThat(KeyEntry.fromBytes(log.entries.get(log.entries.size() - 1).value()).kekVersion()).isEqualTo(after);
        assertThat(keys().existing("orders", "c-1").orElseThrow().decrypt(ciphertext, BOUND)).isEqualTo(DATA);
    }

    @Test
    void aHolderRefreshingInBackgroundLetsAnErasedKeyGoWithoutReadingOnItsUse() {
        keys.dataKey("orders", "c-1");
        try (SubjectKeys holder = keys().refreshingInBackground()) {
            assertThat(holder.existing("orders", "c-1")).isPresent();

            keys.erase("orders", "c-1");

            // the clock stands still: only the background read can have seen the erasure
            await().atMost(Duration.ofMinutes(1)).until(() -> holder.existing("orders", "c-1").isEmpty());
        }
    }

    @Test
    void aHolderRefreshingInBackgroundReadsEveryDomainsLog() {
        List<String> domains = List.of("orders", "payments", "shipping");
        domains.forEach(domain -> keys.dataKey(domain, "c-1"));
        try (SubjectKeys holder = keys().refreshingInBackground()) {
            domains.forEach(domain -> assertThat(holder.existing(domain, "c-1")).isPresent());

            domains.forEach(domain -> keys.erase(domain, "c-1"));

            // the clock stands still: only the background reads can have seen the erasures, one domain's log at a time
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> domains.forEach(domain ->
                    assertThat(holder.existing(domain, "c-1")).as(domain).isEmpty()));
        }
    }

    @Test
    void aDomainWhoseKeyLogCannotBeReadNeitherCountsAsReadNorStopsTheBackgroundReadsOfTheOthers() {
        log.unreadable.add("gone");
        keys.dataKey("orders", "c-1");
        try (SubjectKeys holder = keys().refreshingInBackground()) {
            assertThatThrownBy(() -> holder.existing("gone", "c-9")).isInstanceOf(KeyLogUnavailable.class);
            assertThat(holder.existing("orders", "c-1")).isPresent();

            keys.erase("orders", "c-1");

            await().atMost(Duration.ofMinutes(1)).until(() -> holder.existing("orders", "c-1").isEmpty());
        }
    }

    @Test
    void aDomainWhoseKeyLogFailsIsLeftAWhileByTheBackgroundReadsSoThatOneThatHangsCostsTheOthersOneWaitThatOften() throws Exception {
        keys.dataKey("flaky", "c-1");
        keys.dataKey("steady", "c-1");
        try (SubjectKeys holder = keys().refreshingInBackground()) {
            assertThat(holder.existing("flaky", "c-1")).isPresent();
            assertThat(holder.existing("steady", "c-1")).isPresent();
            log.unreadable.add("flaky");
            int flaky = log.readsOf.get("flaky").get();
            int steady = log.readsOf.get("steady").get();

            // the clock stands still: five rounds of the background reads, which read the other domain's log each time
            await().atMost(Duration.ofMinutes(1)).until(() -> log.readsOf.get("steady").get() >= steady + 5);

            assertThat(log.readsOf.get("flaky").get() - flaky).as("tried once, then left").isOne();
        }
    }

    @Test
    void theLocalKekIsAnOwnerOnlyFilePerDomain() throws Exception {
        keys.dataKey("orders", "c-1");

        Path kek = dir.resolve("keks/orders.kek.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kek))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kek.getParent()))).isEqualTo("rwx------");
        assertThat(kms.doesSupport(LocalKms.uri("orders"))).isTrue();
        assertThat(kms.doesSupport("aws-kms://arn:aws:kms:eu-west-1:1:key/x")).isFalse();
    }

    @Test
    void aDomainsFirstKekMadeByTwoHoldersAtOnceIsTheFirstOnesForBoth() throws Exception {
        Aead first = kms.getAead(LocalKms.uri("orders"));
        byte[] wrapped = first.encrypt(DATA, BOUND);
        var other = new LocalKms(dir.resolve("keks"));

        // the other holder found no file a moment ago, and makes the domain's first KEK too
        other.create("orders", KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM));

        assertThat(other.getAead(LocalKms.uri("orders")).decrypt(wrapped, BOUND)).as("the first KEK stays").isEqualTo(DATA);
        assertThat(kms.getAead(LocalKms.uri("orders")).decrypt(wrapped, BOUND)).isEqualTo(DATA);
        try (var files = Files.list(dir.resolve("keks"))) {
            assertThat(files.map(file -> file.getFileName().toString())).as("no key left behind").containsExactly("orders.kek.json");
        }
    }

    /** A key log that refuses writes, as the policy-enforcer's. */
    private static KeyLog readOnly(KeyLog log) {
        return new KeyLog() {
            @Override
            public void catchUp(String domain, Entry entries) {
                log.catchUp(domain, entries);
            }

            @Override
            public void write(String domain, String subject, byte[] value) {
                throw new AssertionError("a reader wrote");
            }

            @Override
            public boolean writes() {
                return false;
            }

            @Override
            public void close() {
            }
        };
    }

    /** A holder of the log as compaction leaves it: each subject's last entry. */
    private SubjectKeys onlyTheLastEntry() {
        var compacted = new MemoryKeyLog();
        Map<String, MemoryKeyLog.Written> last = new LinkedHashMap<>();
        log.entries.forEach(entry -> last.put(entry.domain() + "|" + entry.subject(), entry));
        compacted.entries.addAll(last.values());
        return new SubjectKeys(compacted.reader(), kms, LocalKms::uri, kms::version, () -> now);
    }

    private static byte[] encrypt(Aead key) {
        try {
            return key.encrypt(DATA, BOUND);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id of the key that wrote a ciphertext: Tink's prefix, a start byte and the id. */
    private static int keyId(byte[] ciphertext) {
        return ByteBuffer.wrap(ciphertext, 1, 4).getInt();
    }

    @Test
    void aHolderKeepsAtMostItsBoundOfKeysUnwrappedWhileEveryKeyStillEncryptsAndDecrypts() throws Exception {
        SubjectKeys writer = keys(3);
        Map<String, byte[]> ciphertexts = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            ciphertexts.put("c-" + i, writer.dataKey("orders", "c-" + i).encrypt(DATA, bound("c-" + i)));
        }
        SubjectKeys reader = keys(3);

        for (var ciphertext : ciphertexts.entrySet()) {
            byte[] bound = bound(ciphertext.getKey());
            assertThat(reader.subjectKey("orders", ciphertext.getKey()).decrypt(ciphertext.getValue(), bound)).contains(DATA);
            assertThat(writer.dataKey("orders", ciphertext.getKey()).decrypt(ciphertext.getValue(), bound)).isEqualTo(DATA);
        }
        assertThat(writer.unwrappedKeys()).isLessThanOrEqualTo(3);
        assertThat(reader.unwrappedKeys()).isLessThanOrEqualTo(3);
        assertThat(log.entries).hasSize(30);
    }

    @Test
    void readingAKeyLogUnwrapsAndKeepsUnwrappedOnlyTheKeysUsed() {
        for (int i = 0; i < 30; i++) {
            keys.dataKey("orders", "c-" + i);
        }
        AtomicInteger unwraps = new AtomicInteger();
        SubjectKeys reader = new SubjectKeys(log.reader(), countingUnwraps(unwraps), LocalKms::uri, kms::version, () -> now);

        assertThat(reader.existing("orders", "c-7")).isPresent();
        assertThat(reader.existing("orders", "c-8")).isPresent();

        assertThat(unwraps).hasValue(2);
        assertThat(reader.unwrappedKeys()).isEqualTo(2);
    }

    /** The local KMS, counting the KEK's decryptions (one per data key unwrapped), and failing every use while {@code down}. */
    private KmsClient countingUnwraps(AtomicInteger unwraps, AtomicBoolean down) {
        return countingUnwraps(unwraps, down, new AtomicReference<>());
    }

    /** As above, running {@code duringNextUnwrap} (once) while the next data key is unwrapped. */
    private KmsClient countingUnwraps(AtomicInteger unwraps, AtomicBoolean down, AtomicReference<Runnable> duringNextUnwrap) {
        KmsClient answering = new HookedKms(kms, unwrap -> {
            if (unwrap) {
                unwraps.incrementAndGet();
                Runnable during = duringNextUnwrap.getAndSet(null);
                if (during != null) {
                    during.run();
                }
            }
        });
        return new HookedKms(answering, unwrap -> {
            if (down.get()) {
                throw new GeneralSecurityException("the KMS does not answer");
            }
        });
    }

    private KmsClient countingUnwraps(AtomicInteger unwraps) {
        return countingUnwraps(unwraps, new AtomicBoolean());
    }

    @Test
    void aKeyThatUnwrappedBeforeMeetsAKmsThatFailsNowAsAnOutageAndWorksOnceItAnswers() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        keys.dataKey("orders", "c-2");
        AtomicBoolean down = new AtomicBoolean();
        // a holder that keeps no key unwrapped: each use unwraps again
        SubjectKeys reader = new SubjectKeys(log.reader(), countingUnwraps(new AtomicInteger(), down), LocalKms::uri, kms::version,
                () -> now, 0);
        assertThat(reader.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).contains(DATA);
        assertThat(reader.unwrappedKeys()).isZero();

        down.set(true);
        assertThatThrownBy(() -> reader.subjectKey("orders", "c-1")).isInstanceOf(KeyLogUnavailable.class)
                .hasMessageContaining("cannot unwrap a data key of domain orders now, though it unwrapped before");
        down.set(false);
        assertThatThrownBy(() -> reader.subjectKey("orders", "c-1")).as("the KMS not asked again at once").isInstanceOf(KeyLogUnavailable.class);
        now += SubjectKeys.UNWRAP_RETRY_MS;

        assertThat(reader.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).contains(DATA);
    }

    @Test
    void anEntryWhoseFirstUnwrapFailsIsUnusableForGoodWithoutAskingTheKmsAgain() {
        keys.dataKey("orders", "c-1");
        byte[] entry = log.entries.get(0).value();
        // the wrapped keyset's ciphertext no longer matches its tag (past the format byte, the KEK version and the field's tag and length)
        entry[20] ^= 1;
        AtomicInteger unwraps = new AtomicInteger();
        SubjectKeys holder = new SubjectKeys(log.reader(), countingUnwraps(unwraps), LocalKms::uri, kms::version, () -> now);

        assertThatThrownBy(() -> holder.existing("orders", "c-1")).isInstanceOf(SubjectKeys.UnusableKey.class)
                .hasMessageContaining("the data key of subject c-1 on mesh.keys.orders is unusable");
        assertThatThrownBy(() -> holder.subjectKey("orders", "c-1")).isInstanceOf(SubjectKeys.UnusableKey.class);
        assertThatThrownBy(() -> holder.dataKey("orders", "c-1")).isInstanceOf(SubjectKeys.UnusableKey.class);

        assertThat(unwraps).hasValue(1);
    }

    @Test
    void aKeyWrappedAgainIsReadAsTheSameKeyUnwrappingOnlyTheNewEntryAndKeepingNothingNew() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        for (int i = 2; i <= 10; i++) {
            keys.dataKey("orders", "c-" + i);
        }
        AtomicInteger unwraps = new AtomicInteger();
        SubjectKeys holder = new SubjectKeys(log.reader(), countingUnwraps(unwraps), LocalKms::uri, kms::version, () -> now);
        assertThat(holder.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).contains(DATA);
        kms.rotate("orders");
        assertThat(keys.rewrap("orders")).isEqualTo(10);
        int entries = log.entries.size();
        unwraps.set(0);
        now += SubjectKeys.REFRESH_MS;

        assertThat(holder.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).contains(DATA);

        // c-1, the key in use, is known by its fingerprint: its new entry alone is unwrapped, and so is each
        // other subject's new entry and the old one it replaces, never judged before; none of them is kept
        assertThat(unwraps).hasValue(1 + 2 * 9);
        assertThat(holder.unwrappedKeys()).isEqualTo(1);
        // the holder read every new entry as the key it held: nothing to write again
        assertThat(log.entries).hasSize(entries);
    }

    @Test
    void anErasedSubjectsKeyIsNoLongerKeptUnwrappedByAnyHolder() throws Exception {
        byte[] ciphertext = keys.dataKey("orders", "c-1").encrypt(DATA, BOUND);
        keys.dataKey("orders", "c-2");
        SubjectKeys reader = keys();
        assertThat(reader.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).contains(DATA);
        assertThat(keys.unwrappedKeys()).isEqualTo(2);
        assertThat(reader.unwrappedKeys()).isEqualTo(1);

        keys.erase("orders", "c-1");
        now += SubjectKeys.REFRESH_MS;

        assertThat(keys.unwrappedKeys()).isEqualTo(1);
        assertThat(reader.subjectKey("orders", "c-1").decrypt(ciphertext, BOUND)).isEmpty();
        assertThat(reader.unwrappedKeys()).isZero();
    }

    @Test
    void aKeyUnwrappedForAUseWhileItsSubjectIsErasedServesThatUseAndIsNotKept() throws Exception {
        keys.dataKey("orders", "c-1");
        keys.dataKey("orders", "c-2");
        AtomicReference<Runnable> duringNextUnwrap = new AtomicReference<>();
        SubjectKeys holder = new SubjectKeys(log.reader(), countingUnwraps(new AtomicInteger(), new AtomicBoolean(), duringNextUnwrap),
                LocalKms::uri, kms::version, () -> now);
        // a read of the log just now: c-1's entry is handed out without the lock, and unwrapped for the use
        assertThat(holder.existing("orders", "c-2")).isPresent();
        duringNextUnwrap.set(() -> holder.erase("orders", "c-1"));

        Aead used = holder.dataKey("orders", "c-1");

        byte[] ciphertext = used.encrypt(DATA, BOUND);
        assertThat(used.decrypt(ciphertext, BOUND)).isEqualTo(DATA);
        assertThat(holder.existing("orders", "c-1")).isEmpty();
        // only c-2's key: the erased one, unwrapped for the use that raced with the erasure, is gone
        assertThat(holder.unwrappedKeys()).isEqualTo(1);
    }

    private static byte[] bound(String subject) {
        return ("orders.order-placed.v1|customerEmail|" + subject).getBytes(UTF_8);
    }

    private SubjectKeys keys(int unwrappedKeys) {
        return new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now, unwrappedKeys);
    }

    private SubjectKeys keys() {
        return new SubjectKeys(log.reader(), kms, LocalKms::uri, kms::version, () -> now);
    }

    /** Every holder reads the same list of entries, each from where it stopped. */
    static final class MemoryKeyLog {
        record Written(String domain, String subject, byte[] value) {
        }

        /** Written by one holder, read by another's background refresh. */
        final List<Written> entries = new CopyOnWriteArrayList<>();
        /** Domains whose log cannot be read (a deleted key topic, a missing ACL). */
        final Set<String> unreadable = ConcurrentHashMap.newKeySet();
        /** Run once before the next write reaches the log: another holder's write landing first. */
        volatile Runnable beforeNextWrite;
        /** Run once after the next write reached the log: another holder's write landing right after it. */
        volatile Runnable afterNextWrite;
        /** How many times each domain's log was read (or tried). */
        final Map<String, AtomicInteger> readsOf = new ConcurrentHashMap<>();
        /** Run once at the start of the next read: a broker slow to answer it. */
        volatile Runnable duringNextRead;
        /** How many times entries were written together ({@link KeyLog#writeAllNext}). */
        volatile int batches;

        KeyLog reader() {
            // domains are read at once by several threads (each under its own lock)
            Map<String, Integer> position = new ConcurrentHashMap<>();
            return new KeyLog() {
                @Override
                public void catchUp(String domain, Entry consumer) {
                    readsOf.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
                    Runnable slow;
                    synchronized (MemoryKeyLog.this) {
                        slow = duringNextRead;
                        duringNextRead = null;
                    }
                    if (slow != null) {
                        slow.run();
                    }
                    if (unreadable.contains(domain)) {
                        throw new KeyLogUnavailable("key topic mesh.keys." + domain + " does not exist", null);
                    }
                    // the domain asked for only, as the key log on the broker reads
                    int end = entries.size();
                    for (int i = position.getOrDefault(domain, 0); i < end; i++) {
                        if (entries.get(i).domain().equals(domain)) {
                            consumer.accept(domain, entries.get(i).subject(), entries.get(i).value());
                        }
                    }
                    position.put(domain, end);
                }

                @Override
                public void write(String domain, String subject, byte[] value) {
                    Runnable first = beforeNextWrite;
                    beforeNextWrite = null;
                    if (first != null) {
                        first.run();
                    }
                    entries.add(new Written(domain, subject, value));
                    Runnable after = afterNextWrite;
                    afterNextWrite = null;
                    if (after != null) {
                        after.run();
                    }
                }

                @Override
                public boolean writeAllNext(String domain, Map<String, byte[]> entries) {
                    batches++;
                    return KeyLog.super.writeAllNext(domain, entries);
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
