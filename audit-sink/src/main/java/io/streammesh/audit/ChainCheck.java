package io.streammesh.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.RecordProducers;
import io.streammesh.schema.AuditChainStatus;
import io.streammesh.schema.MeshTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mesh audit verify} on a schedule, for a dashboard: at start and then every interval, on a
 * thread of its own, every hash chain of {@code mesh.audit} is checked ({@link AuditVerifier}) and the
 * result shown as {@code mesh.audit.chain.intact} (1 intact, 0 broken, NaN before the first check),
 * with the events checked and the time of the last check. A break is logged with its place. Each
 * result is also written to the compacted {@link MeshTopics#AUDIT_CHAIN}, where the catalog's
 * audit page reads it.
 */
final class ChainCheck implements AutoCloseable {

    /** How often the chains are checked: each check reads all of mesh.audit. */
    static final Duration EVERY = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(ChainCheck.class);

    private final MeshClientConfig clientConfig;
    private final MeterRegistry meters;
    private final KafkaProducer<String, AuditChainStatus> statuses;
    private final AtomicReference<Double> intact = new AtomicReference<>(Double.NaN);
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong checkedAt = new AtomicLong();
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(task -> {
        var thread = new Thread(task, "audit-chain-check");
        thread.setDaemon(true);
        return thread;
    });

    private ChainCheck(MeshClientConfig clientConfig, MeterRegistry meters) {
        this.clientConfig = clientConfig;
        this.meters = meters;
        this.statuses = RecordProducers.create(clientConfig, "mesh-audit-chain-status");
        Gauge.builder("mesh.audit.chain.intact", intact, AtomicReference::get)
                .description("1 if every hash chain of mesh.audit verified at the last check, 0 if one is broken").register(meters);
        Gauge.builder("mesh.audit.chain.verified", events, AtomicLong::get).baseUnit("events")
                .description("events the last check verified").register(meters);
        Gauge.builder("mesh.audit.chain.checked", checkedAt, AtomicLong::get).baseUnit("seconds")
                .description("when the chains were last checked, in seconds since the epoch").register(meters);
    }

    /**
     * @param clientConfig a client config that may read {@code mesh.audit} (audit-sink's own)
     * @param meters where the result goes
     * @param every how often to check
     * @return checking until closed, the first check under way
     */
    static ChainCheck start(MeshClientConfig clientConfig, MeterRegistry meters, Duration every) {
        var check = new ChainCheck(clientConfig, meters);
        check.checker.scheduleWithFixedDelay(check::check, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return check;
    }

    private void check() {
        AuditVerifier.Result result;
        try {
            result = AuditVerifier.verify(clientConfig);
        } catch (RuntimeException e) {
            LOG.warn("could not check the audit chains; trying again in {}: {}", EVERY, e.getMessage(), e);
            checks("failed").increment();
            return;
        }
        result.firstBreak().ifPresent(broken -> LOG.error("the audit chain is broken at {}", broken));
        intact.set(result.intact() ? 1.0 : 0.0);
        events.set(result.total());
        checkedAt.set(System.currentTimeMillis() / 1000);
        checks(result.intact() ? "intact" : "broken").increment();
        try {
            publish(result);
        } catch (RuntimeException e) {
            // escaping, it would end the scheduled checks for good and the last status would stand
            LOG.warn("could not write the audit chains' status to {}; the next check tries again: {}", MeshTopics.AUDIT_CHAIN, e.getMessage(), e);
        }
    }

    private void publish(AuditVerifier.Result result) {
        var status = AuditChainStatus.newBuilder().setIntact(result.intact()).setVerifiedEvents(result.total())
                .setFirstBreak(result.firstBreak().map(Object::toString).orElse(null)).setCheckedAt(Instant.now()).build();
        statuses.send(new ProducerRecord<>(MeshTopics.AUDIT_CHAIN, MeshTopics.AUDIT, status), (metadata, failure) -> {
            if (failure != null) {
                LOG.warn("could not write the audit chains' status to {}; the next check tries again: {}", MeshTopics.AUDIT_CHAIN,
                        failure.getMessage());
            }
        });
    }

    private Counter checks(String result) {
        return Counter.builder("mesh.audit.chain.checks").description("checks of the audit chains, by result")
                .tag("result", result).register(meters);
    }

    @Override
    public void close() {
        checker.shutdownNow();
        statuses.close(Duration.ofSeconds(5));
    }
}
