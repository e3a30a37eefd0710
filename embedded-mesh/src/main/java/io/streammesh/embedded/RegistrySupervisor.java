package io.streammesh.embedded;

import io.streammesh.schema.MeshException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the registry running while the mesh runs: when its process dies (a crash, an out of
 * memory, {@code kill -9}), starts it again on the same port with the same H2 storage, so client
 * configs stay valid and schemas keep their ids. At most {@value #MAX_RESTARTS} restarts within
 * {@link #WINDOW}: a registry that keeps dying stays down, with the reason logged, rather than
 * burn the machine.
 */
final class RegistrySupervisor implements AutoCloseable {

    /** Restarts allowed within {@link #WINDOW}. */
    static final int MAX_RESTARTS = 5;
    /** The window restarts are counted in. */
    static final Duration WINDOW = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(RegistrySupervisor.class);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private final Supplier<RegistryProcess> launch;
    private final String adminPassword;
    private final IntConsumer restarted;
    private final Deque<Instant> recent = new ArrayDeque<>();
    private final ScheduledExecutorService restarter = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "mesh-registry-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private volatile RegistryProcess current;
    private volatile boolean closed;
    private volatile boolean held;
    private int restarts;

    /**
     * @param running the registry, started and ready
     * @param launch launches the registry again (same jar, port, storage); not yet ready
     * @param adminPassword mesh-admin's password, to set the global rules once it is ready
     * @param restarted told the number of restarts so far after each successful restart
     */
    RegistrySupervisor(RegistryProcess running, Supplier<RegistryProcess> launch, String adminPassword, IntConsumer restarted) {
        this.launch = launch;
        this.adminPassword = adminPassword;
        this.restarted = restarted;
        watch(running);
    }

    private void watch(RegistryProcess registry) {
        current = registry;
        registry.onExit().thenRun(() -> restarter.execute(() -> died(registry)));
    }

    private void died(RegistryProcess registry) {
        // One that a test killed and holds down, or one already replaced, is not restarted here.
        if (!closed && !held && registry == current) {
            restart("the Apicurio Registry (pid " + registry.pid() + ") died: " + registry.exitReason());
        }
    }

    private void restart(String reason) {
        if (closed) {
            return;
        }
        Instant now = Instant.now();
        while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(WINDOW))) {
            recent.removeFirst();
        }
        if (recent.size() >= MAX_RESTARTS) {
            LOG.error("{}; not restarting it again: it was restarted {} times in the last {} min",
                    reason, MAX_RESTARTS, WINDOW.toMinutes());
            return;
        }
        recent.addLast(now);
        restarts++;
        LOG.warn("{}; restarting it on the same port (restart {}, at most {} in {} min)",
                reason, restarts, MAX_RESTARTS, WINDOW.toMinutes());
        RegistryProcess next = null;
        try {
            next = launch.get();
            next.awaitReady(adminPassword);
        } catch (MeshException e) {
            if (next != null) {
                next.close();
            }
            if (closed) {
                return;
            }
            String failure = "the Apicurio Registry did not come back: " + e.getMessage();
            restarter.schedule(() -> restart(failure), RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (closed) {
            next.close();
            return;
        }
        watch(next);
        LOG.info("The Apicurio Registry is back at {} (pid {})", next.baseUrl(), next.pid());
        restarted.accept(restarts);
    }

    /**
     * Kills the registry as a crash would ({@code kill -9}) and keeps it down until
     * {@link #release()}: how tests make an outage longer than a restart takes.
     */
    synchronized void killAndHold() {
        held = true;
        current.kill();
    }

    /**
     * Starts the registry that {@link #killAndHold()} holds down, on the same port and storage,
     * and waits until it is ready.
     *
     * @throws MeshException if it does not get ready
     */
    synchronized void release() {
        RegistryProcess next = launch.get();
        try {
            next.awaitReady(adminPassword);
        } catch (MeshException e) {
            next.close();
            throw e;
        }
        watch(next);
        held = false;
    }

    /** Stops supervising, then stops the registry. */
    @Override
    public void close() {
        closed = true;
        restarter.shutdownNow();
        try {
            // a restart under way closes what it launched once interrupted
            restarter.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        current.close();
    }
}
