package io.streammesh.authorizer;

import io.streammesh.client.MeshSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.MeshTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships counted decisions to {@code mesh.audit.raw} from its own thread, so the broker's request
 * path never waits for the audit. Closed seconds go to a bounded backlog; while the topic is out
 * of reach the backlog is retried, and past its bound it is spooled to disk, as is everything
 * left when the broker stops. Spooled events ship first, oldest first, once the topic is back.
 */
final class AuthorizationShipper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationShipper.class);
    private static final Duration TICK = Duration.ofMillis(250);
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);

    private final DecisionCounts counts;
    private final AuthorizationSpool spool;
    private final Path clientConfig;
    private final String clientId;
    private final int maxBacklog;
    private final String source;
    /** Per principal, the sequence number its last event was given. */
    private final Map<String, Long> sequences = new HashMap<>();
    private final List<AuthorizationEvent> backlog = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private KafkaProducer<String, AuthorizationEvent> producer;
    private FileTime producerConfigTime;
    private long lastWarning;

    AuthorizationShipper(DecisionCounts counts, AuthorizationSpool spool, Path clientConfig, String clientId, int maxBacklog) {
        this.counts = counts;
        this.spool = spool;
        this.clientConfig = clientConfig;
        this.clientId = clientId;
        this.maxBacklog = maxBacklog;
        this.source = clientId + "/" + UUID.randomUUID();
        this.thread = new Thread(this::run, "mesh-audit-shipper");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(TICK.toMillis());
                shipOnce();
            } catch (InterruptedException | InterruptException e) {
                return;
            } catch (RuntimeException e) {
                warn("Audit shipping failed; retrying: {}", e.toString());
            }
        }
    }

    /**
     * One round: spooled files first, then every closed second. Synchronized with
     * {@link #close()}: a round still running when close gives up waiting for the thread must
     * not clear the backlog close is spooling.
     */
    synchronized void shipOnce() {
        backlog.addAll(numbered(counts.drainBefore(System.currentTimeMillis() / 1000)));
        if (backlog.size() > maxBacklog) {
            spoolBacklog();
        }
        if (producer() == null) {
            return;
        }
        for (Path file : spool.files()) {
            List<AuthorizationEvent> unshipped = send(spool.read(file));
            spool.replace(file, unshipped);
            if (!unshipped.isEmpty()) {
                return;
            }
        }
        if (!backlog.isEmpty()) {
            List<AuthorizationEvent> unshipped = send(List.copyOf(backlog));
            backlog.clear();
            backlog.addAll(unshipped);
        }
    }

    /**
     * Gives each event its source and its principal's next sequence number: an event whose
     * acknowledgement was lost is shipped again with the same pair, and the audit app passes it
     * once (the audit app's {@code ResendFilter}). A principal's events share a partition of the raw topic.
     */
    private List<AuthorizationEvent> numbered(List<AuthorizationEvent> events) {
        for (AuthorizationEvent event : events) {
            event.setSource(source);
            event.setSequence(sequences.merge(event.getPrincipal(), 1L, Long::sum));
        }
        return events;
    }

    /** @return the events not acknowledged; the caller keeps them */
    private List<AuthorizationEvent> send(List<AuthorizationEvent> events) {
        long dropped = counts.takeDropped();
        AuthorizationEvent first = events.get(0);
        long carried = first.getDropped();
        if (dropped > 0) {
            first.setDropped(carried + dropped);
            LOG.warn("The audit had to drop {} authorisation decisions (memory bound reached); reported in {}", dropped, MeshTopics.AUDIT_RAW);
        }
        var failures = new AtomicReferenceArray<Exception>(events.size());
        int sent = 0;
        try {
            var failed = new AtomicBoolean();
            // A send that cannot find the topic fails only after max.block.ms: stop at the first.
            for (; sent < events.size() && !failed.get(); sent++) {
                AuthorizationEvent event = events.get(sent);
                int index = sent;
                producer.send(new ProducerRecord<>(MeshTopics.AUDIT_RAW, event.getPrincipal(), event), (metadata, error) -> {
                    if (error != null) {
                        failures.set(index, error);
                        failed.set(true);
                    }
                });
            }
            producer.flush();
        } catch (InterruptException e) {
            throw e;
        } catch (RuntimeException e) {
            warn("Cannot ship authorisation events to {} (kept, retrying): {}", MeshTopics.AUDIT_RAW, e.getMessage());
            closeProducer();
        }
        var unshipped = new ArrayList<AuthorizationEvent>();
        for (int i = 0; i < events.size(); i++) {
            if (i >= sent || failures.get(i) != null) {
                unshipped.add(events.get(i));
            }
        }
        if (!unshipped.isEmpty()) {
            warn("{} authorisation events not acknowledged by {} (kept, retrying): {}", unshipped.size(), MeshTopics.AUDIT_RAW,
                    firstFailure(failures));
        }
        if (!unshipped.isEmpty() && unshipped.get(0) == first) {
            first.setDropped(carried);
            counts.restoreDropped(dropped);
        }
        return unshipped;
    }

    private static String firstFailure(AtomicReferenceArray<Exception> failures) {
        for (int i = 0; i < failures.length(); i++) {
            if (failures.get(i) != null) {
                return failures.get(i).getMessage();
            }
        }
        return "not sent";
    }

    /**
     * The client config is written by the mesh after the broker starts, and rewritten when an
     * endpoint changes: wait for it, and follow it.
     */
    private KafkaProducer<String, AuthorizationEvent> producer() {
        try {
            if (!Files.isRegularFile(clientConfig)) {
                return null;
            }
            FileTime modified = Files.getLastModifiedTime(clientConfig);
            if (producer != null && modified.equals(producerConfigTime)) {
                return producer;
            }
            closeProducer();
            producer = createProducer(MeshClientConfig.load(clientConfig));
            producerConfigTime = modified;
            return producer;
        } catch (java.io.IOException | RuntimeException e) {
            warn("Cannot create the audit's producer from {}: {}", clientConfig, e.getMessage());
            return null;
        }
    }

    /**
     * Short timeouts: a failed round costs seconds, not the default minutes, and the next round
     * starts from a fresh look at the client config (the mesh rewrites it when its ports move).
     */
    private KafkaProducer<String, AuthorizationEvent> createProducer(MeshClientConfig config) {
        var props = config.kafka();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
        return new KafkaProducer<>(props, new StringSerializer(), MeshSerdes.<AuthorizationEvent>valueSerializer(config, true));
    }

    private void spoolBacklog() {
        try {
            spool.write(backlog);
            backlog.clear();
        } catch (RuntimeException e) {
            LOG.error("Cannot spool {} authorisation events; counted as dropped: {}", backlog.size(), e.getMessage());
            counts.restoreDropped(backlog.stream().mapToLong(AuthorizationEvent::getCount).sum());
            backlog.clear();
        }
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private void warn(String format, Object... args) {
        long now = System.nanoTime();
        if (lastWarning == 0 || now - lastWarning > WARN_EVERY.toNanos()) {
            LOG.warn(format, args);
            lastWarning = now;
        }
    }

    /** Stops shipping and spools whatever is left, the open second included. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("The audit shipper did not stop within 10 s; waiting for its round to end before spooling");
        }
        synchronized (this) {
            closeProducer();
            backlog.addAll(numbered(counts.drainAll()));
            if (!backlog.isEmpty()) {
                LOG.info("Audit shipping stopped; {} authorisation events spooled to ship on the next start", backlog.size());
            }
            spoolBacklog();
        }
    }
}
