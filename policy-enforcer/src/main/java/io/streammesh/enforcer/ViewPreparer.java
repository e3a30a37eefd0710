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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares views on a thread of its own, so that Admin calls and schema registrations never run
 * on a stream thread inside its transaction: the stream thread asks, and holds a view's records
 * back until the answer is there. Each preparation runs once. A view's topics that cannot be
 * created (a broker down leaves the cluster short of the replicas a topic needs; a permission
 * missing) are logged and tried again {@link #TOPICS_RETRY} later, the product's records held
 * meanwhile: failing the task instead would stall every product whose partitions share it. A
 * schema registration that fails is reported to the next ask (which fails the task, as an
 * unreachable registry does) and then tried again. A view schema the registry's rules refuse is the view's own failure: reported as
 * {@link ViewPreparation.SchemaRefused} to every ask for {@link #REFUSAL_KEPT}, without asking the
 * registry again for each record, then tried again (the registry's rules may have changed).
 */
final class ViewPreparer implements ViewPreparation, AutoCloseable {

    /** How long after a failed creation of a view's topics they are tried again. */
    static final Duration TOPICS_RETRY = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(ViewPreparer.class);

    private final BiConsumer<String, String> ensureTopics;
    private final AutoCloseable topics;
    private final Duration topicsRetry;
    private final WireAvro wire;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
        var thread = new Thread(task, "policy-enforcer-view-preparer");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, CompletableFuture<Boolean>> topicsByView = new ConcurrentHashMap<>();
    /** Each view whose topics the last attempt failed to create: why, and when. */
    private final Map<String, TopicsFailure> topicsFailures = new ConcurrentHashMap<>();
    private final Map<Subject, CompletableFuture<byte[]>> headers = new ConcurrentHashMap<>();
    private final AtomicLong finished = new AtomicLong();
    /** When each refused schema was refused. */
    private final Map<Subject, Long> refusedAt = new ConcurrentHashMap<>();
    /** How long a refused view schema stays refused before the registry is asked again. */
    static final Duration REFUSAL_KEPT = Duration.ofMinutes(1);

    /** Why a view's topics could not be created, and when (System.nanoTime). */
    private record TopicsFailure(String reason, long at) {
    }

    /** A view schema under its subject. */
    private record Subject(String name, Schema schema) {
    }

    /**
     * @param topics creates view topics
     * @param wire registers view schemas
     */
    ViewPreparer(ViewTopics topics, WireAvro wire) {
        this(topics::ensure, topics, wire, TOPICS_RETRY);
    }

    /**
     * @param ensureTopics creates a view's topics (product topic, view topic), throwing if it cannot
     * @param topics closed with this
     * @param wire registers view schemas
     * @param topicsRetry how long after a failed creation of a view's topics they are tried again
     */
    ViewPreparer(BiConsumer<String, String> ensureTopics, AutoCloseable topics, WireAvro wire, Duration topicsRetry) {
        this.ensureTopics = ensureTopics;
        this.topics = topics;
        this.wire = wire;
        this.topicsRetry = topicsRetry;
    }

    /** {@inheritDoc} Never throws: topics that could not be created are tried again {@link #TOPICS_RETRY} later. */
    @Override
    public boolean topicsReady(String productTopic, String viewTopic) {
        TopicsFailure failed = topicsFailures.get(viewTopic);
        if (failed != null && !topicsByView.containsKey(viewTopic) && System.nanoTime() - failed.at() < topicsRetry.toNanos()) {
            return false;
        }
        CompletableFuture<Boolean> job = topicsByView.computeIfAbsent(viewTopic, topic -> counted(CompletableFuture.supplyAsync(() -> {
            try {
                ensureTopics.accept(productTopic, topic);
                topicsFailures.remove(topic);
                return true;
            } catch (RuntimeException e) {
                // Noted before the job completes: whoever sees it failed sees when, too.
                topicsFailures.put(topic, new TopicsFailure(e.getMessage(), System.nanoTime()));
                LOG.warn("{}; the records of {} are held and its topics are tried again in {} s", e.getMessage(), productTopic,
                        topicsRetry.toSeconds());
                throw e;
            }
        }, executor)));
        if (!job.isDone()) {
            return false;
        }
        if (job.isCompletedExceptionally()) {
            topicsByView.remove(viewTopic, job);
            return false;
        }
        return true;
    }

    @Override
    public Optional<String> topicsFailure(String viewTopic) {
        return Optional.ofNullable(topicsFailures.get(viewTopic)).map(TopicsFailure::reason);
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
            job = jobs.computeIfAbsent(key, k -> counted(CompletableFuture.supplyAsync(preparation, executor)));
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
    public long progress() {
        return finished.get();
    }

    /** @return the job, counted in {@link #progress()} once it is done (after, so whoever sees the count moved sees the job done) */
    private <V> CompletableFuture<V> counted(CompletableFuture<V> job) {
        job.whenComplete((value, failure) -> finished.incrementAndGet());
        return job;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            topics.close();
        } catch (Exception e) {
            throw new MeshException("cannot close the view topics' admin client: " + e.getMessage(), e);
        }
    }
}
