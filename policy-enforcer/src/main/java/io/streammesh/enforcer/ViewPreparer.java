package io.streammesh.enforcer;

import io.streammesh.client.WireAvro;
import io.streammesh.schema.MeshException;
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
 * next ask (which fails the task, as an unreachable registry does) and then tried again.
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
        return answer(headers, subject, () -> wire.header(subject.name(), subject.schema())).map(byte[]::clone);
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
            jobs.remove(key, job);
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
