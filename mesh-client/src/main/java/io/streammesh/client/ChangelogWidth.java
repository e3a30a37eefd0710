package io.streammesh.client;

import io.streammesh.schema.MeshException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the changelog topics of a Kafka Streams app that reads topics by pattern as wide as the
 * widest topic it reads. Streams runs one task per partition number of its sources and keeps one
 * changelog partition per task; it creates a changelog as wide as its sources are then, and stops
 * the app's threads when a source becomes wider (a product published or republished with more
 * partitions) until the changelog has as many partitions. Partitions added at the end leave every
 * existing task's state where it is, so the app only needs them added: here, every few seconds,
 * mostly before its consumer even sees the wider topic.
 */
public final class ChangelogWidth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangelogWidth.class);
    private static final String CHANGELOG_SUFFIX = "-changelog";

    private final Admin admin;
    private final String applicationId;
    private final Pattern sources;
    private final ScheduledExecutorService schedule;
    private volatile boolean closed;

    /**
     * @param admin an Admin client as the app's principal (ALTER on its internal topics, DESCRIBE on its sources); closed with this
     * @param applicationId the app's id, the prefix of its changelogs
     * @param sources the pattern the app subscribes to
     * @param every how often to look
     */
    public ChangelogWidth(Admin admin, String applicationId, Pattern sources, Duration every) {
        this.admin = admin;
        this.applicationId = applicationId;
        this.sources = sources;
        this.schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
            var thread = new Thread(runnable, applicationId + "-changelog-width");
            thread.setDaemon(true);
            return thread;
        });
        schedule.scheduleWithFixedDelay(this::runLogged, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Adds partitions to every changelog of the app narrower than its widest source.
     *
     * @return how many changelogs it widened
     * @throws MeshException if the broker refuses or does not answer
     */
    public int run() {
        Set<String> names = KafkaCalls.await(admin.listTopics().names(), "list the topics of " + applicationId);
        List<String> read = names.stream().filter(name -> sources.matcher(name).matches()).toList();
        List<String> changelogs = names.stream().filter(name -> name.startsWith(applicationId + "-") && name.endsWith(CHANGELOG_SUFFIX)).toList();
        if (read.isEmpty() || changelogs.isEmpty()) {
            return 0;
        }
        Map<String, Integer> widths = KafkaCalls.await(admin.describeTopics(union(read, changelogs)).allTopicNames(),
                "describe the topics of " + applicationId).values().stream()
                .collect(Collectors.toMap(TopicDescription::name, description -> description.partitions().size()));
        OptionalInt widest = read.stream().filter(widths::containsKey).mapToInt(widths::get).max();
        if (widest.isEmpty()) {
            return 0;
        }
        Map<String, NewPartitions> narrow = changelogs.stream().filter(changelog -> widths.getOrDefault(changelog, widest.getAsInt()) < widest.getAsInt())
                .collect(Collectors.toMap(changelog -> changelog, changelog -> NewPartitions.increaseTo(widest.getAsInt())));
        if (!narrow.isEmpty()) {
            KafkaCalls.await(admin.createPartitions(narrow).all(), "add partitions to the changelogs " + narrow.keySet());
            LOG.info("{}: changelog(s) {} now have {} partitions, as many as its widest source", applicationId, narrow.keySet(), widest.getAsInt());
        }
        return narrow.size();
    }

    private void runLogged() {
        try {
            run();
        } catch (MeshException e) {
            // a look that close interrupted is no failure
            if (!closed) {
                LOG.error("{} could not widen its changelogs to its widest source; retrying: {}", applicationId, e.getMessage());
            }
        }
    }

    private static Set<String> union(List<String> first, List<String> second) {
        return Stream.concat(first.stream(), second.stream()).collect(Collectors.toSet());
    }

    @Override
    public void close() {
        closed = true;
        schedule.shutdownNow();
        try {
            schedule.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close();
    }
}
