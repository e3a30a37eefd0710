package io.streammesh.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.schema.MeshException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A view whose topics cannot be created (a broker down leaves the cluster short of replicas) is
 * not ready, never a failure thrown at the stream thread whose task other products share; its
 * topics are tried again after a pause, not at every ask, and the reason is there to report.
 */
class ViewPreparerTest {

    private static final Duration RETRY = Duration.ofSeconds(2);

    private final AtomicBoolean brokerDown = new AtomicBoolean(true);
    private final AtomicInteger attempts = new AtomicInteger();
    private final ViewPreparer preparer = new ViewPreparer((product, view) -> {
        attempts.incrementAndGet();
        if (brokerDown.get()) {
            throw new MeshException("cannot create view topic " + view + ": only 2 broker(s) are registered");
        }
    }, () -> { }, null, RETRY);

    @AfterEach
    void close() {
        preparer.close();
    }

    @Test
    void topicsThatCannotBeCreatedAreNotReadyAndAreTriedAgainAfterAPause() {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            preparer.topicsReady("shop.orders.v1", "shop.orders.v1.analytics");
            return attempts.get() == 1 && !preparer.topicsReady("shop.orders.v1", "shop.orders.v1.analytics");
        });
        for (int i = 0; i < 100; i++) {
            assertThat(preparer.topicsReady("shop.orders.v1", "shop.orders.v1.analytics")).isFalse();
        }
        assertThat(attempts).as("asked again within the pause, the topics are not tried again").hasValue(1);
        assertThat(preparer.topicsFailure("shop.orders.v1.analytics"))
                .hasValue("cannot create view topic shop.orders.v1.analytics: only 2 broker(s) are registered");

        brokerDown.set(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> preparer.topicsReady("shop.orders.v1", "shop.orders.v1.analytics"));
        assertThat(attempts).hasValue(2);
        assertThat(preparer.topicsFailure("shop.orders.v1.analytics")).isEmpty();
    }

    /** Whoever sees the progress move sees the preparation that moved it finished: the stream thread tries held records then. */
    @Test
    void progressMovesOnlyOnceAPreparationHasFinishedDoneOrFailed() {
        var release = new CountDownLatch(1);
        var slow = new ViewPreparer((product, view) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (view.startsWith("bad.")) {
                throw new MeshException("cannot create view topic " + view + ": not authorised");
            }
        }, () -> { }, null, RETRY);
        try {
            long before = slow.progress();
            assertThat(slow.topicsReady("good.orders.v1", "good.orders.v1.analytics")).isFalse();
            assertThat(slow.topicsReady("bad.orders.v1", "bad.orders.v1.analytics")).isFalse();
            // both jobs are blocked on the latch: the count must hold still the whole time
            await("nothing finished yet").during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> slow.progress() == before);

            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.progress() == before + 2);
            assertThat(slow.topicsReady("good.orders.v1", "good.orders.v1.analytics")).isTrue();
            assertThat(slow.topicsFailure("bad.orders.v1.analytics")).isPresent();
        } finally {
            slow.close();
        }
    }

    @Test
    void oneViewsFailureLeavesAnotherViewReady() {
        AtomicBoolean otherReady = new AtomicBoolean();
        var mixed = new ViewPreparer((product, view) -> {
            if (view.startsWith("bad.")) {
                throw new MeshException("cannot create view topic " + view + ": not authorised");
            }
        }, () -> { }, null, RETRY);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                mixed.topicsReady("bad.orders.v1", "bad.orders.v1.analytics");
                otherReady.set(mixed.topicsReady("good.orders.v1", "good.orders.v1.analytics"));
                return otherReady.get();
            });
            assertThat(mixed.topicsReady("bad.orders.v1", "bad.orders.v1.analytics")).isFalse();
        } finally {
            mixed.close();
        }
    }
}
