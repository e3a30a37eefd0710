package io.streammesh.client;

import io.apicurio.registry.rest.client.exception.RestClientException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deserializer that waits while the schema registry does not answer, rather than fail: the
 * mesh's apps skip a record that does not decode (a poison record must not stop them), so a record
 * read during a registry outage (a schema id its serde has not seen yet) would otherwise be lost,
 * and in a Kafka Streams global table, whose thread cannot be replaced, it would stop the app.
 * It waits at most {@link #MAX_WAIT}, then fails with the reason (the app then stops, saying
 * why). Any other failure, a corrupt record included, is logged with its reason and thrown.
 *
 * @param <T> the records' type
 */
final class RegistryWaitingDeserializer<T> implements Deserializer<T> {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryWaitingDeserializer.class);
    /** What Apicurio's client names a connection failure by (its errors keep the exception's simple name, not the exception). */
    private static final Set<String> CONNECTION_FAILURES = Set.of(ConnectException.class.getSimpleName(),
            UnknownHostException.class.getSimpleName(), NoRouteToHostException.class.getSimpleName(),
            SocketTimeoutException.class.getSimpleName(), HttpTimeoutException.class.getSimpleName(),
            HttpConnectTimeoutException.class.getSimpleName(), "ClosedChannelException", "SocketException",
            // the JDK client reports a connection that broke mid-answer as a bare IOException
            "IOException", "EOFException");
    private static final Duration RETRY = Duration.ofSeconds(2);
    /** Longer than the mesh's registry supervisor needs to start a killed registry again. */
    static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final Deserializer<T> inner;
    private final Duration retry;
    private final UnreadableRecordLog unreadable = new UnreadableRecordLog(LOG::error, System::nanoTime);

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
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        while (true) {
            try {
                T value = inner.deserialize(topic, data);
                if (waited) {
                    LOG.info("The schema registry answers again; reading {} goes on", topic);
                }
                return value;
            } catch (RuntimeException e) {
                if (!registryUnreachable(e) || System.nanoTime() > deadline) {
                    // Kafka Streams' global thread loses this reason (it fails on its own handler), so say it here; once a
                    // minute per topic at most, as a tenant's topic may hold any number of unreadable records.
                    unreadable.report(topic, e);
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
     * @return whether the failure is the registry not answering: a connection that failed or timed
     *         out (Apicurio's client reports those as an error with no HTTP status, naming the
     *         exception), not an answer such as 404 and not a record that does not decode (Apicurio
     *         wraps Avro's decoding failures in an {@code UncheckedIOException}, which is no outage)
     */
    static boolean registryUnreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistry.Unreachable || isConnectionFailure(cause)
                    || cause instanceof RestClientException rest && rest.getError() != null && rest.getError().getErrorCode() == null
                    && CONNECTION_FAILURES.contains(String.valueOf(rest.getError().getName()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConnectionFailure(Throwable cause) {
        return cause instanceof ConnectException || cause instanceof UnknownHostException || cause instanceof NoRouteToHostException
                || cause instanceof SocketTimeoutException || cause instanceof HttpTimeoutException;
    }
}
