package io.streammesh.client;

import io.apicurio.registry.rest.client.exception.RestClientException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deserializer that waits while the schema registry does not answer, rather than fail: for
 * Kafka Streams global tables, whose thread cannot be replaced, so one record read during a
 * registry outage (a schema id its serde has not seen yet) would otherwise stop the whole app.
 * Any other failure is logged with its reason and thrown, as before.
 *
 * @param <T> the records' type
 */
final class RegistryWaitingDeserializer<T> implements Deserializer<T> {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryWaitingDeserializer.class);
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final Deserializer<T> inner;
    private final Duration retry;

    /** @param inner the registry-backed deserializer */
    RegistryWaitingDeserializer(Deserializer<T> inner) {
        this(inner, RETRY);
    }

    /** @param inner the registry-backed deserializer @param retry how long to wait between tries */
    RegistryWaitingDeserializer(Deserializer<T> inner, Duration retry) {
        this.inner = inner;
        this.retry = retry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        inner.configure(configs, isKey);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        boolean waited = false;
        while (true) {
            try {
                T value = inner.deserialize(topic, data);
                if (waited) {
                    LOG.info("The schema registry answers again; reading {} goes on", topic);
                }
                return value;
            } catch (RuntimeException e) {
                if (!registryUnreachable(e)) {
                    // Kafka Streams' global thread loses this reason (it fails on its own handler), so say it here.
                    LOG.error("Cannot read a record of {}: {}", topic, e.toString());
                    throw e;
                }
                if (!waited) {
                    LOG.warn("The schema registry does not answer ({}); reading {} waits for it, trying every {} s",
                            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), topic, retry.toMillis() / 1000.0);
                    waited = true;
                }
                try {
                    Thread.sleep(retry.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptException(interrupted);
                }
            }
        }
    }

    @Override
    public void close() {
        inner.close();
    }

    /**
     * @return whether the failure is the registry not answering (a connection or I/O failure, which
     *         Apicurio's client reports as an error with no HTTP status), not an answer such as 404
     */
    static boolean registryUnreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException || cause instanceof SchemaRegistry.Unreachable
                    || cause instanceof RestClientException rest && rest.getError() != null && rest.getError().getErrorCode() == null) {
                return true;
            }
        }
        return false;
    }
}
