package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthPushesTest {

    private static final Duration INTERVAL = Duration.ofMillis(20);

    /**
     * A client that stops reading blocks its stream's write (until Jetty's idle timeout): it must
     * hold that one stream, never the other pages' charts, and its pushes must not pile up.
     */
    @Test
    void aStreamWhoseWriteHangsHoldsOnlyItselfAndGetsNoFurtherPushesMeanwhile() throws Exception {
        var unread = new CountDownLatch(1);
        var hungWrites = new AtomicInteger();
        var otherPushes = new AtomicInteger();
        try (var pushes = new HealthPushes(INTERVAL, 10)) {
            pushes.start(() -> {
                hungWrites.incrementAndGet();
                try {
                    unread.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pushes.start(otherPushes::incrementAndGet);

            await().atMost(Duration.ofSeconds(30)).until(() -> otherPushes.get() >= 20);
            assertThat(hungWrites.get()).as("one write in flight; the skipped pushes are not queued behind it").isEqualTo(1);

            unread.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> hungWrites.get() >= 2);
        }
    }

    @Test
    void aStoppedStreamGetsNoMorePushes() throws Exception {
        var received = new AtomicInteger();
        try (var pushes = new HealthPushes(INTERVAL, 10)) {
            Runnable stop = pushes.start(received::incrementAndGet);
            await().atMost(Duration.ofSeconds(30)).until(() -> received.get() >= 3);
            stop.run();
            int atStop = received.get();
            var still = new AtomicInteger();
            pushes.start(still::incrementAndGet);
            await().atMost(Duration.ofSeconds(30)).until(() -> still.get() >= 10);
            assertThat(received.get()).as("at most a push already handed to a writer").isLessThanOrEqualTo(atStop + 1);
        }
    }
}
