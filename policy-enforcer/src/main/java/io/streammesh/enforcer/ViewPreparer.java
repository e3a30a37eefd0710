package io.streammesh.enforcer;

import io.apicurio.registry.rest.client.exception.RuleViolationException;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import io.streammesh.schema.MeshException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * Prepares views on a thread of its own, so that Admin calls and schema registrations never run
 * on a stream thread inside its transaction: the stream thread asks, and holds a view's records
 * back until the answer is there. Each preparation runs once; one that fails is reported to the
 * next ask (which fails the task, as an unreachable registry does) and then tried again. A view
 * schema the registry's rules refuse is the view's own failure: reported as
 * {@link ViewPreparation.SchemaRefused} to every ask for {@link #REFUSAL_KEPT}, without asking the
 * registry again for each record, then tried again (the registry's rules may have changed).
 */
final class ViewPreparer implements ViewPreparation, AutoCloseable {

    private final ViewTopics topics;
    private final WireAvro wire;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
        var thread = new Thread(task, "policy-enforcer-view-preparer");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, CompletableFuture<Boolean>> topicsByView = new ConcurrentHashMap<>();
    private final Map<Subject, CompletableFuture<byte[]>> headers = new ConcurrentHashMap<>();
    /** When each refused schema was refused. */
    private final Map<Subject, Long> refusedAt = new ConcurrentHashMap<>();
    /** How long a refused view schema stays refused before the registry is asked again. */
    static final Duration REFUSAL_KEPT = Duration.ofMinutes(1);

    /** A view schema under its subject. */
    private record Subject(String name, Schema schema) {
    }

    /**
     * @param topics creates view topics
     * @param wire registers view schemas
     */
    ViewPreparer(ViewTopics topics, WireAvro wire) {
        this.topics = topics;
        this.wire = wire;
    }

    @Override
    public boolean topicsReady(String productTopic, String viewTopic) {
        return answer(topicsByView, viewTopic, () -> {
            topics.ensure(productTopic, viewTopic);
            return true;
        }).isPresent();
    }

    @Override
    public Optional<byte[]> header(String viewTopic, Schema viewSchema) {
        var subject = new Subject(viewTopic + "-value", viewSchema);
        Long refused = refusedAt.get(subject);
        if (refused != null && System.nanoTime() - refused > REFUSAL_KEPT.toNanos() && refusedAt.remove(subject, refused)) {
            // only the refused job: a retry another thread started meanwhile stays
            headers.computeIfPresent(subject, (key, job) -> job.isCompletedExceptionally() ? null : job);
        }
        return answer(headers, subject, () -> {
            try {
                return wire.header(subject.name(), subject.schema());
            } catch (MeshException e) {
                if (e instanceof SchemaRegistry.Unreachable || !refusedByRules(e)) {
                    throw e;
                }
                refusedAt.put(subject, System.nanoTime());
                throw new SchemaRefused(e.getMessage(), e);
            }
        }).map(byte[]::clone);
    }

    /** @return whether the registry refused a schema under its rules (compatibility, validity), not the login or itself */
    private static boolean refusedByRules(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof RuleViolationException) {
                return true;
            }
        }
        return false;
    }

    private <K, V> Optional<V> answer(Map<K, CompletableFuture<V>> jobs, K key, Supplier<V> preparation) {
        CompletableFuture<V> job = jobs.get(key);
        if (job == null) {
            job = jobs.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(preparation, executor));
        }
        if (!job.isDone()) {
            return Optional.empty();
        }
        try {
            return Optional.of(job.join());
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof SchemaRefused)) {
                // asked again by the next ask; a refused schema is asked again only after REFUSAL_KEPT
                jobs.remove(key, job);
            }
            throw e.getCause() instanceof RuntimeException failure ? failure
                    : new MeshException("cannot prepare a view: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        topics.close();
    }
}
